/**
 * A whole quantised base, as QLoRA trains on: every linear layer of the encoder's transformer
 * blocks becomes a {@link QuantizedLinear} (codes and constants in typed arrays, dequantised on each
 * forward pass); the embeddings, LayerNorms, biases and the heads stay float32, as bitsandbytes
 * leaves them (it quantises the blocks' `nn.Linear` weights only). LoRA then attaches to the
 * quantised layers exactly as to float ones.
 */
import * as tf from '@tensorflow/tfjs';
import type { Encoder } from '../models/encoder.ts';
import { quantizedBytes, type QuantBytes, type QuantOptions } from './blockwise.ts';
import { QuantError } from './errors.ts';
import { dequantizeTensor, QuantizedLinear } from './linear.ts';

/** What quantising one matrix cost and changed. */
export interface QuantizedMatrixReport {
  /** Module name, e.g. `roberta.encoder.layer.0.attention.self.query`. */
  readonly name: string;
  /** `[dIn, dOut]`. */
  readonly shape: readonly [number, number];
  /** Bytes of the float32 weight it replaced. */
  readonly floatBytes: number;
  /** Bytes the quantised weight holds, by part. */
  readonly bytes: QuantBytes;
  /** ‖W − dequant(quant(W))‖_F / ‖W‖_F. */
  readonly relativeError: number;
  /** max |W − dequant(quant(W))|. */
  readonly maxAbsError: number;
}

/** The result of {@link quantizeEncoderBase}. */
export interface QuantizedBaseReport {
  /** The options used. */
  readonly options: QuantOptions;
  /** One row per quantised matrix, in the encoder's order. */
  readonly matrices: readonly QuantizedMatrixReport[];
  /** Σ floatBytes. */
  readonly floatBytes: number;
  /** Σ bytes.total. */
  readonly quantizedBytes: number;
}

/** The linear layers of the transformer blocks (`roberta.encoder.layer.*`): what QLoRA quantises. */
export function blockLinearNames(encoder: Encoder): string[] {
  return [...encoder.linearModules().keys()].filter((n) => n.startsWith('roberta.encoder.layer.'));
}

/** A quantised base computed but not yet in the encoder (see {@link planQuantizedBase}). */
export interface QuantizedBasePlan {
  /** What installing it will hold and change. */
  readonly report: QuantizedBaseReport;
  /**
   * Puts the quantised layers into the encoder and frees the float weights — synchronously, so a
   * caller can count TF.js's bytes just before and after with nothing else running in between.
   */
  install(): void;
  /** Frees the quantised layers instead of installing them. */
  discard(): void;
}

/**
 * Quantises every block linear layer of `encoder` (reading the weights asynchronously) without
 * changing the encoder yet; {@link QuantizedBasePlan.install} swaps the layers in.
 * @throws {QuantError} for bad options or a layer quantised already (nothing is kept).
 */
export async function planQuantizedBase(
  encoder: Encoder,
  options: QuantOptions,
): Promise<QuantizedBasePlan> {
  const names = blockLinearNames(encoder);
  const planned: [string, QuantizedLinear, QuantizedMatrixReport][] = [];
  for (const name of names) {
    const lin = encoder.linear(name);
    if (lin instanceof QuantizedLinear)
      throw new QuantError('module', name, 'is quantised already');
  }
  try {
    for (const name of names) {
      const lin = encoder.linear(name);
      const w = await lin.weight.data<'float32'>();
      const q = await QuantizedLinear.fromLinear(lin, options);
      const back = dequantizeTensor(q.quantized);
      const restored = await back.data<'float32'>();
      back.dispose();
      let err2 = 0;
      let norm2 = 0;
      let maxAbs = 0;
      for (let i = 0; i < w.length; i++) {
        const x = w[i] ?? 0;
        const d = x - (restored[i] ?? 0);
        err2 += d * d;
        norm2 += x * x;
        maxAbs = Math.max(maxAbs, Math.abs(d));
      }
      planned.push([
        name,
        q,
        {
          name,
          shape: [lin.inFeatures, lin.outFeatures],
          floatBytes: w.length * 4,
          bytes: quantizedBytes(q.quantized),
          relativeError: norm2 > 0 ? Math.sqrt(err2 / norm2) : 0,
          maxAbsError: maxAbs,
        },
      ]);
    }
  } catch (e) {
    for (const [, q] of planned) q.dispose();
    throw e;
  }
  const matrices = planned.map(([, , r]) => r);
  let done = false;
  const once = (): void => {
    if (done) throw new QuantError('plan', 'used', 'a plan is installed or discarded once');
    done = true;
  };
  return {
    report: {
      options,
      matrices,
      floatBytes: matrices.reduce((n, m) => n + m.floatBytes, 0),
      quantizedBytes: matrices.reduce((n, m) => n + m.bytes.total, 0),
    },
    install: () => {
      once();
      for (const [name, q] of planned) encoder.replaceLinear(name, q);
    },
    discard: () => {
      once();
      for (const [, q] of planned) q.dispose();
    },
  };
}

/**
 * Replaces every block linear layer of `encoder` (in place) by a quantised copy and reports, per
 * matrix, the bytes held and the reconstruction error. The float weights are freed.
 * @throws {QuantError} for bad options (before anything changes) or a layer quantised already.
 */
export async function quantizeEncoderBase(
  encoder: Encoder,
  options: QuantOptions,
): Promise<QuantizedBaseReport> {
  const plan = await planQuantizedBase(encoder, options);
  plan.install();
  return plan.report;
}

/** Bytes of the encoder's float32 parameters (what TF.js holds for it besides quantised layers). */
export function floatParameterBytes(encoder: Encoder): number {
  return encoder.namedParameters().reduce((n, p) => n + p.variable.size * 4, 0);
}

/** The dequantised weight of a quantised layer of `encoder` as a float tensor (caller disposes). */
export function dequantizedWeight(encoder: Encoder, name: string): tf.Tensor {
  const lin = encoder.linear(name);
  if (!(lin instanceof QuantizedLinear))
    throw new QuantError('module', name, 'is not a quantised layer');
  return dequantizeTensor(lin.quantized);
}
