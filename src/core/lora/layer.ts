/**
 * LoRA on one linear layer: `h = x·W + b + Σ_active dropout(x)·A·B·scaling(·gate)`
 * (Hu et al. 2021, eq. 3, in row-vector form). The base weight is never copied: the adapter is a
 * {@link LinearHook} on the model's own {@link Linear}, and several named adapters can sit on one
 * layer; the owning `PeftModel` says which one is active.
 */
import * as tf from '@tensorflow/tfjs';
import { dropout } from '../nn/activations.ts';
import { gatherRows } from '../nn/embedding.ts';
import { linear } from '../nn/linear.ts';
import type { ForwardContext, Linear, LinearHook } from '../nn/module.ts';

/** One adapter's factors on one layer. */
export interface LoraFactors {
  /** `[dIn, r]`. */
  readonly a: tf.Variable;
  /** `[r, dOut]`. */
  readonly b: tf.Variable;
  /** Learned scalar gate (`'gated'` init only). */
  readonly gate: tf.Variable | null;
  /** loraAlpha / r (or / √r). */
  readonly scaling: number;
  /** Dropout rate on the adapter's input. */
  readonly dropout: number;
}

/** Which adapter is live, shared by every {@link LoraLinear} of one PeftModel. */
export interface AdapterState {
  /** The active adapter's name (null when none is left). */
  active: string | null;
  /** When true, forward passes use the base layers only. */
  disabled: boolean;
  /** Adapters currently merged into the base weights. */
  readonly merged: Set<string>;
}

/** The LoRA hook of one linear layer, holding every adapter that targets it. */
export class LoraLinear implements LinearHook {
  /** Adapters on this layer by adapter name. */
  readonly adapters = new Map<string, LoraFactors>();

  constructor(
    readonly module: Linear,
    private readonly state: AdapterState,
  ) {}

  /** The adapter whose update applies now: null when disabled, merged or none is active. */
  protected active(): string | null {
    const name = this.state.active;
    if (name === null || this.state.disabled || this.state.merged.has(name)) return null;
    return this.adapters.has(name) ? name : null;
  }

  /** Base output plus the active, unmerged adapter's low-rank update. */
  forward(x: tf.Tensor, module: Linear, ctx: ForwardContext): tf.Tensor {
    const name = this.active();
    const f = name === null ? undefined : this.adapters.get(name);
    if (!f) return module.baseForward(x);
    return tf.tidy(() => {
      const base = module.baseForward(x); // [..., dOut]
      const xin = ctx.training && f.dropout > 0 && ctx.rng ? dropout(x, f.dropout, ctx.rng) : x;
      const low = linear(linear(xin, f.a), f.b); // [..., r] → [..., dOut]
      let upd = tf.mul(low, f.scaling);
      if (f.gate) upd = tf.mul(upd, f.gate);
      return tf.add(base, upd);
    });
  }

  /** ΔW = A·B·scaling(·gate), `[dIn, dOut]` (caller disposes). */
  deltaWeight(adapter: string): tf.Tensor {
    const f = this.adapters.get(adapter);
    if (!f) throw new RangeError(`adapter = "${adapter}": not on ${this.module.name}`);
    return tf.tidy(() => {
      const d = tf.mul(tf.matMul(f.a, f.b), f.scaling);
      return f.gate ? tf.mul(d, f.gate) : d;
    });
  }

  /** Frees one adapter's variables. */
  remove(adapter: string): void {
    const f = this.adapters.get(adapter);
    if (!f) return;
    f.a.dispose();
    f.b.dispose();
    f.gate?.dispose();
    this.adapters.delete(adapter);
  }
}

/**
 * The LoRA hook of an embedding table: `rows(W, ids) + rows(A, ids)·B·scaling` — the row lookup of
 * ΔW = A·B without forming it (PEFT's `Embedding` layer: no dropout on token ids). Merging and
 * ΔW are those of {@link LoraLinear}, since the table is `[rows, width]` like a weight.
 */
export class LoraEmbedding extends LoraLinear {
  /** Base rows plus the active, unmerged adapter's low-rank rows. */
  override forward(ids: tf.Tensor, module: Linear): tf.Tensor {
    const name = this.active();
    const f = name === null ? undefined : this.adapters.get(name);
    if (!f) return module.baseForward(ids);
    return tf.tidy(() => {
      const low = linear(gatherRows(f.a, ids), f.b); // [..., r] → [..., width]
      return tf.add(module.baseForward(ids), tf.mul(low, f.scaling));
    });
  }
}
