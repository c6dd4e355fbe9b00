/**
 * The QLoRA lesson's memory figures that rest on the core's formula rather than on a results file
 * (the claims in test/site/claims/ check those): each sentence is still in the lesson, word for
 * word, and `trainingMemory` still gives the numbers it states — recomputed here with the settings
 * the lesson names, so that a change to the formula or to the calculator's defaults fails here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { blockLinears, LLAMA2_7B, LLAMA_65B, trainingMemory } from '../../src/core/memory/index.ts';
import { normaliseSpace } from './claims/claim.ts';

const read = (...path: string[]) =>
  normaliseSpace(readFileSync(join(import.meta.dirname, '..', '..', 'lessons', ...path), 'utf8'));
const lesson = read('qlora.mdx');
/** The Japanese edition states the same figures (its cells are the English ones: editions.test.ts). */
const japanese = read('ja', 'qlora.mdx');
const GB = 1e9;
const gb = (bytes: number): string => (bytes / GB).toFixed(1);

describe('lessons/qlora.mdx: memory figures computed by the core', () => {
  it('16-bit full fine-tuning of LLaMA-65B: 783 GB of weights, gradients and Adam state', () => {
    expect(lesson).toContain(
      normaliseSpace(
        '2 bytes of weight, 2 of gradient and 8 of Adam state per parameter come to 783 GB',
      ),
    );
    expect(japanese).toContain(
      'パラメータ1個あたり重み2バイト、勾配2バイト、Adamの状態8バイトで合計783 GB',
    );
    const m = trainingMemory(LLAMA_65B, {
      method: 'full',
      sequenceLength: 512,
      batchSize: 1,
      activations: 'none',
    });
    expect(Math.round(m.total / GB)).toBe(783);
    expect(m.total).toBe(m.trainableParams * (2 + 2 + 8));
  });

  it("Llama-2-7B at the calculator's opening settings: LoRA 14.3 GB (13.5 GB base), QLoRA 4.7 GB", () => {
    expect(lesson).toContain(
      normaliseSpace(
        'the formula gives 14.3 GB for LoRA, of which 13.5 GB is the 16-bit base, and 4.7 GB for QLoRA',
      ),
    );
    expect(japanese).toContain('LoRAで14.3 GB（うち13.5 GBが16ビットのベース）、QLoRAで4.7 GB');
    // The calculator cell's defaults: r = 16 on every linear layer, 512 tokens, batch 1, checkpointed.
    expect(lesson).toContain('r: Inputs.select([8, 16, 64], {label: "LoRA rank r", value: 16})');
    expect(lesson).toContain('value: "every linear layer"');
    expect(lesson).toContain('{label: "tokens per sequence", value: 512}');
    expect(lesson).toContain('{label: "sequences per step", value: 1}');
    expect(lesson).toContain('{label: "activations kept", value: "checkpointed"}');
    const lora = { r: 16, targets: blockLinears(LLAMA2_7B).map((l) => l.name) };
    const common = { sequenceLength: 512, batchSize: 1, activations: 'checkpointed' } as const;
    const l = trainingMemory(LLAMA2_7B, { method: 'lora', lora, ...common });
    const q = trainingMemory(LLAMA2_7B, { method: 'qlora', lora, ...common });
    const base16 = trainingMemory(LLAMA2_7B, { method: 'full', ...common }).trainableParams * 2;
    expect([gb(l.total), gb(base16), gb(q.total)]).toEqual(['14.3', '13.5', '4.7']);
  });
});
