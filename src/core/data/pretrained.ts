/**
 * Loading the shipped pretrained encoder (`public/models/<name>/`): `config.json` (Hugging Face
 * `RobertaConfig` keys), `tokenizer.json` and `model.safetensors` (Hugging Face names and layout:
 * dense weights `[out, in]`). Pure functions over already-fetched contents, so the same code runs in
 * Node (read from disk) and in the browser (fetched from the site).
 */
import * as tf from '@tensorflow/tfjs';
import { safetensorsToTensors } from '../io/safetensors.ts';
import { encoderConfigFromHf } from '../io/hf-encoder.ts';
import { Encoder, type EncoderConfig } from '../models/encoder.ts';
import { WeightsError, type LoadReport } from '../models/types.ts';
import { DataError } from './errors.ts';
import { WordTokenizer } from './tokenizer.ts';

/** Whether a parameter is the weight of a dense (Linear) module, stored transposed on disk. */
export function isDenseWeight(name: string): boolean {
  return /\.(query|key|value|dense|out_proj)\.weight$/.test(name);
}

/**
 * Transposes the dense weights of a record (Hugging Face `[out, in]` ⇄ the core's `[in, out]`; the
 * operation is its own inverse). Returns new tensors; the caller disposes both records.
 */
export function transposeDense(
  record: Readonly<Record<string, tf.Tensor>>,
): Record<string, tf.Tensor> {
  const out: Record<string, tf.Tensor> = {};
  for (const [n, t] of Object.entries(record))
    out[n] = isDenseWeight(n) ? tf.transpose(t) : t.clone();
  return out;
}

/**
 * Reads a `RobertaConfig` JSON object into an {@link EncoderConfig} (then applies `overrides`): the
 * core's {@link encoderConfigFromHf} (one reader for every caller), without the MLM head unless
 * `overrides` keep it, and with its errors as {@link DataError}s naming the field and the value.
 */
export function fromHfConfig(json: unknown, overrides: Partial<EncoderConfig> = {}): EncoderConfig {
  if (json === null || typeof json !== 'object' || Array.isArray(json))
    throw new DataError('config.json', `must be a JSON object, got ${JSON.stringify(json)}`);
  try {
    return encoderConfigFromHf(json as Record<string, unknown>, { mlmHead: false, ...overrides });
  } catch (e) {
    if (e instanceof WeightsError)
      throw new DataError(e.field, `${e.reason}, got ${String(e.value)}`);
    throw e;
  }
}

/** The three files' contents. */
export interface PretrainedFiles {
  /** Parsed `config.json`. */
  config: unknown;
  /** Parsed `tokenizer.json`. */
  tokenizer: unknown;
  /** Bytes of `model.safetensors`. */
  weights: Uint8Array;
}

/** A loaded pretrained encoder and its tokenizer. */
export interface Pretrained {
  encoder: Encoder;
  tokenizer: WordTokenizer;
  /** What was loaded; `missing` lists the parameters left at their seeded init (e.g. a new classifier). */
  report: LoadReport;
}

/**
 * Builds an encoder from the shipped files. `overrides` set the task, e.g. `{ numLabels: 2 }` for a
 * new (seeded, randomly initialised) classification head, or `{ mlmHead: true }` to keep the MLM
 * head; `seed` seeds whatever the file does not hold. Throws {@link DataError} if the file lacks a
 * body parameter or the tokenizer does not match the config.
 */
export function loadPretrained(
  files: PretrainedFiles,
  overrides: Partial<EncoderConfig> = {},
  seed = 0,
): Pretrained {
  const config = fromHfConfig(files.config, { numLabels: 0, ...overrides });
  const tokenizer = WordTokenizer.fromJSON(files.tokenizer);
  if (tokenizer.size !== config.vocabSize) {
    throw new DataError(
      'tokenizer.vocab',
      `has ${tokenizer.size} tokens but config.vocab_size is ${config.vocabSize}`,
    );
  }
  const encoder = new Encoder(config, { seed });
  const { tensors } = safetensorsToTensors(files.weights);
  const core = transposeDense(tensors);
  try {
    const report = encoder.setWeights(core, { strict: false });
    const body = report.missing.filter(
      (n) => !n.startsWith('classifier.') && !n.startsWith('lm_head.'),
    );
    if (body.length > 0) throw new DataError('model.safetensors', `lacks ${body.join(', ')}`);
    return { encoder, tokenizer, report };
  } catch (e) {
    encoder.dispose();
    throw e;
  } finally {
    tf.dispose([...Object.values(tensors), ...Object.values(core)]);
  }
}

/** A pretrained encoder to fine-tune many times: its tokenizer and config, and a fresh copy per seed. */
export interface PretrainedStart {
  readonly tokenizer: WordTokenizer;
  /** The encoder's config (with the overrides). */
  readonly config: EncoderConfig;
  /** A fresh {@link loadPretrained} encoder whose new parts (a classifier) `seed` seeds; the caller disposes it. */
  readonly encoder: (seed: number) => Encoder;
}

/**
 * The shipped files as the start of many fine-tuning runs (a lesson's live runs, a precompute
 * script's grid): the tokenizer and config read once, checked by loading the encoder once.
 * @throws {DataError} as {@link loadPretrained}.
 */
export function pretrainedStart(
  files: PretrainedFiles,
  overrides: Partial<EncoderConfig> = {},
): PretrainedStart {
  const probe = loadPretrained(files, overrides, 0);
  probe.encoder.dispose();
  return {
    tokenizer: probe.tokenizer,
    config: probe.encoder.config,
    encoder: (seed) => loadPretrained(files, overrides, seed).encoder,
  };
}
