/**
 * The core's masked-LM score (src/core/train/evaluate.ts `mlmScore`), the one the pretraining
 * scripts and the low-rank lesson both report: its loss equals the encoder's own training loss
 * (`mlmLoss`, a separate code path) on each batch, several batches average by masked positions, its
 * accuracy is the share of arg-max hits counted by hand, and an encoder without a head is refused.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { makeMlmBatch, type MlmBatch } from '../../../src/core/data/mlm.ts';
import { Encoder, encoderConfig } from '../../../src/core/models/encoder.ts';
import { Rng } from '../../../src/core/rng.ts';
import { mlmTensors } from '../../../src/core/train/batches.ts';
import { mlmScore } from '../../../src/core/train/evaluate.ts';
import { checkNoLeaks } from '../helpers.ts';

const config = encoderConfig('micro', {
  mlmHead: true,
  hiddenDropoutProb: 0,
  attentionDropoutProb: 0,
});

function batches(seed: number): MlmBatch[] {
  const rng = new Rng(seed);
  const words = config.vocabSize - 5;
  const segment = (n: number): number[] => Array.from({ length: n }, () => 5 + rng.int(words));
  return [
    [segment(9), segment(4), segment(12)],
    [segment(7), segment(11)],
  ].map((segs) =>
    makeMlmBatch(segs, { maxLen: 16, vocabSize: config.vocabSize, rand: () => rng.next() }),
  );
}

/** The training loss and a hand count of arg-max hits on one batch. */
function reference(enc: Encoder, b: MlmBatch): { loss: number; hits: number } {
  const t = mlmTensors(b);
  try {
    const loss = enc.mlmLoss(t.ids, t.mask, t.positions, t.labels);
    const logits = tf.tidy(() => enc.mlmLogits(enc.encode(t.ids, t.mask), t.positions));
    const rows = logits.arraySync() as number[][];
    const value = loss.dataSync()[0] ?? Number.NaN;
    tf.dispose([loss, logits]);
    let hits = 0;
    rows.forEach((row, i) => {
      const best = row.indexOf(Math.max(...row));
      if (best === b.maskedLabels[i]) hits++;
    });
    return { loss: value, hits };
  } finally {
    tf.dispose([t.ids, t.mask, t.positions, t.labels]);
  }
}

describe('mlmScore', () => {
  checkNoLeaks();

  it('equals the training loss per batch and the position-weighted mean over batches', async () => {
    const enc = new Encoder(config, { seed: 3 });
    const bs = batches(1);
    const refs = bs.map((b) => reference(enc, b));
    for (const [i, b] of bs.entries()) {
      const one = await mlmScore(enc, [b]);
      expect(one.positions).toBe(b.maskedLabels.length);
      expect(one.loss).toBeCloseTo(refs[i]?.loss ?? Number.NaN, 4);
      expect(one.accuracy).toBe((refs[i]?.hits ?? -1) / b.maskedLabels.length);
    }
    const n = bs.reduce((a, b) => a + b.maskedLabels.length, 0);
    const all = await mlmScore(enc, bs);
    expect(all.positions).toBe(n);
    const weighted = bs.reduce(
      (a, b, i) => a + (refs[i]?.loss ?? Number.NaN) * b.maskedLabels.length,
      0,
    );
    expect(all.loss).toBeCloseTo(weighted / n, 4);
    // An untrained head over V words: the loss sits near ln V, not at 0 or far above.
    expect(Math.abs(all.loss - Math.log(config.vocabSize))).toBeLessThan(1);
    enc.dispose();
  });

  it('scores no batches as zero positions and refuses an encoder without an MLM head', async () => {
    const enc = new Encoder(config, { seed: 3 });
    expect(await mlmScore(enc, [])).toEqual({ loss: 0, accuracy: 0, positions: 0 });
    enc.dispose();
    const headless = new Encoder({ ...config, mlmHead: false }, { seed: 0 });
    await expect(mlmScore(headless, batches(2))).rejects.toThrow(/mlmHead/);
    headless.dispose();
  });
});
