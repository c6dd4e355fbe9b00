import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Adam, OptimizerError } from '../../../src/core/train/adam.ts';
import { ScheduleError, warmupDecay } from '../../../src/core/train/schedule.ts';
import { trainLoop } from '../../../src/core/train/loop.ts';
import { checkNoLeaks, expectBitIdentical, must } from '../helpers.ts';

describe('Adam', () => {
  checkNoLeaks();

  it('first step moves each weight by lr·g/(|g|+ε) (closed form with bias correction)', () => {
    const w = tf.tidy(() => tf.variable(tf.tensor1d([1, -2, 3])));
    const opt = new Adam({ learningRate: 0.1 });
    // loss = Σ c·w ⇒ g = c
    const c = tf.tensor1d([0.5, -4, 0]);
    const loss = opt.step(() => tf.sum(tf.mul(w, c)), [w]);
    const got = Array.from(w.dataSync());
    const want = [1 - (0.1 * 0.5) / (0.5 + 1e-8), -2 + (0.1 * 4) / (4 + 1e-8), 3];
    got.forEach((g, i) => {
      expect(g).toBeCloseTo(want[i] ?? 0, 6);
    });
    // second step, same gradient: m̂ = g, v̂ = g² again ⇒ the same move.
    const loss2 = opt.step(() => tf.sum(tf.mul(w, c)), [w]);
    expect(w.dataSync()[0]).toBeCloseTo(1 - 2 * 0.1, 5);
    tf.dispose([loss, loss2, c]);
    opt.dispose();
    w.dispose();
  });

  it('frozen variables get no gradient, no state and stay bit-identical', () => {
    const frozen = tf.tidy(() => tf.variable(tf.tensor1d([1, 2]), false));
    const live = tf.tidy(() => tf.variable(tf.tensor1d([3, 4])));
    const snapshot = frozen.clone();
    const opt = new Adam({ learningRate: 0.1, weightDecay: 0.1, clipNorm: 1 });
    for (let i = 0; i < 3; i++) {
      const l = opt.step(() => tf.sum(tf.mul(frozen, live)), [frozen, live]);
      l.dispose();
    }
    expectBitIdentical(frozen, snapshot);
    expect(opt.stateSize).toBe(1);
    // State of a variable disposed since (e.g. a deleted adapter) is freed at the next step.
    const gone = tf.tidy(() => tf.variable(tf.tensor1d([1])));
    opt.step(() => tf.sum(tf.mul(gone, live)), [gone, live]).dispose();
    expect(opt.stateSize).toBe(2);
    gone.dispose();
    opt.step(() => tf.sum(live), [live]).dispose();
    expect(opt.stateSize).toBe(1);
    expect(live.dataSync()[0]).not.toBe(3);
    expect(() => opt.step(() => tf.sum(frozen), [frozen])).toThrow(OptimizerError);
    opt.dispose();
    tf.dispose([frozen, live, snapshot]);
  });

  it('clipNorm rescales the gradient to the given global norm (seen through a large ε)', () => {
    // One step moves by lr·ĝ/(|ĝ|+ε); with ε = 1 the move depends on the gradient's scale, so the
    // clipped gradient [0.6, 0.8] (|g| = 5 clipped to 1) gives lr·[0.6/1.6, 0.8/1.8].
    const w = tf.tidy(() => tf.variable(tf.tensor1d([0, 0])));
    const c = tf.tensor1d([3, 4]);
    const clipped = new Adam({ learningRate: 0.1, epsilon: 1, clipNorm: 1 });
    clipped.step(() => tf.sum(tf.mul(w, c)), [w]).dispose();
    const [a, b] = Array.from(w.dataSync());
    expect(a).toBeCloseTo((-0.1 * 0.6) / 1.6, 6);
    expect(b).toBeCloseTo((-0.1 * 0.8) / 1.8, 6);
    tf.tidy(() => {
      w.assign(tf.zeros([2]));
    });
    const free = new Adam({ learningRate: 0.1, epsilon: 1 });
    free.step(() => tf.sum(tf.mul(w, c)), [w]).dispose();
    expect(w.dataSync()[0]).toBeCloseTo((-0.1 * 3) / 4, 6);
    clipped.dispose();
    free.dispose();
    tf.dispose([w, c]);
  });

  it('rejects bad options with the field name', () => {
    expect(() => new Adam({ learningRate: -1 })).toThrow(/learningRate = -1/);
    expect(() => new Adam({ learningRate: 1, beta1: 1 })).toThrow(/beta1 = 1/);
    expect(() => new Adam({ learningRate: 1, clipNorm: 0 })).toThrow(/clipNorm = 0/);
  });
});

describe('schedules', () => {
  it('linear warm-up then linear or cosine decay, hitting the closed-form values', () => {
    const lin = warmupDecay({ peak: 1, warmupSteps: 10, totalSteps: 110 });
    expect(lin(0)).toBeCloseTo(0.1);
    expect(lin(9)).toBeCloseTo(1);
    expect(lin(10)).toBeCloseTo(1);
    expect(lin(60)).toBeCloseTo(0.5);
    expect(lin(110)).toBeCloseTo(0);
    expect(lin(500)).toBeCloseTo(0);
    const cos = warmupDecay({
      peak: 2,
      warmupSteps: 0,
      totalSteps: 100,
      decay: 'cosine',
      minRatio: 0.1,
    });
    expect(cos(0)).toBeCloseTo(2);
    expect(cos(50)).toBeCloseTo(2 * (0.1 + 0.9 * 0.5));
    expect(cos(100)).toBeCloseTo(0.2);
    expect(() => warmupDecay({ peak: 1, totalSteps: 0 })).toThrow(ScheduleError);
    expect(() => warmupDecay({ peak: 1, totalSteps: 5, warmupSteps: 6 })).toThrow(
      /warmupSteps = 6/,
    );
  });
});

describe('trainLoop', () => {
  checkNoLeaks();

  it('yields steps, drives a quadratic to its minimum, uses the schedule, and stops on break/abort', async () => {
    const w = tf.tidy(() => tf.variable(tf.scalar(5)));
    const opt = new Adam({
      learningRate: warmupDecay({ peak: 0.5, totalSteps: 200, decay: 'constant' }),
    });
    const seen: number[] = [];
    const ctrl = new AbortController();
    for await (const s of trainLoop({
      optimizer: opt,
      variables: [w],
      loss: () => tf.square(tf.sub(w, 2)),
      steps: 200,
      signal: ctrl.signal,
    })) {
      seen.push(s.loss);
      expect(s.learningRate).toBe(0.5);
      if (s.step === 149) ctrl.abort();
    }
    expect(seen.length).toBe(150);
    expect(seen[0]).toBeCloseTo(9);
    expect(Math.abs(must(w.dataSync()[0]) - 2)).toBeLessThan(0.1);
    let n = 0;
    for await (const _ of trainLoop({ optimizer: opt, variables: [w], loss: () => tf.square(w) })) {
      if (++n === 3) break;
    }
    expect(opt.iterations).toBe(153);
    opt.dispose();
    w.dispose();
  });
});
