/**
 * What the low-rank lesson's precompute scripts share (scripts/precompute-lowrank.ts and
 * scripts/precompute-lowrank-subspace.ts): the sentiment split encoded for the shipped model (or a
 * random micro stand-in), a fresh encoder with an MLM head per seed, and the fixed masked-LM batches
 * that measure forgetting. The model folder is read and checked against its manifest as a lesson's
 * page reads it (src/cells/kit/site.ts).
 */
import { readFileSync } from 'node:fs';
import { modelFolder } from '../../src/cells/kit/site-node.ts';
import { pretrainedStart } from '../../src/core/data/pretrained.ts';
import { parseSentimentJson } from '../../src/core/data/sentiment.ts';
import { encodeSet, tokenizerFromExamples, type EncodedRows } from '../../src/core/data/tasks.ts';
import type { MlmBatch } from '../../src/core/data/mlm.ts';
import type { WordTokenizer } from '../../src/core/data/tokenizer.ts';
import { Encoder, encoderConfig, type EncoderConfig } from '../../src/core/models/encoder.ts';
import { mlmBatches } from '../../src/experiments/lowrank/index.ts';

/** The encoder, data and MLM batches of a low-rank precompute. */
export interface LowRankSetup {
  readonly tokenizer: WordTokenizer;
  readonly config: EncoderConfig;
  /** A fresh encoder (2 labels, MLM head, no dropout); `seed` seeds its new classifier. */
  readonly make: (seed: number) => Encoder;
  /** sha256 of the weights (null for the stand-in). */
  readonly modelSha256: string | null;
  readonly maxLen: number;
  readonly train: EncodedRows;
  readonly validation: EncodedRows;
  readonly test: EncodedRows;
  /** Masked-LM batches of the validation and test sentences, masking seed 0. */
  readonly mlm: MlmBatch[];
}

/**
 * Loads the split (`public/data/sentiment.json`) and the model in `modelDir`, or with `standin` a
 * random micro encoder over a tokenizer of the training sentences (its numbers mean nothing).
 */
export async function lowRankSetup(modelDir: string, standin: boolean): Promise<LowRankSetup> {
  const split = parseSentimentJson(JSON.parse(readFileSync('public/data/sentiment.json', 'utf8')));
  const overrides = { numLabels: 2, mlmHead: true, hiddenDropoutProb: 0, attentionDropoutProb: 0 };
  let tokenizer: WordTokenizer;
  let config: EncoderConfig;
  let make: (seed: number) => Encoder;
  let modelSha256: string | null = null;
  if (standin) {
    tokenizer = tokenizerFromExamples(split.train, 2000);
    const cfg = encoderConfig('micro', {
      ...overrides,
      vocabSize: tokenizer.size,
      maxPositionEmbeddings: 34,
    });
    config = cfg;
    make = (seed) => new Encoder(cfg, { seed: 5000 + seed });
  } else {
    const files = await modelFolder(modelDir);
    modelSha256 = files.sha256;
    ({ tokenizer, config, encoder: make } = pretrainedStart(files, overrides));
  }
  const maxLen = Math.min(48, config.maxPositionEmbeddings - config.padTokenId - 1);
  return {
    tokenizer,
    config,
    make,
    modelSha256,
    maxLen,
    train: encodeSet(tokenizer, split.train, 'sentiment', maxLen),
    validation: encodeSet(tokenizer, split.validation, 'sentiment', maxLen),
    test: encodeSet(tokenizer, split.test, 'sentiment', maxLen),
    mlm: mlmBatches(
      tokenizer,
      [...split.validation, ...split.test].map((e) => e.text),
      maxLen,
      0,
    ),
  };
}
