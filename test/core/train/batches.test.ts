/**
 * The one batcher (src/core/train/batches.ts) and the one loop (src/core/train/loop.ts): which
 * rows each step sees in each epoch mode, batches cut to their longest row, and the loop's order
 * of pause, step, clean-up and stop.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { makeMlmBatch } from '../../../src/core/data/mlm.ts';
import { tailMean } from '../../../src/core/stats.ts';
import {
  BatchOrder,
  disposeBatch,
  mlmTensors,
  rowsTensors,
  StepBatch,
} from '../../../src/core/train/batches.ts';
import { runSteps } from '../../../src/core/train/loop.ts';
import { Rng } from '../../../src/core/rng.ts';
import { checkNoLeaks, useBackend } from '../helpers.ts';

const sorted = (xs: readonly number[]): number[] => [...xs].sort((a, b) => a - b);

describe('BatchOrder', () => {
  it('whole batches: each epoch is a permutation cut into whole batches, the remainder skipped', () => {
    const b = new BatchOrder({ n: 10, batchSize: 4, rng: new Rng(1) });
    const epoch1 = [b.next(), b.next()];
    const epoch2 = [b.next(), b.next()];
    for (const e of [epoch1, epoch2]) {
      const rows = e.flat();
      expect(rows).toHaveLength(8);
      expect(new Set(rows).size).toBe(8); // no row twice within an epoch
      expect(rows.every((r) => r >= 0 && r < 10)).toBe(true);
    }
    expect(epoch2.flat()).not.toEqual(epoch1.flat()); // reshuffled
    // the second epoch reshuffles the first epoch's order in place: replay it by hand
    const rng = new Rng(1);
    const order = Array.from({ length: 10 }, (_, i) => i);
    rng.shuffle(order);
    expect(epoch1.flat()).toEqual(order.slice(0, 8));
    rng.shuffle(order);
    expect(epoch2.flat()).toEqual(order.slice(0, 8));
  });

  it('stream: batches run across epochs, every row once per epoch', () => {
    const b = new BatchOrder({ n: 5, batchSize: 3, rng: new Rng(2), epochs: 'stream' });
    const rows = [b.next(), b.next(), b.next(), b.next()].flat(); // 12 rows: 2 epochs + 2
    expect(sorted(rows.slice(0, 5))).toEqual([0, 1, 2, 3, 4]);
    expect(sorted(rows.slice(5, 10))).toEqual([0, 1, 2, 3, 4]);
    const rng = new Rng(2);
    const e1 = rng.shuffle([0, 1, 2, 3, 4]);
    const e2 = rng.shuffle([0, 1, 2, 3, 4]);
    expect(rows.slice(0, 10)).toEqual([...e1, ...e2]);
  });

  it('the same seed gives the same batches; a bad batch size is refused', () => {
    const take = (seed: number) => {
      const b = new BatchOrder({ n: 7, batchSize: 2, rng: new Rng(seed) });
      return Array.from({ length: 6 }, () => b.next());
    };
    expect(take(3)).toEqual(take(3));
    expect(take(3)).not.toEqual(take(4));
    expect(() => new BatchOrder({ n: 3, batchSize: 4, rng: new Rng(0) })).toThrow(/batchSize/);
    expect(() => new BatchOrder({ n: 3, batchSize: 0, rng: new Rng(0) })).toThrow(/batchSize/);
  });
});

describe('rowsTensors (cpu)', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });
  checkNoLeaks();

  it('builds the rows’ tensors, or cuts them to the batch’s longest row', async () => {
    // 3 rows of 5 tokens; row lengths 2, 4, 3 (then padding: id 1, mask 0)
    const lens = [2, 4, 3];
    const ids = new Int32Array(15);
    const mask = new Int32Array(15);
    lens.forEach((len, r) => {
      for (let t = 0; t < 5; t++) {
        ids[r * 5 + t] = t < len ? 10 * (r + 1) + t : 1;
        mask[r * 5 + t] = t < len ? 1 : 0;
      }
    });
    const set = { n: 3, maxLen: 5, ids, mask, labels: Int32Array.from([0, 1, 0]) };
    const full = rowsTensors(set, [2, 0]);
    expect(full.ids.shape).toEqual([2, 5]);
    expect(Array.from(await full.labels.data())).toEqual([0, 0]);
    disposeBatch(full);
    const cut = rowsTensors(set, [2, 0], { trimPadding: true });
    expect(cut.ids.shape).toEqual([2, 3]); // the longer of rows 2 (3) and 0 (2)
    expect(Array.from(await cut.ids.data())).toEqual([30, 31, 32, 10, 11, 1]);
    expect(Array.from(await cut.mask.data())).toEqual([1, 1, 1, 1, 1, 0]);
    disposeBatch(cut);
  });
});

describe('runSteps', () => {
  it('pauses before each step, cleans up after each, and ends on steps, abort or a stopped step', async () => {
    const log: string[] = [];
    const run = async (o: { steps?: number; stopAt?: number; abortAt?: number }) => {
      log.length = 0;
      const ctrl = new AbortController();
      const losses: number[] = [];
      for await (const s of runSteps({
        ...(o.steps === undefined ? {} : { steps: o.steps }),
        signal: ctrl.signal,
        pause: () => {
          log.push('pause');
          return Promise.resolve();
        },
        learningRate: (step) => step / 10,
        beforeStep: (step) => {
          log.push(`before ${step}`);
          if (step === o.abortAt) ctrl.abort();
        },
        takeStep: (step) => {
          log.push(`step ${step}`);
          return step === o.stopAt ? { loss: Number.NaN, stop: true } : { loss: 1 / (step + 1) };
        },
        afterStep: (step) => log.push(`after ${step}`),
      })) {
        expect(s.learningRate).toBe(s.step / 10);
        losses.push(s.loss);
      }
      return losses;
    };
    expect(await run({ steps: 2 })).toEqual([1, 0.5]);
    expect(log).toEqual([
      'pause',
      'before 0',
      'step 0',
      'after 0',
      'pause',
      'before 1',
      'step 1',
      'after 1',
    ]);
    // a step that reports stop is cleaned up and not yielded
    expect(await run({ steps: 5, stopAt: 1 })).toEqual([1]);
    expect(log.slice(-2)).toEqual(['step 1', 'after 1']);
    // aborted during step 1: it finishes, and the loop ends before step 2
    expect(await run({ abortAt: 1 })).toEqual([1, 0.5]);
    expect(log.at(-1)).toBe('pause');
  });
});

describe('StepBatch', () => {
  it('holds the step’s batch from load to drop, frees each once, and refuses a read outside a step', async () => {
    const log: string[] = [];
    const feed = new StepBatch(
      (step) => {
        log.push(`make ${step}`);
        return { step };
      },
      (b) => log.push(`free ${b.step}`),
    );
    expect(() => feed.current()).toThrow(/no batch loaded/);
    const seen: number[] = [];
    for await (const _ of runSteps({
      steps: 2,
      beforeStep: feed.load,
      afterStep: feed.drop,
      takeStep: () => {
        seen.push(feed.current().step);
        return { loss: 0 };
      },
    }));
    expect(seen).toEqual([0, 1]);
    expect(log).toEqual(['make 0', 'free 0', 'make 1', 'free 1']);
    feed.drop(); // a final clean-up after the loop frees nothing twice
    feed.load(5);
    feed.load(6); // a batch left over is freed first
    expect(log.slice(-3)).toEqual(['make 5', 'free 5', 'make 6']);
    feed.drop();
  });
});

describe('mlmTensors (cpu)', () => {
  it('gives the batch’s ids and mask [B, T] and its masked positions and labels [N]', async () => {
    const r = new Rng(1);
    const b = makeMlmBatch(
      [
        [7, 8, 9],
        [10, 11],
      ],
      { maxLen: 6, vocabSize: 20, rand: () => r.next() },
    );
    const t = mlmTensors(b);
    expect(t.ids.shape).toEqual([2, 6]);
    expect(t.mask.shape).toEqual([2, 6]);
    expect(t.positions.shape).toEqual([b.maskedPositions.length]);
    expect([...(await t.labels.data())]).toEqual([...b.maskedLabels]);
    expect([...(await t.mask.data())]).toEqual([...b.attentionMask]);
    expect(t.ids.dtype).toBe('int32');
    tf.dispose(Object.values(t));
  });
});

describe('tailMean', () => {
  it('is the mean of the last tenth (at least one value), NaN for none', () => {
    expect(tailMean([9, 9, 9, 9, 9, 9, 9, 9, 9, 1])).toBe(1);
    expect(tailMean([4, 2])).toBe(2);
    expect(tailMean(Array.from({ length: 20 }, (_, i) => i))).toBe(18.5);
    expect(tailMean([1, 2, 3, 4], 0.5)).toBe(3.5);
    expect(tailMean([])).toBeNaN();
  });
});
