/**
 * A small RoBERTa-style Transformer encoder, readable in one sitting.
 *
 * Sources: Vaswani et al. 2017 ("Attention Is All You Need", post-LN Transformer); Devlin et al.
 * 2019 (BERT: embeddings + LayerNorm, masked-language-model head); Liu et al. 2019 (RoBERTa: no
 * next-sentence task, one token type, positions offset past the padding id); Hugging Face
 * `transformers/models/roberta/modeling_roberta.py`, whose parameter and module names we use
 * verbatim so that `targetModules: ['query', 'value']` reads like PEFT. Style after Karpathy's
 * nanoGPT `model.py`.
 *
 * API:
 *   const enc = new Encoder(encoderConfig('tiny', { vocabSize }), { seed: 0 });
 *   // or, from a Hugging Face-layout checkpoint: encoderFromHf(configJson, bytes) (io/hf-encoder.ts)
 *   const h = enc.encode(ids, mask, { training, rng });   // [B, T, H]
 *   const logits = enc.classify(ids, mask, opts);        // [B, numLabels]
 *   const mlm = enc.mlmLogits(h, positions);              // [N, vocab] at N flat positions
 *   enc.mlmLoss(ids, mask, positions, labels, opts)       // scalar, mean over the N positions
 *   enc.namedParameters(), enc.linearModules(), enc.getWeights(), enc.setWeights(rec), enc.dispose()
 *
 * Orientation: every dense weight is `[dIn, dOut]` (`y = x·W + b`); Hugging Face's `[out, in]`
 * appears only in checkpoint conversion. Inputs are right-padded: `attentionMask` is 1 for real
 * tokens and 0 for padding. GELU is the sigmoid approximation (see `nn/activations.ts`).
 */
import * as tf from '@tensorflow/tfjs';
import { Rng, randn } from '../rng.ts';
import { gelu, dropout } from '../nn/activations.ts';
import { Embedding, gatherRows } from '../nn/embedding.ts';
import { layerNorm } from '../nn/layer-norm.ts';
import { bmm, linearTied, transposeLast2 } from '../nn/linear.ts';
import { softmaxCrossEntropy } from '../nn/loss.ts';
import { Linear, type ForwardContext } from '../nn/module.ts';
import { ParamStore } from './params-store.ts';
import type { LoadReport, Module, NamedParameter } from './types.ts';

/** Hyper-parameters of the encoder (Hugging Face `RobertaConfig` names, camelCase). */
export interface EncoderConfig {
  /** Rows of the word-embedding table; set by the tokenizer. */
  readonly vocabSize: number;
  /** Width of every token's vector (d_model). */
  readonly hiddenSize: number;
  /** Number of Transformer layers. */
  readonly numHiddenLayers: number;
  /** Attention heads per layer; must divide hiddenSize. */
  readonly numAttentionHeads: number;
  /** Width of the feed-forward block (4·hiddenSize by convention). */
  readonly intermediateSize: number;
  /** Position-table rows = longest sequence + padTokenId + 1 (RoBERTa's offset: 512 + 2 = 514). */
  readonly maxPositionEmbeddings: number;
  /** Token types; RoBERTa uses one. */
  readonly typeVocabSize: number;
  /** LayerNorm epsilon (RoBERTa: 1e-5). */
  readonly layerNormEps: number;
  /** Dropout on embeddings and sub-layer outputs when training. */
  readonly hiddenDropoutProb: number;
  /** Dropout on attention probabilities when training. */
  readonly attentionDropoutProb: number;
  /** Classes of the classification head; 0 for no head. */
  readonly numLabels: number;
  /** Id of the padding token (RoBERTa: 1); positions start at padTokenId + 1. */
  readonly padTokenId: number;
  /** Std of the normal init of weights and embeddings (BERT/RoBERTa: 0.02). */
  readonly initializerRange: number;
  /** Whether the model has the masked-language-model head (`lm_head.*`, decoder tied). */
  readonly mlmHead: boolean;
  /**
   * What the classification head reads (default `'first'`): the first token's vector (`<s>`, as
   * RoBERTa does) or `'mean'`, the mean of the last layer's vectors over the non-padding tokens.
   * An encoder pretrained with MLM only never trains `<s>`'s output (it is never masked), so on a
   * small, briefly pretrained model `<s>` carries little of the sentence, and a frozen encoder
   * (LoRA, a linear probe) does better reading the mean (the pooling of Sentence-BERT, Reimers and
   * Gurevych 2019). Stored in config.json as `classifier_pooling`.
   */
  readonly classifierPooling?: ClassifierPooling;
}

