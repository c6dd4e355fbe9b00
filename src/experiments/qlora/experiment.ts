/**
 * LoRA on a quantised base (Dettmers et al. 2023, "QLoRA"): the pretrained encoder's block linear
 * layers are stored as int8 or 4-bit NormalFloat (with or without double quantisation) and
 * dequantised on every forward pass; LoRA r on all six linear modules of every layer, with float32
 * factors and the classifier trained too, then learns sentiment exactly as on the float32 base. One
 * seed fixes the adapter's init and the batch order, so a run is the same in a cell and in
 * scripts/precompute-qlora.ts; dropout is off.
 */
import type * as tf from '@tensorflow/tfjs';
import { summarizeParams } from '../../core/accounting.ts';
import type { EncodedRows } from '../../core/data/tasks.ts';
import { getPeftModel, getPeftModelAsync, type PeftModel } from '../../core/lora/peft-model.ts';
import type { LoraConfigInput } from '../../core/lora/config.ts';
import { loraPlusLrScale } from '../../core/train/loraplus.ts';
import type { Encoder } from '../../core/models/encoder.ts';
import { softmaxCrossEntropy } from '../../core/nn/loss.ts';
import {
  quantizeEncoderBase,
  type QuantOptions,
  type QuantizedBaseReport,
} from '../../core/quant/index.ts';
import { Rng } from '../../core/rng.ts';
import { tailMean } from '../../core/stats.ts';
import { Adam } from '../../core/train/adam.ts';
import { BatchOrder, StepBatch, disposeBatch, rowsTensors } from '../../core/train/batches.ts';
import { encoderAccuracy } from '../../core/train/evaluate.ts';
import { trainLoop } from '../../core/train/loop.ts';
import { QloraError } from './errors.ts';

/** How the frozen base is stored. */
export type QuantBase = 'float32' | 'int8' | 'nf4' | 'nf4-dq';

/** Every base, from float32 to the smallest. */
export const QUANT_BASES: readonly QuantBase[] = ['float32', 'int8', 'nf4', 'nf4-dq'];

/** The quantisation of a base (blocks of 64, as QLoRA), or null for float32. */
export function quantOptionsOf(base: QuantBase): QuantOptions | null {
  switch (base) {
    case 'float32':
      return null;
    case 'int8':
      return { kind: 'int8', blockSize: 64 };
    case 'nf4':
      return { kind: 'nf4', blockSize: 64 };
    case 'nf4-dq':
      return { kind: 'nf4', blockSize: 64, doubleQuant: true };
  }
}

/** A reader's name for a base. */
export function baseLabel(base: QuantBase): string {
  return {
    float32: 'float32',
    int8: 'int8 absmax',
    nf4: 'NF4',
    'nf4-dq': 'NF4 + double quantisation',
  }[base];
}

function checkBase(base: unknown): QuantBase {
  if (!QUANT_BASES.includes(base as QuantBase))
    throw new QloraError('base', base, `must be one of ${QUANT_BASES.join(', ')}`);
  return base as QuantBase;
}

/** The six linear modules of every layer (the LoRA targets of this lesson). */
export const QLORA_TARGETS = [
  'query',
  'key',
  'value',
  'attention.output.dense',
  'intermediate.dense',
  'output.dense',
] as const;

/**
 * Quantises `encoder`'s base in place as `base` says (nothing for float32) and reports the bytes
 * and reconstruction error per matrix (null for float32).
 */
export async function prepareBase(
  encoder: Encoder,
  base: QuantBase,
): Promise<QuantizedBaseReport | null> {
  const opts = quantOptionsOf(checkBase(base));
  return opts ? quantizeEncoderBase(encoder, opts) : null;
}

/** LoRA and the variants the lesson compares, each with PEFT's switch for it. */
export type Variant = 'lora' | 'rslora' | 'loraplus' | 'dora' | 'pissa';

/** Every variant, plain LoRA first. */
export const VARIANTS: readonly Variant[] = ['lora', 'rslora', 'loraplus', 'dora', 'pissa'];

/** A reader's name for a variant, with PEFT's switch. */
export function variantLabel(v: Variant): string {
  return {
    lora: 'LoRA',
    rslora: 'rsLoRA (use_rslora: α/√r)',
    loraplus: 'LoRA+ (B learns 16× faster)',
    dora: 'DoRA (use_dora: magnitude and direction)',
    pissa: 'PiSSA (init_lora_weights="pissa")',
  }[v];
}

/**
 * LoRA r with α = 2r on the six modules and the classifier, as `variant` changes it, and the
 * learning-rate scale LoRA+ gives each variable (none for the others). PiSSA needs the async
 * path (its SVD is loaded lazily).
 */
