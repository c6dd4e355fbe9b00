/**
 * Batches for training: which rows each step sees, and the tensors of those rows. Every training
 * run in the site — lessons' experiments, the training worker, the precompute scripts — draws its
 * batches here, so the same seed gives the same batches everywhere.
 */
import * as tf from '@tensorflow/tfjs';
import { batchRows, type EncodedRows } from '../data/tasks.ts';

/** The tensors of a batch of encoded rows: ids and mask `[B, T]`, labels `[B]` (all int32). */
export interface RowsBatch {
  readonly ids: tf.Tensor2D;
  readonly mask: tf.Tensor2D;
  readonly labels: tf.Tensor1D;
}

/** Rows `rows` of `set` as tensors (the caller disposes them, e.g. with {@link disposeBatch}). */
export function rowsTensors(set: EncodedRows, rows: readonly number[]): RowsBatch {
  const T = set.maxLen;
  const b = batchRows(set, rows);
  return {
    ids: tf.tensor2d(b.ids, [rows.length, T], 'int32'), // [B, T]
    mask: tf.tensor2d(b.mask, [rows.length, T], 'int32'), // [B, T]
    labels: tf.tensor1d(b.labels, 'int32'), // [B]
  };
}

/** Frees a batch's tensors. */
export function disposeBatch(b: RowsBatch): void {
  tf.dispose([b.ids, b.mask, b.labels]);
}