/** See {@link EncoderConfig.classifierPooling}. */
export type ClassifierPooling = 'first' | 'mean';

/** Thrown for an invalid encoder config or input (names the field and value). */
export class EncoderConfigError extends Error {
  override readonly name = 'EncoderConfigError';
  constructor(
    readonly field: string,
    readonly value: unknown,
    reason: string,
  ) {
    super(`${field} = ${String(value)}: ${reason}`);
  }
}

const BASE: Omit<
  EncoderConfig,
  'vocabSize' | 'hiddenSize' | 'numHiddenLayers' | 'numAttentionHeads' | 'intermediateSize'
> = {
  maxPositionEmbeddings: 64 + 2,
  typeVocabSize: 1,
  layerNormEps: 1e-5,
  hiddenDropoutProb: 0.1,
  attentionDropoutProb: 0.1,
  numLabels: 2,
  padTokenId: 1,
  initializerRange: 0.02,
  mlmHead: true,
};

/**
 * Named presets. `tiny` and `mini` follow Turc et al. 2019 ("Well-Read Students Learn Better",
 * BERT-Tiny 2×128 and BERT-Mini 4×256) with sequences up to 64; `micro` is for tests;
 * `roberta-base`/`roberta-large` are the published RoBERTa configs (use `models/specs.ts` for those:
 * it counts without allocating).
 */
export const ENCODER_PRESETS = {
  micro: {
    ...BASE,
    vocabSize: 50,
    hiddenSize: 16,
    numHiddenLayers: 2,
    numAttentionHeads: 2,
    intermediateSize: 32,
    maxPositionEmbeddings: 16 + 2,
  },
  tiny: {
    ...BASE,
    vocabSize: 16000,
    hiddenSize: 128,
    numHiddenLayers: 2,
    numAttentionHeads: 4,
    intermediateSize: 512,
  },
  mini: {
    ...BASE,
    vocabSize: 16000,
    hiddenSize: 256,
    numHiddenLayers: 4,
    numAttentionHeads: 4,
    intermediateSize: 1024,
  },
  'roberta-base': {
    ...BASE,
    vocabSize: 50265,
    hiddenSize: 768,
    numHiddenLayers: 12,
    numAttentionHeads: 12,
    intermediateSize: 3072,
    maxPositionEmbeddings: 514,
  },
  'roberta-large': {
    ...BASE,
    vocabSize: 50265,
    hiddenSize: 1024,
    numHiddenLayers: 24,
    numAttentionHeads: 16,
    intermediateSize: 4096,
    maxPositionEmbeddings: 514,
  },
} as const satisfies Record<string, EncoderConfig>;

/** Names of the presets. */
export type EncoderPresetName = keyof typeof ENCODER_PRESETS;

/** A preset with some fields overridden (e.g. `encoderConfig('tiny', { vocabSize: 12000 })`). */
export function encoderConfig(
  preset: EncoderPresetName,
  overrides: Partial<EncoderConfig> = {},
): EncoderConfig {
  const base: EncoderConfig = ENCODER_PRESETS[preset];
  return validateEncoderConfig({ ...base, ...overrides });
}

