import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Adam } from '../../src/core/train/adam.ts';
import { trainLoop } from '../../src/core/train/loop.ts';
import { accuracy } from '../../src/core/train/evaluate.ts';
import { slicer } from '../../src/core/yield.ts';
import { checkNoLeaks, useBackend } from './helpers.ts';

checkNoLeaks();

/** Spins for `ms` milliseconds: a stand-in for a step's synchronous compute. */
function spin(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    /* busy */
  }
}

/** Counts how many timer tasks ran while `work` was in progress (0: it never left the microtask queue). */
async function tasksDuring(work: () => Promise<void>): Promise<number> {
  let ran = 0;
  const timer = setInterval(() => {
    ran++;
  }, 0);
  try {
    await work();
    return ran;
  } finally {
    clearInterval(timer);
  }
}

describe('slicer', () => {
  it('names a bad budget', () => {
    expect(() => slicer(0)).toThrow('slicer: budgetMs must be > 0, got 0');
    expect(() => slicer(Number.NaN)).toThrow(/got NaN/);
  });

  it('stays in the microtask queue inside its budget and yields a task once it is spent', async () => {
    const quick = slicer(10_000);
    expect(
      await tasksDuring(async () => {
        for (let i = 0; i < 20; i++) await quick();
      }),
    ).toBe(0);
    const tick = slicer(5);
    expect(
      await tasksDuring(async () => {
        for (let i = 0; i < 10; i++) {
          spin(3);
          await tick();
        }
      }),
    ).toBeGreaterThanOrEqual(3);
  });
});

describe("the core's training loop on a synchronous backend", () => {
  it('lets timers run between steps (a page can paint while it trains)', async () => {
    await useBackend('cpu');
    const w = tf.tidy(() => tf.variable(tf.scalar(1)));
    const opt = new Adam({ learningRate: 0.01 });
    const steps = 12;
    let done = 0;
    const ran = await tasksDuring(async () => {
      for await (const _ of trainLoop({
        optimizer: opt,
        variables: [w],
        steps,
        loss: () => {
          spin(10); // 12 steps × 10 ms: over the 30 ms slice several times
          return tf.square(w);
        },
      }))
        done++;
    });
    expect(done).toBe(steps);
    // Without slicing every awaited read resolves as a microtask and no timer runs until the end.
    expect(ran).toBeGreaterThanOrEqual(2);
    opt.dispose();
    w.dispose();
  });
});

describe('a batched evaluation that fails part-way (its model freed while it yielded)', () => {
  it('rejects with the cause and frees the counts it had made', async () => {
    await useBackend('cpu');
    const x = tf.zeros([30, 2]);
    const y = tf.zeros([30], 'int32');
    let calls = 0;
    const forward = (xb: tf.Tensor): tf.Tensor => {
      calls++;
      if (calls === 2) throw new Error('model freed');
      return tf.zeros([xb.shape[0], 3]);
    };
    await expect(accuracy(forward, x, y, 10)).rejects.toThrow('model freed');
    expect(calls).toBe(2);
    tf.dispose([x, y]); // checkNoLeaks: the first batch's count was freed too
  });
});
