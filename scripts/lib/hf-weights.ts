/**
 * Conversion between the core's in-memory layout and Hugging Face's on-disk one: dense (Linear)
 * weights are `[dIn, dOut]` in the core and `[out, in]` in HF checkpoints; everything else is
 * the same. Plus `RobertaConfig` (snake_case JSON) to the core's `EncoderConfig`.
 */
import * as tf from '@tensorflow/tfjs';
import { encoderConfig, type EncoderConfig } from '../../src/core/models/encoder.ts';

/** Whether a parameter name is a dense weight of one of the encoder's Linear modules. */
export function isDenseWeight(name: string): boolean {
  return /\.(query|key|value|dense|out_proj)\.weight$/.test(name);
}

/** Transposes dense weights (HF ⇄ core; the operation is its own inverse). Returns new tensors. */
export function transposeDense(
  record: Readonly<Record<string, tf.Tensor>>,
): Record<string, tf.Tensor> {
  const out: Record<string, tf.Tensor> = {};
  for (const [n, t] of Object.entries(record))
    out[n] = isDenseWeight(n) ? tf.transpose(t) : t.clone();
  return out;
}

/** Reads a `RobertaConfig` JSON (as written by scripts/lib/export.ts) into an `EncoderConfig`. */
export function fromHfConfig(
  j: Record<string, unknown>,
  overrides: Partial<EncoderConfig> = {},
): EncoderConfig {
  const n = (k: string): number => {
    const v = j[k];
    if (typeof v !== 'number')
      throw new Error(`config.json: ${k} must be a number, got ${JSON.stringify(v)}`);
    return v;
  };
  return encoderConfig('tiny', {
    vocabSize: n('vocab_size'),
    hiddenSize: n('hidden_size'),
    numHiddenLayers: n('num_hidden_layers'),
    numAttentionHeads: n('num_attention_heads'),
    intermediateSize: n('intermediate_size'),
    maxPositionEmbeddings: n('max_position_embeddings'),
    typeVocabSize: n('type_vocab_size'),
    layerNormEps: n('layer_norm_eps'),
    hiddenDropoutProb: n('hidden_dropout_prob'),
    attentionDropoutProb: n('attention_probs_dropout_prob'),
    padTokenId: n('pad_token_id'),
    initializerRange: n('initializer_range'),
    ...overrides,
  });
}
