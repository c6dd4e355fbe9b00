/**
 * The QLoRA lesson's exercises against the core they rest on: the first exercise's matrix is the
 * shipped encoder's feed-forward matrix (and the lesson cell's), and its bytes are the closed form
 * and the memory calculator's bits per weight; the second's reference is the core's int8 round
 * trip, which the solution (run by the real cell runtime) reproduces on random blocks; the third's
 * premise — on Llama-2-13B neither a 16-bit base nor activations kept in full fit 24 GB at 2,048
 * tokens — holds by the core's trainingMemory, and its messages carry the core's numbers.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { extractCells } from '../../../src/cells/extract.ts';
import { valueOf } from './run-cell.ts';
import {
  FFN_MATRIX,
  FIT_TASK,
  ROUND_TRIP_BLOCKS,
  coreRoundTrip,
  ffnNf4Bytes,
  fitMemory,
  qloraExercises,
} from '../../../src/cells/exercises/qlora.ts';
import {
  ENCODER_PRESETS,
  LLAMA2_13B,
  Rng,
  blockLinears,
  dequantize,
  nf4BitsPerParam,
  quantize,
  quantizedBytes,
} from '../../../src/core/index.ts';

const root = join(import.meta.dirname, '..', '..', '..');
const lessonCell = (name: string): string =>
  extractCells(readFileSync(join(root, 'lessons', 'qlora.mdx'), 'utf8')).find(
    (c) => c.name === name,
  )?.source ?? '';
const exercise = (name: string) => {
  const e = qloraExercises.find((x) => x.name === name);
  if (!e) throw new Error(`no exercise ${name}`);
  return e;
};

describe('qlora exercises: the bytes of NF4', () => {
  it('the matrix is the shipped encoder’s feed-forward matrix', () => {
    const config = JSON.parse(
      readFileSync(join(root, 'public', 'models', 'tiny-roberta', 'config.json'), 'utf8'),
    ) as { hidden_size: number; intermediate_size: number };
    expect([FFN_MATRIX.rows, FFN_MATRIX.cols]).toEqual([
      config.hidden_size,
      config.intermediate_size,
    ]);
    expect([FFN_MATRIX.rows, FFN_MATRIX.cols]).toEqual([
      ENCODER_PRESETS.tiny.hiddenSize,
      ENCODER_PRESETS.tiny.intermediateSize,
    ]);
  });

  it('the lesson’s cell has the check’s matrix and block size', () => {
    const { rows, cols, blockSize } = FFN_MATRIX;
    expect(lessonCell('nf4Bytes')).toContain(
      `const rows = ${String(rows)}, cols = ${String(cols)}, blockSize = ${String(blockSize)};`,
    );
  });

  it('the expected bytes are the closed form, the memory calculator’s bits, and do not depend on the values', () => {
    const n = FFN_MATRIX.rows * FFN_MATRIX.cols;
    const want = ffnNf4Bytes();
    expect(want).toEqual({ codes: n / 2, constants: 4 * (n / 64), total: 36_864 });
    expect((nf4BitsPerParam(FFN_MATRIX.blockSize, false) * n) / 8).toBe(want.total);
    const gaussian = quantize(new Rng(1).normalArray(n, 0.02), { kind: 'nf4', blockSize: 64 });
    expect(quantizedBytes(gaussian).total).toBe(want.total);
  });
});

describe('qlora exercises: int8 absmax there and back', () => {
  it('the reference is the core’s: within c/254 of each value, zeros for a zero block', () => {
    for (const { values } of ROUND_TRIP_BLOCKS) {
      const back = coreRoundTrip(values);
      const c = Math.max(...values.map(Math.abs));
      back.forEach((v, i) => {
        expect(Math.abs(v - (values[i] ?? 0))).toBeLessThanOrEqual(c / 254 + 1e-7);
      });
      if (c === 0) expect(back).toEqual(values.map(() => 0));
    }
    // The outlier block: its small values collapse onto a few levels.
    const outlier = ROUND_TRIP_BLOCKS[3]?.values ?? [];
    const small = coreRoundTrip(outlier).filter((_, i) => Math.abs(outlier[i] ?? 0) < 1);
    expect(new Set(small).size).toBeLessThanOrEqual(3);
  });

  it('the solution computes what the core’s quantize + dequantize read back, on random blocks of 64', async () => {
    const f = (await valueOf(exercise('int8RoundTrip').solution)) as (b: Float32Array) => number[];
    const rng = new Rng(5);
    for (let t = 0; t < 20; t++) {
      const block = rng.normalArray(64, 0.05);
      if (t === 3) block[17] = 2.5; // an outlier
      const core = dequantize(quantize(block, { kind: 'int8', blockSize: 64 }));
      const mine = f(Float32Array.from(block));
      mine.forEach((v, i) => {
        expect(v).toBeCloseTo(core[i] ?? Number.NaN, 7);
      });
    }
  });
});

describe('qlora exercises: will it fit', () => {
  const all = blockLinears(LLAMA2_13B).map((l) => l.name);
  const budget = FIT_TASK.budgetGB * 1e9;
  const total = (o: Parameters<typeof fitMemory>[0]) => {
    const m = fitMemory(o);
    if (!m.ok) throw new Error(m.why);
    return m.memory.total;
  };

  it('the model is the one the lesson’s memory chart calls Llama-2-13B', () => {
    expect(lessonCell('memory')).toContain('"Llama-2-13B": core.LLAMA2_13B');
    expect(FIT_TASK.model).toBe('Llama-2-13B');
  });

  it('a 16-bit base or full activations at 2,048 tokens never fit; QLoRA checkpointed does', () => {
    for (const r of [1, 8, 64])
      for (const targets of [['q_proj'], all]) {
        const lora = { r, targets };
        const s = { sequenceLength: FIT_TASK.minSequence, batchSize: 1 };
        expect(total({ method: 'lora', lora, ...s, activations: 'checkpointed' })).toBeGreaterThan(
          budget,
        );
        expect(total({ method: 'qlora', lora, ...s, activations: 'full' })).toBeGreaterThan(budget);
        expect(total({ method: 'qlora', lora, ...s, activations: 'checkpointed' })).toBeLessThan(
          budget,
        );
      }
  });

  it('the solution fits by the core, and the message gives the core’s numbers', async () => {
    const e = exercise('willItFit');
    const options = (await valueOf(e.solution)) as Parameters<typeof fitMemory>[0];
    expect(options.sequenceLength).toBeGreaterThanOrEqual(FIT_TASK.minSequence);
    expect(options.lora?.targets).toEqual(all);
    const bytes = total(options);
    expect(bytes).toBeLessThan(budget);
    const verdict = await e.check(options);
    expect(verdict.right, verdict.message).toBe(true);
    expect(verdict.message).toContain(`needs ${(bytes / 1e9).toFixed(1)} GB`);
    const as16 = total({ ...options, method: 'lora' });
    expect(verdict.message).toContain(`would need ${(as16 / 1e9).toFixed(1)} GB`);
  });

  it('extra options that change the accounting are refused, not used to fit', async () => {
    const v = await exercise('willItFit').check({
      method: 'lora',
      lora: { r: 8, targets: ['q_proj'] },
      sequenceLength: 2048,
      batchSize: 1,
      activations: 'checkpointed',
      weightBytes: 0.5,
    });
    expect(v.right).toBe(false);
    expect(v.message).toMatch(/Leave “weightBytes” out/);
    const none = await exercise('willItFit').check({
      method: 'qlora',
      lora: { r: 8, targets: ['q_proj'] },
      sequenceLength: 2048,
      batchSize: 1,
      activations: 'none',
    });
    expect(none.message).toMatch(/"none" leaves the activations out/);
    const empty = await exercise('willItFit').check({
      method: 'qlora',
      lora: { r: 8, targets: [] },
      sequenceLength: 2048,
      batchSize: 1,
      activations: 'checkpointed',
    });
    expect(empty.message).toMatch(/nothing trains/);
  });
});
