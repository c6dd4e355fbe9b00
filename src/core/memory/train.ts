/**
 * Training memory of a decoder LLM for full fine-tuning, LoRA and QLoRA: what one device holds
 * while it trains with Adam, term by term. A formula, not a measurement: every assumption is
 * written next to the term it sets, and the defaults are the usual choices of each method.
 *
 * Not counted: the framework's workspace and caches, fragmentation, the CUDA context, temporary
 * buffers of a single kernel, and sharding across devices (ZeRO, tensor parallelism) — one device
 * holds everything.
 */
import { MemoryModelError } from './errors.ts';
import { blockLinears, countParams, type DecoderShape } from './shape.ts';

/** Which weights train. */
export type FineTuneMethod = 'full' | 'lora' | 'qlora';

/** Which activations the backward pass keeps. */
export type ActivationPolicy = 'none' | 'full' | 'checkpointed';

/** Choices of {@link trainingMemory}. */
export interface MemoryOptions {
  readonly method: FineTuneMethod;
  /**
   * Bytes per stored weight (default 2: bf16/fp16). Under QLoRA this is the precision of what is
   * not quantised: embeddings, the head, norms and biases (bitsandbytes quantises only the
   * blocks' linear weights).
   */
  readonly weightBytes?: number;
  /** Bytes per gradient value of a trained parameter (default: `weightBytes`, or `adapterBytes`). */
  readonly gradBytes?: number;
  /** Optimiser state bytes per trained parameter (default 8: Adam's m and v in fp32). */
  readonly optimizerBytes?: number;
  /** An fp32 master copy per trained parameter in mixed precision (default 0 bytes: none). */
  readonly masterBytes?: number;
  /** LoRA's rank and targets by Llama name (`q_proj` … `down_proj`); needed for lora and qlora. */
  readonly lora?: { readonly r: number; readonly targets: readonly string[] };
  /** Bytes per adapter parameter (default: `weightBytes`). */
  readonly adapterBytes?: number;
  /** QLoRA's base: NF4 in blocks of `blockSize` (64), constants double-quantised (true) in blocks of 256. */
  readonly quant?: { readonly blockSize?: number; readonly doubleQuant?: boolean };
  /** Tokens per sequence s. */
  readonly sequenceLength: number;
  /** Sequences per step b. */
  readonly batchSize: number;
  /** `'none'` leaves activations out; `'full'` keeps all; `'checkpointed'` recomputes each block. */
  readonly activations: ActivationPolicy;
}

/** Bytes by term, and the parameter counts they come from. */
export interface MemoryEstimate {
  /** Parameters of the base model. */
  readonly params: number;
  /** Parameters the optimiser updates (all for full, the adapters for LoRA and QLoRA). */
  readonly trainableParams: number;
  /** The base weights as stored (quantised under QLoRA), plus the adapters. */
  readonly weights: number;
  /** One gradient per trained parameter. */
  readonly gradients: number;
  /** Adam's states for the trained parameters. */
  readonly optimizer: number;
  /** The fp32 master copy of the trained parameters (0 unless asked). */
  readonly master: number;
  /** Saved activations for one step of `batchSize × sequenceLength` tokens. */
  readonly activations: number;
  /** The sum. */
  readonly total: number;
}

function nonNegative(field: string, v: number): number {
  if (!Number.isFinite(v) || v < 0)
    throw new MemoryModelError(field, v, 'must be a finite number ≥ 0');
  return v;
}

function positiveInt(field: string, v: number): number {
  if (!Number.isInteger(v) || v < 1) throw new MemoryModelError(field, v, 'must be an integer ≥ 1');
  return v;
}

/**
 * Bits per quantised parameter of NF4 in blocks of `blockSize` (QLoRA §3): 4 bits of code plus
 * 32/blockSize bits of fp32 constant, or with double quantisation 8/blockSize + 32/(blockSize·256)
 * (the constants as 8-bit codes with an fp32 constant per 256 of them; the one mean is ignored).
 */
export function nf4BitsPerParam(blockSize = 64, doubleQuant = true): number {
  positiveInt('quant.blockSize', blockSize);
  return doubleQuant ? 4 + 8 / blockSize + 32 / (blockSize * 256) : 4 + 32 / blockSize;
}

/** LoRA parameters for rank `r` on the named linear layers of every block: Σ r·(dIn + dOut). */
export function loraParams(shape: DecoderShape, r: number, targets: readonly string[]): number {
  positiveInt('lora.r', r);
  const linears = blockLinears(shape);
  let perBlock = 0;
  for (const t of targets) {
    const l = linears.find((x) => x.name === t);
    if (!l) {
      throw new MemoryModelError(
        'lora.targets',
        JSON.stringify(t),
        `not a linear layer of this model (${linears.map((x) => x.name).join(', ')})`,
      );
    }
    perBlock += r * (l.dIn + l.dOut);
  }
  return shape.layers * perBlock;
}

