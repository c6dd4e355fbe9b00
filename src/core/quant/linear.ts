/**
 * QLoRA's frozen base layer: a {@link Linear} whose weight is held block-wise quantised (NF4 or
 * int8, see `blockwise.ts`) in typed arrays and dequantised to a transient float32 tensor on every
 * forward pass, as QLoRA does (Dettmers et al. 2023, eq. 5: `Y = X·doubleDequant(c₁, c₂, W) +
 * X·L₁·L₂`). LoRA attaches to it exactly as to a plain `Linear` (its `hook`), with float32 factors.
 *
 * Design: the core's `Linear` owns a float `weight` variable that LoRA never touches except when
 * merging; this subclass keeps an empty `[dIn, 0]` frozen variable there and overrides
 * `baseForward`, `inFeatures` and `outFeatures`, so neither `nn/` nor `lora/` changes. The base's
 * backward pass returns only `dX` (and `db` for a trainable bias): the dequantised weight is not an
 * input of the gradient, so no `Xᵀ·dY` is computed for it. Merging an adapter into a quantised
 * weight is not supported: take {@link QuantizedLinear.toLinear} (a float copy) and merge there.
 */
import * as tf from '@tensorflow/tfjs';
import { Linear, ShapeError } from '../nn/module.ts';
import { dequantize, quantize, type QuantOptions, type QuantizedTensor } from './blockwise.ts';
import { QuantError } from './errors.ts';

/** The dequantised weight as a float32 tensor of its shape (caller disposes). */
export function dequantizeTensor(q: QuantizedTensor): tf.Tensor {
  return tf.tensor(dequantize(q), [...q.shape], 'float32');
}

function flat2d(t: tf.Tensor): tf.Tensor2D {
  return t.reshape([-1, t.shape[t.rank - 1] ?? 1]);
}

/** `x·W (+ b)` for a constant `W` (no gradient); `dX = dY·Wᵀ`, `db = Σ dY` unless b is frozen. */
function constantWeightLinear(x: tf.Tensor, w: tf.Tensor2D, b: tf.Variable | null): tf.Tensor {
  const outShape = [...x.shape.slice(0, -1), w.shape[1]];
  const dx = (dy: tf.Tensor, ws: tf.Tensor2D, xs: tf.Tensor) =>
    tf.matMul(flat2d(dy), tf.transpose(ws)).reshape(xs.shape);
  if (!b) {
    const f = tf.customGrad((xi, save) => {
      const xt = xi as tf.Tensor;
      (save as tf.GradSaveFunc)([xt, w]);
      return {
        value: tf.matMul(flat2d(xt), w).reshape(outShape),
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const [xs, ws] = saved as [tf.Tensor, tf.Tensor2D];
          return [dx(dy, ws, xs)];
        },
      };
    });
    return f(x);
  }
  const f = tf.customGrad((xi, bi, save) => {
    const xt = xi as tf.Tensor;
    (save as tf.GradSaveFunc)([xt, w]);
    return {
      value: tf.add(tf.matMul(flat2d(xt), w), bi as tf.Tensor).reshape(outShape),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, ws] = saved as [tf.Tensor, tf.Tensor2D];
        const dy2 = flat2d(dy);
        const db = b.trainable
          ? tf.matMul(tf.ones([1, dy2.shape[0]]), dy2).as1D()
          : tf.zeros(b.shape);
        return [dx(dy, ws, xs), db];
      },
    };
  });
  return f(x, b);
}

function placeholder(q: QuantizedTensor): tf.Variable {
  if (q.shape.length !== 2) {
    throw new QuantError('shape', `[${q.shape.join(', ')}]`, 'a linear weight is [dIn, dOut]');
  }
  const empty = tf.zeros([q.shape[0] ?? 0, 0]);
  const v = tf.variable(empty, false);
  empty.dispose();
  return v;
}

/** A frozen linear layer whose weight is stored quantised and dequantised on each forward pass. */
export class QuantizedLinear extends Linear {
  /**
   * @param name module name (as the float layer it replaces)
   * @param quantized the weight `[dIn, dOut]`, block-wise quantised
   * @param bias `[dOut]` variable or `null` (kept in float32, not owned)
   * @throws {QuantError} when `quantized` is not two-dimensional.
   */
  constructor(
    name: string,
    readonly quantized: QuantizedTensor,
    bias: tf.Variable | null,
  ) {
    super(name, placeholder(quantized), bias);
  }

  /** Quantises a float `Linear`'s weight (read once, awaited) and shares its bias variable. */
  static async fromLinear(lin: Linear, opts: QuantOptions): Promise<QuantizedLinear> {
    const w = await lin.weight.data<'float32'>();
    return new QuantizedLinear(lin.name, quantize(w, opts, lin.weight.shape), lin.bias);
  }

  /** Input width d_in. */
  override get inFeatures(): number {
    return this.quantized.shape[0] ?? 0;
  }

  /** Output width d_out. */
  override get outFeatures(): number {
    return this.quantized.shape[1] ?? 0;
  }

  /** `x·dequant(W) + b`, the dequantised weight living only for this call (and its backward). */
  override baseForward(x: tf.Tensor): tf.Tensor {
    if (x.shape[x.rank - 1] !== this.inFeatures) {
      throw new ShapeError(
        `${this.name} input shape`,
        `[${x.shape.join(', ')}]`,
        `last axis must be ${this.inFeatures}`,
      );
    }
    return tf.tidy(() =>
      constantWeightLinear(x, dequantizeTensor(this.quantized) as tf.Tensor2D, this.bias),
    );
  }

  /** A float `Linear` with the dequantised weight (a new variable, frozen) and the same bias. */
  toLinear(): Linear {
    const w = dequantizeTensor(this.quantized);
    const v = tf.variable(w, false);
    w.dispose();
    return new Linear(this.name, v, this.bias);
  }

  /** Frees the placeholder variable (the bias belongs to whoever passed it). */
  dispose(): void {
    this.weight.dispose();
  }
}
