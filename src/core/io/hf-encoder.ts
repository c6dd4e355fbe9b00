/**
 * Loading and saving the encoder as a Hugging Face RoBERTa checkpoint: `config.json`
 * (`RobertaConfig` keys, snake_case) and `model.safetensors` with HF names and HF's `[out, in]`
 * layout of `nn.Linear` weights (transposed to our `[dIn, dOut]` here and nowhere else). This is
 * how a lesson loads the shipped pretrained model in the browser: fetch both files, then
 * `encoderFromHf(configJson, bytes, { numLabels: 2, mlmHead: false })`.
 *
 * Entries our model does not have are reported, not fatal: `lm_head.decoder.weight`/`.bias` (tied
 * to the word embeddings and `lm_head.bias`), `roberta.pooler.*`, or a head the caller left out.
 */
import * as tf from '@tensorflow/tfjs';
import {
  Encoder,
  encoderConfig,
  type ClassifierPooling,
  type EncoderConfig,
} from '../models/encoder.ts';
import type { LoadReport } from '../models/types.ts';
import { WeightsError } from '../models/types.ts';
import { safetensorsToTensors, tensorsToSafetensors } from './safetensors.ts';

/** Reads a `RobertaConfig` (object or JSON text) into an {@link EncoderConfig}. */
export function encoderConfigFromHf(
  config: string | Readonly<Record<string, unknown>>,
  overrides: Partial<EncoderConfig> = {},
): EncoderConfig {
  let j: Record<string, unknown>;
  if (typeof config === 'string') {
    try {
      j = JSON.parse(config) as Record<string, unknown>;
    } catch (e) {
      throw new WeightsError('config.json', 'JSON', `is not valid JSON (${(e as Error).message})`);
    }
  } else {
    j = { ...config };
  }
  const num = (k: string, fallback?: number): number => {
    const v = j[k] ?? fallback;
    if (typeof v !== 'number')
      throw new WeightsError(`config.${k}`, JSON.stringify(v), 'must be a number');
    return v;
  };
  const labels = j.id2label && typeof j.id2label === 'object' ? Object.keys(j.id2label).length : 0;
  return encoderConfig('tiny', {
    vocabSize: num('vocab_size'),
    hiddenSize: num('hidden_size'),
    numHiddenLayers: num('num_hidden_layers'),
    numAttentionHeads: num('num_attention_heads'),
    intermediateSize: num('intermediate_size'),
    maxPositionEmbeddings: num('max_position_embeddings'),
    typeVocabSize: num('type_vocab_size', 1),
    layerNormEps: num('layer_norm_eps', 1e-5),
    hiddenDropoutProb: num('hidden_dropout_prob', 0.1),
    attentionDropoutProb: num('attention_probs_dropout_prob', 0.1),
    padTokenId: num('pad_token_id', 1),
    initializerRange: num('initializer_range', 0.02),
    numLabels: labels,
    mlmHead: true,
    ...(j.classifier_pooling === undefined
      ? {}
      : { classifierPooling: j.classifier_pooling as ClassifierPooling }),
    ...overrides,
  });
}

/** Our config as a `RobertaConfig` object. */
export function encoderConfigToHf(c: EncoderConfig): Record<string, unknown> {
  return {
    architectures: [c.mlmHead ? 'RobertaForMaskedLM' : 'RobertaForSequenceClassification'],
    model_type: 'roberta',
    vocab_size: c.vocabSize,
    hidden_size: c.hiddenSize,
    num_hidden_layers: c.numHiddenLayers,
    num_attention_heads: c.numAttentionHeads,
    intermediate_size: c.intermediateSize,
    hidden_act: 'gelu',
    hidden_dropout_prob: c.hiddenDropoutProb,
    attention_probs_dropout_prob: c.attentionDropoutProb,
    max_position_embeddings: c.maxPositionEmbeddings,
    type_vocab_size: c.typeVocabSize,
    initializer_range: c.initializerRange,
    layer_norm_eps: c.layerNormEps,
    pad_token_id: c.padTokenId,
    // Not a RobertaConfig field: what our classification head reads (absent: `<s>`, as RoBERTa).
    ...(c.classifierPooling === 'mean' ? { classifier_pooling: 'mean' } : {}),
    ...(c.numLabels > 0
      ? {
          id2label: Object.fromEntries(
            Array.from({ length: c.numLabels }, (_, i) => [String(i), `LABEL_${i}`]),
          ),
        }
      : {}),
  };
}

/**
 * Builds an encoder from a checkpoint. Parameters the checkpoint lacks (e.g. a new classifier) keep
 * their seeded initialisation; a shape mismatch throws {@link WeightsError} before anything is
 * assigned (and the half-built encoder is freed).
 */
export function encoderFromHf(
  config: string | Readonly<Record<string, unknown>>,
  safetensors: Uint8Array,
  opts: { seed?: number } & Partial<EncoderConfig> = {},
): { encoder: Encoder; report: LoadReport } {
  const { seed, ...overrides } = opts;
  const encoder = new Encoder(encoderConfigFromHf(config, overrides), { seed: seed ?? 0 });
  const { tensors } = safetensorsToTensors(safetensors);
  try {
    const dense = new Set([...encoder.linearModules().keys()].map((m) => `${m}.weight`));
    const ours = tf.tidy(() => {
      const out: Record<string, tf.Tensor> = {};
      for (const [name, t] of Object.entries(tensors))
        out[name] = dense.has(name) ? tf.transpose(t) : tf.clone(t);
      return out;
    });
    try {
      return { encoder, report: encoder.setWeights(ours, { strict: false }) };
    } finally {
      tf.dispose(Object.values(ours));
    }
  } catch (e) {
    encoder.dispose();
    throw e;
  } finally {
    tf.dispose(Object.values(tensors));
  }
}

/** Writes an encoder as `config.json` text and `model.safetensors` bytes (HF names and layout). */
export async function encoderToHf(
  encoder: Encoder,
  metadata: Readonly<Record<string, string>> = { format: 'pt' },
): Promise<{ configJson: string; safetensors: Uint8Array }> {
  const dense = new Set([...encoder.linearModules().keys()].map((m) => `${m}.weight`));
  const weights = encoder.getWeights();
  const hf = tf.tidy(() => {
    const out: Record<string, tf.Tensor> = {};
    for (const [name, t] of Object.entries(weights))
      out[name] = dense.has(name) ? tf.transpose(t) : tf.clone(t);
    return out;
  });
  tf.dispose(Object.values(weights));
  try {
    return {
      configJson: `${JSON.stringify(encoderConfigToHf(encoder.config), null, 2)}\n`,
      safetensors: await tensorsToSafetensors(hf, metadata),
    };
  } finally {
    tf.dispose(Object.values(hf));
  }
}