/** Checks every field; returns the config or throws {@link EncoderConfigError}. */
export function validateEncoderConfig(c: EncoderConfig): EncoderConfig {
  const posInt = [
    'vocabSize',
    'hiddenSize',
    'numHiddenLayers',
    'numAttentionHeads',
    'intermediateSize',
    'maxPositionEmbeddings',
    'typeVocabSize',
  ] as const;
  for (const f of posInt) {
    if (!Number.isInteger(c[f]) || c[f] <= 0)
      throw new EncoderConfigError(f, c[f], 'must be a positive integer');
  }
  if (!Number.isInteger(c.numLabels) || c.numLabels < 0)
    throw new EncoderConfigError('numLabels', c.numLabels, 'must be an integer ≥ 0');
  if (c.hiddenSize % c.numAttentionHeads !== 0) {
    throw new EncoderConfigError(
      'numAttentionHeads',
      c.numAttentionHeads,
      `must divide hiddenSize (${c.hiddenSize})`,
    );
  }
  for (const f of ['hiddenDropoutProb', 'attentionDropoutProb'] as const) {
    if (!(c[f] >= 0 && c[f] < 1)) throw new EncoderConfigError(f, c[f], 'must be in [0, 1)');
  }
  if (c.classifierPooling !== undefined && !['first', 'mean'].includes(c.classifierPooling))
    throw new EncoderConfigError(
      'classifierPooling',
      c.classifierPooling,
      "must be 'first' or 'mean'",
    );
  if (!(c.layerNormEps > 0))
    throw new EncoderConfigError('layerNormEps', c.layerNormEps, 'must be > 0');
  if (!(c.initializerRange >= 0))
    throw new EncoderConfigError('initializerRange', c.initializerRange, 'must be ≥ 0');
  if (!Number.isInteger(c.padTokenId) || c.padTokenId < 0 || c.padTokenId >= c.vocabSize) {
    throw new EncoderConfigError(
      'padTokenId',
      c.padTokenId,
      `must be an integer in [0, ${c.vocabSize})`,
    );
  }
  if (c.maxPositionEmbeddings <= c.padTokenId + 1) {
    throw new EncoderConfigError(
      'maxPositionEmbeddings',
      c.maxPositionEmbeddings,
      `must exceed padTokenId + 1 (${c.padTokenId + 1})`,
    );
  }
  return c;
}

/** Longest sequence a config accepts (positions are offset by padTokenId + 1). */
export function maxSequenceLength(c: EncoderConfig): number {
  return c.maxPositionEmbeddings - c.padTokenId - 1;
}

/** Per-call options: training switches dropout on; `rng` draws its masks. */
export interface EncodeOptions {
  /** Dropout on (default false). */
  readonly training?: boolean;
  /** Dropout masks come from here (default: the model's own stream, forked from its seed). */
  readonly rng?: Rng;
}

interface LayerModules {
  query: Linear;
  key: Linear;
  value: Linear;
  attnOut: Linear;
  attnLn: [tf.Variable, tf.Variable];
  intermediate: Linear;
  output: Linear;
  outLn: [tf.Variable, tf.Variable];
}

const LINEAR_KEYS = ['query', 'key', 'value', 'attnOut', 'intermediate', 'output'] as const;

/** A RoBERTa-style encoder with optional classification and MLM heads; owns its variables. */
export class Encoder implements Module {
  /** The validated config. */
  readonly config: EncoderConfig;
  private readonly store = new ParamStore();
  private readonly linears = new Map<string, Linear>();
  private readonly wordEmbeddings: Embedding;
  private readonly layers: LayerModules[] = [];
  private readonly owned: (Linear & { dispose(): void })[] = [];
  private readonly dropoutRng: Rng;

