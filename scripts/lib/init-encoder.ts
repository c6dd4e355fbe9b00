/**
 * The encoder's starting point before MLM: RoBERTa's seeded random init, with the word-embedding
 * rows of vocabulary words replaced by (projected, rescaled) GloVe vectors. Shared by the
 * pretraining script and the evaluation's "no MLM" arms, so both start from the same weights.
 */
import * as tf from '@tensorflow/tfjs';
import { SPECIAL_TOKENS } from '../../src/core/data/index.ts';
import { Encoder, type EncoderConfig } from '../../src/core/models/encoder.ts';
import { Rng } from '../../src/core/rng.ts';
import { gloveRows, gloveSource } from './glove.ts';

/** What {@link applyGloveInit} did, for the manifest. */
export interface GloveInitReport {
  source: string;
  wordsInitialised: number;
  vocabWords: number;
}

/** Overwrites the GloVe-covered rows of `enc`'s word embeddings (projection seeded by `seed`). */
export async function applyGloveInit(
  enc: Encoder,
  vocab: readonly string[],
  seed: number,
): Promise<GloveInitReport> {
  const c = enc.config;
  const H = c.hiddenSize;
  const r = new Rng(seed).fork('glove-projection');
  const g = gloveRows(vocab, H, c.initializerRange, () => r.normal(), SPECIAL_TOKENS.length);
  const table = enc.param('roberta.embeddings.word_embeddings.weight');
  const merged = Float32Array.from(await table.data<'float32'>());
  let n = 0;
  for (let id = 0; id < g.covered.length; id++) {
    if (g.covered[id] !== 1) continue;
    merged.set(g.rows.subarray(id * H, (id + 1) * H), id * H);
    n++;
  }
  const t = tf.tensor2d(merged, [c.vocabSize, H]);
  table.assign(t);
  t.dispose();
  return {
    source: gloveSource(),
    wordsInitialised: n,
    vocabWords: c.vocabSize - SPECIAL_TOKENS.length,
  };
}

/**
 * The pretraining runs' starting point after RoBERTa's seeded init: the MLM head's LayerNorm scale
 * set to `lmHeadGain` (1 = RoBERTa's), then GloVe rows when `glove` is on. Shared by
 * `npm run pretrain` and `npm run pretrain:torch`, so both start from the same weights.
 */
export async function applyPretrainInit(
  enc: Encoder,
  opts: { lmHeadGain: number; glove: boolean; seed: number },
  vocab: readonly string[],
): Promise<GloveInitReport | undefined> {
  if (opts.lmHeadGain !== 1) {
    const g = enc.param('lm_head.layer_norm.weight');
    const t = tf.fill(g.shape, opts.lmHeadGain);
    g.assign(t);
    t.dispose();
  }
  return opts.glove ? applyGloveInit(enc, vocab, opts.seed) : undefined;
}

/**
 * A classifier encoder whose body is the pretraining run's starting point before any MLM step:
 * RoBERTa's seeded init (`pretrainSeed`, the pretraining manifest's seed) with GloVe rows when
 * `glove` is on, and a classification head seeded by `seed` (the fine-tuning run's). This is the
 * "no masked-language modelling" start the evaluation and the intrinsic-dimension comparison
 * measure the pretrained encoder against. The caller disposes it.
 */
export async function prePretrainingStart(
  config: EncoderConfig,
  vocab: readonly string[],
  opts: { seed: number; pretrainSeed: number; glove: boolean },
): Promise<Encoder> {
  const enc = new Encoder(config, { seed: opts.seed });
  const body = new Encoder({ ...config, numLabels: 0 }, { seed: opts.pretrainSeed });
  if (opts.glove) await applyGloveInit(body, vocab, opts.pretrainSeed);
  const rec = body.getWeights();
  enc.setWeights(rec, { strict: false });
  tf.dispose(Object.values(rec));
  body.dispose();
  return enc;
}
