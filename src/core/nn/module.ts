/**
 * The one module LoRA adapts: a named linear layer owning its weight `[dIn, dOut]` and bias
 * `[dOut]` as `tf.Variable`s. A model exposes its `Linear`s by their Hugging Face names; an adapter
 * attaches itself through `hook` (the base weight is never copied or replaced).
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../rng.ts';
import { linear } from './linear.ts';

/** Thrown when an input's shape does not fit a layer (names the field and the value). */
export class ShapeError extends Error {
  override readonly name = 'ShapeError';
  constructor(
    readonly field: string,
    readonly value: unknown,
    reason: string,
  ) {
    super(`${field} = ${String(value)}: ${reason}`);
  }
}

/** Per-call options of a forward pass. */
export interface ForwardContext {
  /** Training mode: dropout is active. */
  readonly training: boolean;
  /** Source of dropout masks (required when training with a dropout rate > 0). */
  readonly rng?: Rng | undefined;
}

/** Something that replaces a `Linear`'s forward pass (a LoRA adapter, for instance). */
export interface LinearHook {
  /** Computes the output of `module` for `x`; may call `module.baseForward(x)`. */
  forward(x: tf.Tensor, module: Linear, ctx: ForwardContext): tf.Tensor;
}

/** A named linear layer `y = x·W + b` with `W: [dIn, dOut]` (TF.js orientation). */
export class Linear {
  /** What the layer does with its input: `'linear'` (x·W + b) or `'embedding'` (rows of W by id). */
  readonly kind: 'linear' | 'embedding' = 'linear';
  /** Extra behaviour (e.g. LoRA) applied on top of the base layer; `null` for the plain layer. */
  hook: LinearHook | null = null;

  /**
   * @param name  module name, e.g. `roberta.encoder.layer.0.attention.self.query`
   * @param weight `[dIn, dOut]` variable (owned by the model)
   * @param bias `[dOut]` variable or `null`
   */
  constructor(
    readonly name: string,
    public weight: tf.Variable,
    public bias: tf.Variable | null,
  ) {}

  /** Input width d_in. */
  get inFeatures(): number {
    return this.weight.shape[0];
  }

  /** Output width d_out. */
  get outFeatures(): number {
    return this.weight.shape[1] ?? 0;
  }

  /** The base layer only, ignoring any hook: `x·W + b`. */
  baseForward(x: tf.Tensor): tf.Tensor {
    if (x.shape[x.rank - 1] !== this.inFeatures) {
      throw new ShapeError(
        `${this.name} input shape`,
        `[${x.shape.join(', ')}]`,
        `last axis must be ${this.inFeatures}`,
      );
    }
    return linear(x, this.weight, this.bias);
  }

  /** The layer as the model uses it: the hook's forward if one is attached, else the base. */
  apply(x: tf.Tensor, ctx: ForwardContext): tf.Tensor {
    return this.hook ? this.hook.forward(x, this, ctx) : this.baseForward(x);
  }
}