  /** Creates the weights with RoBERTa's init (normal(0, initializerRange), zero biases, LN = 1/0). */
  constructor(config: EncoderConfig, opts: { seed?: number } = {}) {
    this.config = validateEncoderConfig(config);
    const c = this.config;
    const root = new Rng(opts.seed ?? 0);
    this.dropoutRng = root.fork('dropout');
    const std = c.initializerRange;
    const H = c.hiddenSize;
    // Each parameter draws from its own stream, so adding a parameter never changes the others.
    const normal = (name: string, shape: number[]): tf.Tensor => randn(root.fork(name), shape, std);
    const addLinear = (name: string, dIn: number, dOut: number): Linear => {
      const w = this.store.add(`${name}.weight`, normal(`${name}.weight`, [dIn, dOut]));
      const b = this.store.add(`${name}.bias`, tf.zeros([dOut]));
      const lin = new Linear(name, w, b);
      this.linears.set(name, lin);
      return lin;
    };
    const addLn = (name: string): [tf.Variable, tf.Variable] => [
      this.store.add(`${name}.weight`, tf.ones([H])),
      this.store.add(`${name}.bias`, tf.zeros([H])),
    ];

    const word = normal('roberta.embeddings.word_embeddings.weight', [c.vocabSize, H]);
    const padRowZeroed = tf.tidy(() => {
      const keep = tf.oneHot([c.padTokenId], c.vocabSize).reshape([c.vocabSize, 1]);
      return tf.mul(word, tf.sub(1, keep)); // HF zeroes the padding row at init
    });
    word.dispose();
    this.wordEmbeddings = new Embedding(
      'roberta.embeddings.word_embeddings',
      this.store.add('roberta.embeddings.word_embeddings.weight', padRowZeroed),
    );
    this.store.add(
      'roberta.embeddings.position_embeddings.weight',
      normal('roberta.embeddings.position_embeddings.weight', [c.maxPositionEmbeddings, H]),
    );
    this.store.add(
      'roberta.embeddings.token_type_embeddings.weight',
      normal('roberta.embeddings.token_type_embeddings.weight', [c.typeVocabSize, H]),
    );
    addLn('roberta.embeddings.LayerNorm');
    for (let i = 0; i < c.numHiddenLayers; i++) {
      const p = `roberta.encoder.layer.${i}`;
      this.layers.push({
        query: addLinear(`${p}.attention.self.query`, H, H),
        key: addLinear(`${p}.attention.self.key`, H, H),
        value: addLinear(`${p}.attention.self.value`, H, H),
        attnOut: addLinear(`${p}.attention.output.dense`, H, H),
        attnLn: addLn(`${p}.attention.output.LayerNorm`),
        intermediate: addLinear(`${p}.intermediate.dense`, H, c.intermediateSize),
        output: addLinear(`${p}.output.dense`, c.intermediateSize, H),
        outLn: addLn(`${p}.output.LayerNorm`),
      });
    }
    if (c.numLabels > 0) {
      addLinear('classifier.dense', H, H);
      addLinear('classifier.out_proj', H, c.numLabels);
    }
    if (c.mlmHead) {
      addLinear('lm_head.dense', H, H);
      addLn('lm_head.layer_norm');
      this.store.add('lm_head.bias', tf.zeros([c.vocabSize])); // decoder weight = word embeddings (tied)
    }
  }

  /** Every parameter once (the tied MLM decoder is the word-embedding table, not listed twice). */
  namedParameters(): NamedParameter[] {
    return this.store.list();
  }

  /** The linear layers by Hugging Face module name. */
  linearModules(): ReadonlyMap<string, Linear> {
    return this.linears;
  }

  /** The word-embedding table as a module LoRA can adapt (`roberta.embeddings.word_embeddings`). */
  embeddingModules(): ReadonlyMap<string, Embedding> {
    return new Map([[this.wordEmbeddings.name, this.wordEmbeddings]]);
  }

  /** Copies of all weights by parameter name (caller disposes). */
  getWeights(): Record<string, tf.Tensor> {
    return this.store.getWeights();
  }

  /** Assigns weights by name, shape-checked, all or nothing (strict: names must match exactly). */
  setWeights(
    record: Readonly<Record<string, tf.Tensor>>,
    opts: { strict?: boolean } = {},
  ): LoadReport {
    return this.store.setWeights(record, opts.strict ?? true);
  }

  /** The variable of a parameter by full name. */
  param(name: string): tf.Variable {
    return this.store.get(name);
  }

  /** A linear module by name (throws if absent). */
  linear(name: string): Linear {
    const lin = this.linears.get(name);
    if (!lin) throw new EncoderConfigError('module', name, 'no such linear module');
    return lin;
  }

  /**
   * Puts `replacement` where the linear module `name` was (every forward pass uses it from now on)
   * and takes ownership of it: its `dispose`, if it has one, runs with the encoder's. When the
   * replacement holds its weight elsewhere (a quantised base layer, `core/quant`), the old weight
   * leaves the parameter list and is freed; the bias is kept if the replacement shares it.
   * @throws {EncoderConfigError} for an unknown module or a replacement of another shape.
   */
  replaceLinear(name: string, replacement: Linear): void {
    const old = this.linear(name);
    if (replacement.inFeatures !== old.inFeatures || replacement.outFeatures !== old.outFeatures) {
      throw new EncoderConfigError(
        `${name} replacement shape`,
        `[${replacement.inFeatures}, ${replacement.outFeatures}]`,
        `must be [${old.inFeatures}, ${old.outFeatures}]`,
      );
    }
    if (replacement.bias !== old.bias && old.bias) this.store.remove(`${name}.bias`).dispose();
    if (replacement.weight !== old.weight) this.store.remove(`${name}.weight`).dispose();
    this.linears.set(name, replacement);
    for (const layer of this.layers) {
      for (const key of LINEAR_KEYS) if (layer[key] === old) layer[key] = replacement;
    }
    if ('dispose' in replacement && typeof replacement.dispose === 'function')
      this.owned.push(replacement as Linear & { dispose(): void });
  }

