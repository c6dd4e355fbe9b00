/**
 * The shipped pretrained encoder and the site's sentiment split, ready to fine-tune — or a
 * stand-in where there is no site (a lesson's code run as a plain script): a generated split and
 * a random micro encoder, marked `ok: false`, so the cells still run and say their numbers mean
 * nothing. The lessons that train on sentiment (intrinsic-dimension, adapter-placement) start
 * from here, as the cell `data = sentimentEncoder(site)`; the built-in loads this module (and
 * TF.js) when a cell first names it.
 *
 * The model's files come from `site.model()` (checked against its manifest) and are built by the
 * core's `pretrainedStart`, as the precompute scripts build them; a failure (a missing or damaged
 * file) is not thrown but returned as `{ok: false, why, split: null}`, with `why` naming the file,
 * so the lesson shows it in place of a result.
 */
import { parseSentimentJson, type SentimentSplit } from '../../core/data/sentiment.ts';
import { pretrainedStart } from '../../core/data/pretrained.ts';
import { standInSplit, tokenizerFromExamples } from '../../core/data/tasks.ts';
import type { WordTokenizer } from '../../core/data/tokenizer.ts';
import { Encoder, encoderConfig, type EncoderConfig } from '../../core/models/encoder.ts';
import type { EncoderSource } from '../../experiments/protocol.ts';
import type { Site } from './site.ts';
import { kitText } from './text.ts';

/** The encoder's settings for fine-tuning on sentiment: two labels, no MLM head, no dropout. */
export const SENTIMENT_OVERRIDES = {
  numLabels: 2,
  mlmHead: false,
  hiddenDropoutProb: 0,
  attentionDropoutProb: 0,
} as const satisfies Partial<EncoderConfig>;

/** The encoder and the split, loaded (`ok`) or stood in for (`ok: false`, with `why`). */
export interface SentimentStart {
  /** True for the shipped model and split; false for the stand-in (its numbers mean nothing). */
  readonly ok: boolean;
  /** Why the stand-in is used ('' when `ok`). */
  readonly why: string;
  readonly split: SentimentSplit;
  readonly tokenizer: WordTokenizer;
  /** The encoder's config (with {@link SENTIMENT_OVERRIDES} and the caller's overrides). */
  readonly config: EncoderConfig;
  /** A fresh encoder: the pretrained body with a new classifier seeded by `seed` (the caller disposes it). */
  encoder(seed: number): Encoder;
  /** The same start described for the experiment worker, which builds the encoder itself. */
  source(seed: number): EncoderSource;
}

/** Nothing to train on: the site's files could not be loaded (`why` names the file). */
export interface SentimentUnavailable {
  readonly ok: false;
  readonly why: string;
  readonly split: null;
}

/** Seeds of the stand-in's random encoders (`5000 + seed`, apart from the lessons' other seeds). */
const STAND_IN_SEED = 5000;

/** The stand-in: a generated split, a tokenizer of its words and a random micro encoder. */
export function sentimentStandIn(
  why: string,
  overrides: Partial<EncoderConfig> = {},
): SentimentStart {
  const split = standInSplit(0);
  const tokenizer = tokenizerFromExamples(split.train, 200);
  const config = encoderConfig('micro', {
    ...SENTIMENT_OVERRIDES,
    ...overrides,
    vocabSize: tokenizer.size,
  });
  return {
    ok: false,
    why,
    split,
    tokenizer,
    config,
    encoder: (seed) => new Encoder(config, { seed: STAND_IN_SEED + seed }),
    source: (seed) => ({ config, seed: STAND_IN_SEED + seed }),
  };
}

/**
 * The shipped encoder (`site.model()`) and sentiment split (`data/sentiment.json`); the stand-in
 * when `site` is not available; `{ok: false, why, split: null}` when a file fails. `overrides`
 * change {@link SENTIMENT_OVERRIDES} (e.g. `{mlmHead: true}` keeps the masked-LM head, for the
 * low-rank lesson's forgetting measure).
 */
export async function sentimentEncoder(
  site: Site,
  overrides: Partial<EncoderConfig> = {},
): Promise<SentimentStart | SentimentUnavailable> {
  const settings = { ...SENTIMENT_OVERRIDES, ...overrides };
  if (!site.available) return sentimentStandIn(kitText().sentiment.noSite, overrides);
  try {
    const [files, sentiment] = await Promise.all([site.model(), site.json('data/sentiment.json')]);
    const { tokenizer, config, encoder } = pretrainedStart(files, settings);
    return {
      ok: true,
      why: '',
      split: parseSentimentJson(sentiment),
      tokenizer,
      config,
      encoder,
      source: (seed) => ({ pretrained: files, overrides: settings, seed }),
    };
  } catch (error) {
    return { ok: false, why: error instanceof Error ? error.message : String(error), split: null };
  }
}
