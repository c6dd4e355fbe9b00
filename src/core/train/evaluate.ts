/** Accuracy of a classifier on a labelled set, in batches, with one awaited read at the end. */
import * as tf from '@tensorflow/tfjs';
import { SubspaceError } from '../subspace/errors.ts';
import { SLICE_MS, slicer } from '../yield.ts';
import type { MlmBatch } from '../data/mlm.ts';
import type { EncodedRows } from '../data/tasks.ts';
import { EncoderConfigError, type Encoder } from '../models/encoder.ts';
import { mlmTensors, rowsTensors } from './batches.ts';

/**
 * Fraction of rows of `x` whose arg-max logit equals the label in `y` (int32 `[N]`).
 * @param forward logits `[n, C]` for a batch `[n, …]` (it runs inside `tf.tidy`).
 */
export async function accuracy(
  forward: (x: tf.Tensor) => tf.Tensor,
  x: tf.Tensor,
  y: tf.Tensor,
  batchSize = 1000,
): Promise<number> {
  const n = x.shape[0];
  if (n === 0) throw new SubspaceError('x.shape[0]', n, 'needs at least one example');
  if (y.shape[0] !== n) throw new SubspaceError('y.shape[0]', y.shape[0], `must equal ${n}`);
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new SubspaceError('batchSize', batchSize, 'must be a positive integer');
  const counts: tf.Tensor[] = [];
  const tick = slicer(SLICE_MS);
  try {
    for (let s = 0; s < n; s += batchSize) {
      // On WASM each batch runs at once: let a page paint between batches. The caller may free
      // the model meanwhile (a rerun cell); `forward` then throws and `finally` frees the counts.
      await tick();
      const m = Math.min(batchSize, n - s);
      counts.push(
        tf.tidy(() => {
          const xb = x.slice(s, m);
          const yb = y.slice(s, m).toInt();
          const pred = tf.argMax(forward(xb), 1).toInt();
          return tf.sum(tf.equal(pred, yb).toInt());
        }),
      );
    }
    const total = tf.addN(counts);
    const [correct = 0] = await total.data();
    total.dispose();
    return correct / n;
  } finally {
    tf.dispose(counts);
  }
}

/** Classification accuracy of `encoder` on `set`, in batches, one awaited read at the end. */
export async function encoderAccuracy(
  encoder: Encoder,
  set: EncodedRows,
  batchSize = 100,
): Promise<number> {
  const counts: tf.Tensor[] = [];
  const tick = slicer(SLICE_MS);
  try {
    for (let s = 0; s < set.n; s += batchSize) {
      await tick(); // the encoder may be freed meanwhile: then classify throws, nothing leaks
      const rows = Array.from({ length: Math.min(batchSize, set.n - s) }, (_, i) => s + i);
      const b = rowsTensors(set, rows);
      try {
        counts.push(
          tf.tidy(() => {
            const pred = tf.argMax(encoder.classify(b.ids, b.mask, { training: false }), 1).toInt();
            return tf.sum(tf.equal(pred, b.labels).toInt());
          }),
        );
      } finally {
        tf.dispose([b.ids, b.mask, b.labels]);
      }
    }
    const total = tf.addN(counts);
    const [correct = 0] = await total.data();
    total.dispose();
    return correct / set.n;
  } finally {
    tf.dispose(counts);
  }
}

/** An encoder's masked-LM score on fixed batches (see {@link mlmScore}). */
export interface MlmScore {
  /** Mean cross-entropy in nats over the masked positions. */
  readonly loss: number;
  /** Share of masked positions whose arg-max prediction is the original token. */
  readonly accuracy: number;
  /** Masked positions scored. */
  readonly positions: number;
}

/**
 * The masked-LM loss and accuracy of `encoder` on `batches` (no dropout): the pretraining skill,
 * as the pretraining scripts report it and as the low-rank lesson measures it again after
 * fine-tuning. Per-position losses are summed in float64 in JavaScript (WASM sums in float32).
 * Hands a page back between batches.
 * @throws {EncoderConfigError} naming `mlmHead` when the encoder has no MLM head.
 */
export async function mlmScore(encoder: Encoder, batches: readonly MlmBatch[]): Promise<MlmScore> {
  if (!encoder.config.mlmHead)
    throw new EncoderConfigError('mlmHead', false, 'the encoder needs its MLM head');
  let correct = 0;
  let lossSum = 0;
  let n = 0;
  const tick = slicer(SLICE_MS);
  for (const b of batches) {
    await tick(); // the encoder may be freed meanwhile: then mlmLogits throws, nothing leaks
    const t = mlmTensors(b);
    let pred: tf.Tensor;
    let nll: tf.Tensor;
    try {
      [pred, nll] = tf.tidy((): [tf.Tensor, tf.Tensor] => {
        const logits = encoder.mlmLogits(encoder.encode(t.ids, t.mask), t.positions); // [N, V]
        const logp = tf.logSoftmax(logits);
        const picked = tf.sum(tf.mul(logp, tf.oneHot(t.labels, logits.shape[1] ?? 0)), 1); // [N]
        return [tf.argMax(logits, 1), tf.neg(picked)];
      });
    } finally {
      tf.dispose([t.ids, t.mask, t.positions, t.labels]);
    }
    const p = await pred.data();
    const l = await nll.data();
    tf.dispose([pred, nll]);
    for (let i = 0; i < b.maskedLabels.length; i++) {
      if (p[i] === b.maskedLabels[i]) correct++;
      lossSum += l[i] ?? 0;
    }
    n += b.maskedLabels.length;
  }
  return { loss: lossSum / Math.max(1, n), accuracy: correct / Math.max(1, n), positions: n };
}