  /** Frees every variable. */
  dispose(): void {
    this.store.dispose();
    for (const m of this.owned) m.dispose();
    this.owned.length = 0;
    this.linears.clear();
  }

  private ctx(opts: EncodeOptions): ForwardContext {
    return { training: opts.training ?? false, rng: opts.rng ?? this.dropoutRng };
  }

  private drop(x: tf.Tensor, rate: number, ctx: ForwardContext): tf.Tensor {
    return ctx.training && rate > 0 && ctx.rng ? dropout(x, rate, ctx.rng) : x;
  }

  private ln(x: tf.Tensor, name: string): tf.Tensor {
    return layerNorm(
      x,
      this.store.get(`${name}.weight`),
      this.store.get(`${name}.bias`),
      this.config.layerNormEps,
    );
  }

  /**
   * Contextual vectors of `inputIds: [B, T]` (int32) with `attentionMask: [B, T]` (1 = token,
   * 0 = padding). Returns `[B, T, hiddenSize]`.
   */
  encode(inputIds: tf.Tensor, attentionMask: tf.Tensor, opts: EncodeOptions = {}): tf.Tensor {
    const c = this.config;
    if (inputIds.rank !== 2)
      throw new EncoderConfigError('inputIds.rank', inputIds.rank, 'must be 2 ([batch, seq])');
    const [B, T] = inputIds.shape as [number, number];
    if (T > maxSequenceLength(c))
      throw new EncoderConfigError(
        'inputIds.shape[1]',
        T,
        `exceeds the longest sequence (${maxSequenceLength(c)})`,
      );
    if (attentionMask.shape[0] !== B || attentionMask.shape[1] !== T) {
      throw new EncoderConfigError(
        'attentionMask.shape',
        `[${attentionMask.shape.join(', ')}]`,
        `must be [${B}, ${T}]`,
      );
    }
    const ctx = this.ctx(opts);
    const H = c.hiddenSize;
    const nh = c.numAttentionHeads;
    const hd = H / nh;
    return tf.tidy(() => {
      const ids = inputIds.dtype === 'int32' ? inputIds : tf.cast(inputIds, 'int32');
      const tok = this.wordEmbeddings.apply(ids, ctx); // [B, T, H] (plus a LoRA adapter's rows, if any)
      const pos = tf.slice(
        this.store.get('roberta.embeddings.position_embeddings.weight'),
        [c.padTokenId + 1, 0],
        [T, H],
      ); // [T, H]
      const typ = tf.slice(
        this.store.get('roberta.embeddings.token_type_embeddings.weight'),
        [0, 0],
        [1, H],
      ); // [1, H]
      let x = this.ln(tf.add(tf.add(tok, pos), typ), 'roberta.embeddings.LayerNorm'); // [B, T, H]
      x = this.drop(x, c.hiddenDropoutProb, ctx);
      // Additive mask: 0 where attending is allowed, −1e9 at padding keys.
      const addMask = tf
        .mul(tf.sub(1, tf.cast(attentionMask, 'float32')), -1e9)
        .reshape([B, 1, 1, T]); // [B, 1, 1, T]
      const heads = (t: tf.Tensor): tf.Tensor =>
        tf.transpose(t.reshape([B, T, nh, hd]), [0, 2, 1, 3]); // [B, nh, T, hd]
      for (const L of this.layers) {
        const q = heads(L.query.apply(x, ctx)); // [B, nh, T, hd]
        const kT = transposeLast2(heads(L.key.apply(x, ctx))); // [B, nh, hd, T]
        const v = heads(L.value.apply(x, ctx)); // [B, nh, T, hd]
        const scores = tf.add(tf.mul(bmm(q, kT), 1 / Math.sqrt(hd)), addMask); // [B, nh, T, T]
        const probs = this.drop(tf.softmax(scores), c.attentionDropoutProb, ctx); // [B, nh, T, T]
        const attn = tf.transpose(bmm(probs, v), [0, 2, 1, 3]).reshape([B, T, H]); // [B, T, H]
        const a = tf.add(this.drop(L.attnOut.apply(attn, ctx), c.hiddenDropoutProb, ctx), x); // [B, T, H]
        x = layerNorm(a, L.attnLn[0], L.attnLn[1], c.layerNormEps); // [B, T, H]
        const f = gelu(L.intermediate.apply(x, ctx)); // [B, T, intermediate]
        const o = tf.add(this.drop(L.output.apply(f, ctx), c.hiddenDropoutProb, ctx), x); // [B, T, H]
        x = layerNorm(o, L.outLn[0], L.outLn[1], c.layerNormEps); // [B, T, H]
      }
      return x;
    });
  }