/**
 * Activation bytes saved for the backward pass, following Korthikanti et al. 2022, "Reducing
 * Activation Recomputation in Large Transformer Models", §4.1 (16-bit activations, no tensor or
 * sequence parallelism). Per block: attention `11·sbh + 5·a·s²·b` (including the dropout masks;
 * an upper bound for models trained without dropout, and K, V taken at full width even under
 * grouped-query attention), norms `4·sbh`, and the MLP `3·sbh + 4·sbI` for a plain MLP (their
 * `19·sbh` at I = 4h) or `2·sbh + 6·sbI` for a gated one (its input, and the gate, up and product
 * tensors at width I). `'checkpointed'` keeps only each block's input (`2·sbh`) plus one block's
 * activations while it is recomputed. Both add the logits for the loss in fp32, `4·s·b·V`.
 * LoRA adds, per adapted layer, its rank-r intermediate `2·s·b·r`; the frozen layers still keep
 * their inputs, since the gradient must pass through them to the adapters below.
 */
export function activationBytes(
  shape: DecoderShape,
  s: number,
  b: number,
  policy: ActivationPolicy,
  loraRankTargets = 0,
): number {
  if (policy === 'none') return 0;
  const { hidden: h, intermediate: I, heads: a, layers: L, vocab: V } = shape;
  const sbh = s * b * h;
  const mlp = shape.mlp === 'plain' ? 3 * sbh + 4 * s * b * I : 2 * sbh + 6 * s * b * I;
  const block = 11 * sbh + 5 * a * s * s * b + 4 * sbh + mlp + 2 * s * b * loraRankTargets;
  const logits = 4 * s * b * V;
  return (policy === 'full' ? L * block : L * 2 * sbh + block) + logits;
}

/** Training memory of `shape` under `opts`, term by term (see the module comment). */
export function trainingMemory(shape: DecoderShape, opts: MemoryOptions): MemoryEstimate {
  const counts = countParams(shape);
  const weightBytes = nonNegative('weightBytes', opts.weightBytes ?? 2);
  const optimizerBytes = nonNegative('optimizerBytes', opts.optimizerBytes ?? 8);
  const masterBytes = nonNegative('masterBytes', opts.masterBytes ?? 0);
  const s = positiveInt('sequenceLength', opts.sequenceLength);
  const b = positiveInt('batchSize', opts.batchSize);
  const method: string = opts.method;
  if (method !== 'full' && method !== 'lora' && method !== 'qlora') {
    throw new MemoryModelError(
      'method',
      JSON.stringify(method),
      "must be 'full', 'lora' or 'qlora'",
    );
  }
  let trainable: number;
  let weights: number;
  let gradBytes: number;
  let rankTargets = 0;
  if (opts.method === 'full') {
    trainable = counts.total;
    weights = counts.total * weightBytes;
    gradBytes = nonNegative('gradBytes', opts.gradBytes ?? weightBytes);
  } else {
    if (!opts.lora) throw new MemoryModelError('lora', undefined, `required for ${opts.method}`);
    const adapterBytes = nonNegative('adapterBytes', opts.adapterBytes ?? weightBytes);
    trainable = loraParams(shape, opts.lora.r, opts.lora.targets);
    rankTargets = opts.lora.r * opts.lora.targets.length;
    gradBytes = nonNegative('gradBytes', opts.gradBytes ?? adapterBytes);
    let base = counts.total * weightBytes;
    if (opts.method === 'qlora') {
      const bits = nf4BitsPerParam(opts.quant?.blockSize ?? 64, opts.quant?.doubleQuant ?? true);
      const linearWeights =
        blockLinears(shape).reduce((n, l) => n + l.dIn * l.dOut, 0) * shape.layers;
      base = (linearWeights * bits) / 8 + (counts.total - linearWeights) * weightBytes;
    }
    weights = base + trainable * adapterBytes;
  }
  const gradients = trainable * gradBytes;
  const optimizer = trainable * optimizerBytes;
  const master = trainable * masterBytes;
  const activations = activationBytes(shape, s, b, opts.activations, rankTargets);
  return {
    params: counts.total,
    trainableParams: trainable,
    weights,
    gradients,
    optimizer,
    master,
    activations,
    total: weights + gradients + optimizer + master + activations,
  };
}
