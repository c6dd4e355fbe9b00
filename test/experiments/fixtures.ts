/** Small data the experiments' tests share. */
import type { EncodedRows } from '../../src/core/data/tasks.ts';
import { Rng } from '../../src/core/rng.ts';

/**
 * `n` rows of `T` tokens whose label decides which half of a small vocabulary they use (ids 5–24
 * for label 0, 25–44 for label 1): a task a micro encoder learns in a few steps.
 */
export function separableRows(seed: number, n: number, T: number): EncodedRows {
  const rng = new Rng(seed);
  const ids = new Int32Array(n * T);
  const mask = new Int32Array(n * T).fill(1);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = rng.int(2);
    for (let t = 0; t < T; t++) ids[i * T + t] = 5 + (labels[i] ?? 0) * 20 + rng.int(20);
  }
  return { n, maxLen: T, ids, mask, labels };
}
