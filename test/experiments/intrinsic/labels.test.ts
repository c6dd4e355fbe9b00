/** The sentiment comparison's start names in either edition (src/experiments/intrinsic/labels.ts). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startLabel } from '../../../src/experiments/intrinsic/labels.ts';
import { parseSentimentIntrinsicResults } from '../../../src/experiments/intrinsic/results.ts';

const file = join(import.meta.dirname, '../../../public/results/intrinsic/sentiment.json');

describe('startLabel', () => {
  it('names every start of the shipped results file in Japanese, and leaves English as it is', () => {
    const r = parseSentimentIntrinsicResults(JSON.parse(readFileSync(file, 'utf8')));
    const names = r.curves.map((c) => c.name);
    expect(names.map((n) => startLabel(n, 'ja'))).toEqual([
      '事前学習済みの小さなエンコーダー',
      '同じアーキテクチャ、ランダム初期化',
      'GloVeの単語ベクトルとランダムな層（MLMなし）',
    ]);
    expect(names.map((n) => startLabel(n))).toEqual(names);
    expect(startLabel('another start', 'ja')).toBe('another start');
  });
});
