/**
 * The Japanese edition's names for the initialisation experiments' tasks and variants
 * (src/experiments/initialisation/labels.ts), on the names the shipped results file holds.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { initLabel } from '../../../src/experiments/initialisation/labels.ts';
import { parseInitialisationResults } from '../../../src/experiments/initialisation/results.ts';

const file = join(import.meta.dirname, '../../../public/results/initialisation/encoder.json');

describe('initLabel', () => {
  it('gives every name in the shipped results file in Japanese, keeping its numbers', () => {
    const json = JSON.parse(readFileSync(file, 'utf8')) as { taskLabel: string };
    const r = parseInitialisationResults(json);
    expect(initLabel(json.taskLabel, 'ja')).toBe(
      '感情分析の事前学習済みエンコーダー（2層、幅128）、ヘッドを学習してから凍結',
    );
    const spike = r.spike.variants.map((v) => initLabel(v.name, 'ja'));
    expect(spike).toEqual(['学習率0.1', '学習率0.01', '7ステップで0.1まで上げるウォームアップ']);
  });

  it('leaves a name it does not know as it is', () => {
    expect(initLabel('α/√r (rsLoRA)', 'ja')).toBe('α/√r (rsLoRA)');
    expect(initLabel('learning rate 0.1')).toBe('learning rate 0.1'); // English: as recorded
    expect(initLabel('learning rate', 'ja')).toBe('learning rate');
    expect(initLabel('pretrained encoder (2 layers, width 128) on sentiment', 'ja')).toBe(
      '感情分析の事前学習済みエンコーダー（2層、幅128）',
    );
  });
});
