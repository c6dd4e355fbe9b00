/**
 * The session's evaluation on a task's validation set: predicted classes (in batches, stoppable
 * between them) and logits (one pass, for exact comparisons).
 */
import * as tf from '@tensorflow/tfjs';
import { batchRows, type EncodedSet } from '../../core/data/tasks.ts';
import type { Encoder } from '../../core/models/encoder.ts';
import { macrotask } from './util.ts';

/** Predicted classes (argmax of the first `k` logits) of `set`; null when `signal` aborts. */
export async function predictClasses(
  model: Encoder,
  set: EncodedSet,
  k: number,
  batch: number,
  signal?: AbortSignal,
): Promise<Int32Array | null> {
  const out = new Int32Array(set.n);
  for (let start = 0; start < set.n; start += batch) {
    if (signal?.aborted) return null;
    const rows = Array.from({ length: Math.min(batch, set.n - start) }, (_, i) => start + i);
    const b = batchRows(set, rows);
    const pred = tf.tidy(() => {
      const ids = tf.tensor2d(b.ids, [rows.length, set.maxLen], 'int32');
      const mask = tf.tensor2d(b.mask, [rows.length, set.maxLen], 'int32');
      const logits = model.classify(ids, mask, { training: false });
      return tf.argMax(tf.slice(logits, [0, 0], [rows.length, k]), 1);
    });
    out.set(await pred.data(), start);
    pred.dispose();
    if (signal) await macrotask(); // a "stop" may arrive between batches
  }
  return out;
}

/** Logits `[n, k]` of `set` (flat, row-major). */
export async function validationLogits(
  model: Encoder,
  set: EncodedSet,
  k: number,
): Promise<Float32Array> {
  const t = tf.tidy(() => {
    const ids = tf.tensor2d(set.ids, [set.n, set.maxLen], 'int32');
    const mask = tf.tensor2d(set.mask, [set.n, set.maxLen], 'int32');
    return tf.slice(model.classify(ids, mask, { training: false }), [0, 0], [set.n, k]);
  });
  const data = (await t.data()) as Float32Array;
  t.dispose();
  return data;
}