async function attachVariant(
  enc: Encoder,
  variant: Variant,
  r: number,
  seed: number,
): Promise<{ peft: PeftModel<Encoder>; lrScale?: ReadonlyMap<tf.Variable, number> }> {
  if (!VARIANTS.includes(variant))
    throw new QloraError('variant', variant, `must be one of ${VARIANTS.join(', ')}`);
  const config: LoraConfigInput = {
    r,
    loraAlpha: 2 * r,
    targetModules: [...QLORA_TARGETS],
    modulesToSave: ['classifier'],
    ...(variant === 'rslora' ? { useRslora: true } : {}),
    ...(variant === 'dora' ? { useDora: true } : {}),
    ...(variant === 'pissa' ? { initLoraWeights: 'pissa' as const } : {}),
  };
  const peft =
    variant === 'pissa'
      ? await getPeftModelAsync(enc, config, { seed })
      : getPeftModel(enc, config, { seed });
  return variant === 'loraplus'
    ? { peft, lrScale: loraPlusLrScale(peft.namedParameters()) }
    : { peft };
}

/** Options of {@link qloraRun}. */
export interface QloraRunOptions {
  /** A prepared base with a 2-label classifier; trained in place, left with no adapter. */
  readonly encoder: Encoder;
  readonly train: EncodedRows;
  readonly test: EncodedRows;
  /** Seed of the adapter init and the batch order. */
  readonly seed: number;
  readonly steps: number;
  /** Batch size (default 32). */
  readonly batchSize?: number;
  readonly learningRate: number;
  /** LoRA rank (default 8); α = 2r. */
  readonly r?: number;
  /** LoRA or one of its variants (default plain LoRA). */
  readonly variant?: Variant;
  readonly signal?: AbortSignal;
}

/** Outcome of one run. */
export interface QloraRunResult {
  readonly seed: number;
  readonly r: number;
  readonly trainable: number;
  readonly steps: number;
  readonly accuracy: number;
  readonly finalLoss: number;
  /** Median milliseconds per step (the whole step: forward with dequantisation, backward, update). */
  readonly msPerStep: number;
  readonly stopped: boolean;
}

function positiveInt(field: string, v: number, max = Infinity): number {
  if (!Number.isInteger(v) || v < 1 || v > max)
    throw new QloraError(field, v, `must be an integer in [1, ${String(max)}]`);
  return v;
}

/**
 * Trains LoRA (all six linear modules of every layer, plus the classifier) on `encoder` as it is —
 * float32 or quantised by {@link prepareBase} — yielding every step, and returns test accuracy.
 * Afterwards the encoder carries no adapter and every trainable flag is as before.
 */
export async function* qloraRun(
  o: QloraRunOptions,
): AsyncGenerator<{ step: number; loss: number; ms: number }, QloraRunResult, undefined> {
  const batchSize = positiveInt('batchSize', o.batchSize ?? 32, o.train.n);
  const steps = positiveInt('steps', o.steps);
  const r = positiveInt('r', o.r ?? 8);
  if (!(o.learningRate > 0)) throw new QloraError('learningRate', o.learningRate, 'must be > 0');
  const enc = o.encoder;
  const before = new Map(enc.namedParameters().map((p) => [p.variable, p.variable.trainable]));
  const { peft, lrScale } = await attachVariant(enc, o.variant ?? 'lora', r, o.seed);
  const trainable = summarizeParams(peft.parameterRows()).trainable;
  const opt = new Adam({ learningRate: o.learningRate, ...(lrScale ? { lrScale } : {}) });
  const order = new BatchOrder({ n: o.train.n, batchSize, rng: new Rng(o.seed).fork('batches') });
  const batch = new StepBatch(
    () => rowsTensors(o.train, order.next(), { trimPadding: true }),
    disposeBatch,
  );
  const losses: number[] = [];
  const times: number[] = [];
  try {
    for await (const s of trainLoop({
      optimizer: opt,
      variables: peft.trainableVariables(),
      steps,
      beforeStep: batch.load,
      afterStep: batch.drop,
      loss: () => {
        const b = batch.current();
        return softmaxCrossEntropy(enc.classify(b.ids, b.mask, { training: false }), b.labels);
      },
      ...(o.signal ? { signal: o.signal } : {}),
    })) {
      losses.push(s.loss);
      times.push(s.ms);
      yield { step: s.step, loss: s.loss, ms: s.ms };
    }
    const accuracy = await encoderAccuracy(enc, o.test);
    const sorted = [...times].sort((a, b) => a - b);
    return {
      seed: o.seed,
      r,
      trainable,
      steps: losses.length,
      accuracy,
      finalLoss: tailMean(losses),
      msPerStep: sorted[Math.floor(sorted.length / 2)] ?? NaN,
      stopped: losses.length < steps,
    };
  } finally {
    batch.drop();
    opt.dispose();
    peft.unload();
    for (const [v, t] of before) if (!v.isDisposed) v.trainable = t;
  }
}

/** Runs {@link qloraRun} to the end. */
export async function qloraRunToEnd(o: QloraRunOptions): Promise<QloraRunResult> {
  const it = qloraRun(o);
  for (;;) {
    const x = await it.next();
    if (x.done === true) return x.value;
  }
}
