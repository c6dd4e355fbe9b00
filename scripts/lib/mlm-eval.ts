/** Masked-token accuracy and loss of an encoder on fixed MLM batches. */
import * as tf from '@tensorflow/tfjs';
import type { MlmBatch } from '../../src/core/data/index.ts';
import type { Encoder } from '../../src/core/models/encoder.ts';

/** Result on one group of batches. */
export interface MlmScore {
  /** Fraction of masked positions whose arg-max prediction is the original token. */
  accuracy: number;
  /** Mean cross-entropy (nats) over the masked positions. */
  loss: number;
  /** Number of masked positions scored. */
  positions: number;
}

/** Scores `enc` on `batches` (no dropout). */
export async function scoreMlm(enc: Encoder, batches: readonly MlmBatch[]): Promise<MlmScore> {
  let correct = 0;
  let lossSum = 0;
  let n = 0;
  for (const b of batches) {
    const [pred, nll] = tf.tidy((): [tf.Tensor, tf.Tensor] => {
      const ids = tf.tensor2d(b.inputIds, [b.batch, b.maxLen], 'int32');
      const mask = tf.tensor2d(b.attentionMask, [b.batch, b.maxLen], 'int32');
      const pos = tf.tensor1d(b.maskedPositions, 'int32');
      const labels = tf.tensor1d(b.maskedLabels, 'int32');
      const logits = enc.mlmLogits(enc.encode(ids, mask), pos); // [N, V]
      const logp = tf.logSoftmax(logits);
      const picked = tf.sum(tf.mul(logp, tf.oneHot(labels, logits.shape[1] ?? 0)), 1); // [N]
      return [tf.argMax(logits, 1), tf.neg(picked)];
    });
    const p = await pred.data();
    const l = await nll.data();
    tf.dispose([pred, nll]);
    for (let i = 0; i < b.maskedLabels.length; i++) {
      if (p[i] === b.maskedLabels[i]) correct++;
      lossSum += l[i] ?? 0;
    }
    n += b.maskedLabels.length;
  }
  return { accuracy: correct / Math.max(1, n), loss: lossSum / Math.max(1, n), positions: n };
}

/** Scores every group; also the position-weighted overall figure under key `all`. */
export async function scoreGroups(
  enc: Encoder,
  groups: ReadonlyMap<string, readonly MlmBatch[]>,
): Promise<Record<string, MlmScore>> {
  const out: Record<string, MlmScore> = {};
  let c = 0;
  let l = 0;
  let n = 0;
  for (const [name, batches] of groups) {
    const s = await scoreMlm(enc, batches);
    out[name] = s;
    if (name !== 'uci-validation') {
      c += s.accuracy * s.positions;
      l += s.loss * s.positions;
      n += s.positions;
    }
  }
  out['held-out'] = { accuracy: c / Math.max(1, n), loss: l / Math.max(1, n), positions: n };
  return out;
}
