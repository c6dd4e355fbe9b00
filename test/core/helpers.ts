/**
 * Shared test helpers: run a suite per backend (like tfjs's `describeWithFlags`) and check that no
 * test leaks tensors.
 *
 * Tolerances: cpu and wasm both compute in float32; comparisons between a hand-written gradient and
 * `tf.grads` of the naive form differ only by summation order, so we use 1e-4 relative (+1e-5
 * absolute) — float32 has ~7 significant digits and our sums run over at most a few hundred terms.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterEach, beforeEach, expect } from 'vitest';

/** Backends available in Node for the numerics suite. */
export const NODE_BACKENDS = ['cpu', 'wasm'] as const;

/** Switches to `name` (awaiting initialisation). */
export async function useBackend(name: string): Promise<void> {
  await tf.setBackend(name);
  await tf.ready();
}

/** Registers hooks asserting that `tf.memory().numTensors` does not grow across each test. */
export function checkNoLeaks(): void {
  let before = 0;
  beforeEach(async () => {
    await tf.ready();
    before = tf.memory().numTensors;
  });
  afterEach(() => {
    expect(tf.memory().numTensors, 'tensors leaked by this test').toBe(before);
  });
}

/** Max |a − b| / (|b| + atol)-style closeness check on two tensors, read synchronously (tests only). */
export function expectClose(a: tf.Tensor, b: tf.Tensor, rtol = 1e-4, atol = 1e-5): void {
  expect(a.shape).toEqual(b.shape);
  const x = a.dataSync();
  const y = b.dataSync();
  let worst = 0;
  for (let i = 0; i < x.length; i++) {
    const err = Math.abs(must(x[i]) - must(y[i])) - rtol * Math.abs(must(y[i]));
    worst = Math.max(worst, err);
  }
  expect(worst).toBeLessThanOrEqual(atol);
}

/** Exact equality of the bits of two float32 tensors. */
export function expectBitIdentical(a: tf.Tensor, b: tf.Tensor): void {
  expect(a.shape).toEqual(b.shape);
  const x = new Uint32Array(new Float32Array(a.dataSync()).buffer);
  const y = new Uint32Array(new Float32Array(b.dataSync()).buffer);
  expect(Buffer.from(x.buffer).equals(Buffer.from(y.buffer))).toBe(true);
}

/** Returns `x`, failing the test if it is undefined or null (instead of a `!` assertion). */
export function must<T>(x: T | undefined | null): T {
  if (x === undefined || x === null) throw new Error('unexpected undefined/null in a test');
  return x;
}