  /**
   * Classification logits `[B, numLabels]` through RoBERTa's head (dropout → dense → tanh →
   * dropout → out_proj) on the first token's vector (`<s>`), or, with
   * `classifierPooling: 'mean'`, on the mean of the token vectors where `attentionMask` is 1.
   */
  classify(inputIds: tf.Tensor, attentionMask: tf.Tensor, opts: EncodeOptions = {}): tf.Tensor {
    if (this.config.numLabels === 0)
      throw new EncoderConfigError('numLabels', 0, 'the model has no classification head');
    const ctx = this.ctx(opts);
    const dense = this.linear('classifier.dense');
    const outProj = this.linear('classifier.out_proj');
    return tf.tidy(() => {
      const h = this.encode(inputIds, attentionMask, opts); // [B, T, H]
      const [B, , H] = h.shape as [number, number, number];
      const pooled =
        this.config.classifierPooling === 'mean'
          ? maskedMean(h, attentionMask) // [B, H]
          : tf.slice(h, [0, 0, 0], [B, 1, H]).reshape([B, H]); // [B, H]
      const z = tf.tanh(dense.apply(this.drop(pooled, this.config.hiddenDropoutProb, ctx), ctx)); // [B, H]
      return outProj.apply(this.drop(z, this.config.hiddenDropoutProb, ctx), ctx); // [B, numLabels]
    });
  }

  /**
   * MLM logits at selected positions only: `hidden: [B, T, H]`, `positions`: int32 `[N]` flat
   * indices into B·T. Returns `[N, vocabSize]`; the decoder is the word-embedding table (tied).
   */
  mlmLogits(hidden: tf.Tensor, positions: tf.Tensor, opts: EncodeOptions = {}): tf.Tensor {
    if (!this.config.mlmHead)
      throw new EncoderConfigError('mlmHead', false, 'the model has no MLM head');
    const H = this.config.hiddenSize;
    const dense = this.linear('lm_head.dense');
    const ctx = this.ctx(opts);
    return tf.tidy(() => {
      const pos = positions.dtype === 'int32' ? positions : tf.cast(positions, 'int32');
      const h = gatherRows(hidden.reshape([-1, H]), pos); // [N, H]
      const z = this.ln(gelu(dense.apply(h, ctx)), 'lm_head.layer_norm'); // [N, H]
      const table = this.store.get('roberta.embeddings.word_embeddings.weight'); // [V, H]
      return linearTied(z, table, this.store.get('lm_head.bias')); // [N, V] = z·tableᵀ + b
    });
  }

  /**
   * Mean masked-LM cross-entropy at `positions` (flat `[N]` into B·T) against `labels` (`[N]`
   * original token ids). `inputIds` should already carry the masking.
   */
  mlmLoss(
    inputIds: tf.Tensor,
    attentionMask: tf.Tensor,
    positions: tf.Tensor,
    labels: tf.Tensor,
    opts: EncodeOptions = {},
  ): tf.Scalar {
    return tf.tidy(() =>
      softmaxCrossEntropy(
        this.mlmLogits(this.encode(inputIds, attentionMask, opts), positions, opts),
        labels,
      ),
    );
  }
}

/** Mean of `h: [B, T, H]` over the positions where `mask: [B, T]` is 1 (at least one per row). */
function maskedMean(h: tf.Tensor, mask: tf.Tensor): tf.Tensor {
  const m = tf.cast(mask, 'float32'); // [B, T]
  const sum = tf.sum(tf.mul(h, tf.expandDims(m, 2)), 1); // [B, H]
  return tf.div(sum, tf.maximum(tf.sum(m, 1, true), 1)); // [B, H]
}
