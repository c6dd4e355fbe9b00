/**
 * LoRA on one linear layer: `h = x·W + b + Σ_active dropout(x)·A·B·scaling(·gate)`
 * (Hu et al. 2021, eq. 3, in row-vector form). The base weight is never copied: the adapter is a
 * {@link LinearHook} on the model's own {@link Linear}, and several named adapters can sit on one
 * layer; the owning `PeftModel` says which one is active.
 *
 * DoRA (Liu et al. 2024) replaces the layer's weight by `W' = m ⊙ V / ‖V‖_col` with
 * `V = W0 + s·A·B`: `‖V‖_col` is the L2 norm of each output unit's weights (PEFT's
 * `torch.linalg.norm(W, dim=1)` on its `[out, in]` weight is, on our `[dIn, dOut]` weight, the norm
 * of each column, over axis 0), and `m` (`[dOut]`) is trainable.
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
  /** DoRA's magnitude `m`, `[dOut]` (PEFT's `lora_magnitude_vector`); absent or null without DoRA. */
  readonly magnitude?: tf.Variable | null;
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

/**
 * Identity forward, zero gradient: PyTorch's `tensor.detach()`, which TF.js lacks. DoRA's column
 * norm goes through it (see {@link doraColumnNorm}).
 */
const detach = tf.customGrad((x, _save) => ({
  value: tf.clone(x as tf.Tensor),
  gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
}));

/**
 * DoRA's column norm `‖W0 + s·A·B‖` per output unit, `[dOut]`, treated as a constant in
 * backpropagation, as PEFT does (`weight_norm.detach()` in `DoraLinearLayer.forward`) following
 * the DoRA paper, §4.3: "we suggest treating ‖V + ∆V‖_c in Eq. (5) as a constant, thereby
 * detaching it from the gradient graph". A and B still get their gradient through the direction's
 * numerator, and m through `m / ‖·‖`.
 */
export function doraColumnNorm(w0: tf.Tensor, f: LoraFactors): tf.Tensor1D {
  return tf.tidy(() => {
    const v = tf.add(w0, tf.mul(tf.matMul(f.a, f.b), f.scaling));
    return detach(tf.norm(v, 'euclidean', 0)) as tf.Tensor1D;
  });
}

/** The LoRA hook of one linear layer, holding every adapter that targets it. */
export class LoraLinear implements LinearHook {
  /** Adapters on this layer by adapter name. */
  readonly adapters = new Map<string, LoraFactors>();
  /** The base weight as it was before a DoRA adapter was merged (restored by unmerge). */
  private doraBase: tf.Tensor | null = null;

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
      if (f.magnitude) return this.doraForward(base, x, xin, low, module, f.magnitude, f);
      let upd = tf.mul(low, f.scaling);
      if (f.gate) upd = tf.mul(upd, f.gate);
      return tf.add(base, upd);
    });
  }

  /**
   * DoRA's output, in PEFT's form (`DoraLinearLayer.forward`): with `g = m / ‖W0 + s·A·B‖` per
   * output unit, `h = x·W0 + b + (g − 1)·(x̃·W0) + g·s·(x̃·A·B)`, x̃ = dropout(x). Without dropout
   * (x̃ = x) this is `x·(g ⊙ (W0 + s·A·B)) + b`, the merged weight's output; with dropout, as in
   * PEFT, the base path sees x and the DoRA correction sees x̃.
   */
  private doraForward(
    base: tf.Tensor,
    x: tf.Tensor,
    xin: tf.Tensor,
    low: tf.Tensor,
    module: Linear,
    magnitude: tf.Variable,
    f: LoraFactors,
  ): tf.Tensor {
    const g = tf.div(magnitude, doraColumnNorm(module.weight, f)); // [dOut]
    const baseIn =
      xin === x ? (module.bias ? tf.sub(base, module.bias) : base) : linear(xin, module.weight); // x̃·W0, no bias
    const correction = tf.add(tf.mul(tf.sub(g, 1), baseIn), tf.mul(tf.mul(low, f.scaling), g));
    return tf.add(base, correction);
  }

  /**
   * ΔW, `[dIn, dOut]` (caller disposes): A·B·scaling(·gate); for DoRA the whole change the adapter
   * makes, `m ⊙ (W0 + s·A·B)/‖W0 + s·A·B‖ − W0` (PEFT's `get_delta_weight` returns only s·B·A;
   * the full change is what a reader plotting ΔW wants, and what merging applies).
   */
  deltaWeight(adapter: string): tf.Tensor {
    const f = this.adapters.get(adapter);
    if (!f) throw new RangeError(`adapter = "${adapter}": not on ${this.module.name}`);
    if (f.magnitude) {
      const w0 = this.doraBase ?? this.module.weight;
      return tf.tidy(() => tf.sub(this.doraWeight(f, w0), w0));
    }
    return tf.tidy(() => {
      const d = tf.mul(tf.matMul(f.a, f.b), f.scaling);
      return f.gate ? tf.mul(d, f.gate) : d;
    });
  }

  /** DoRA's weight `m ⊙ (W0 + s·A·B) / ‖W0 + s·A·B‖_col` for a given W0 (caller disposes). */
  private doraWeight(f: LoraFactors, w0: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const v = tf.add(w0, tf.mul(tf.matMul(f.a, f.b), f.scaling));
      const norm = tf.norm(v, 'euclidean', 0); // [dOut]
      return tf.mul(v, tf.div(f.magnitude ?? norm, norm));
    });
  }

  /**
   * What merging `adapter` writes (caller disposes): ΔW, added to the weight by
   * {@link mergeWeight}; for DoRA the whole new weight `m ⊙ (W0 + s·A·B) / ‖W0 + s·A·B‖_col`
   * (PEFT's merge, computed in one step rather than as W0 plus a difference).
   */
  mergeValue(adapter: string): tf.Tensor {
    const f = this.adapters.get(adapter);
    if (!f) throw new RangeError(`adapter = "${adapter}": not on ${this.module.name}`);
    return f.magnitude ? this.doraWeight(f, this.module.weight) : this.deltaWeight(adapter);
  }

  /**
   * Merges `value` (from {@link mergeValue}): W ← W + ΔW; for DoRA W0 is kept first and the new
   * weight written, so {@link unmergeWeight} restores W0 bit for bit (DoRA's merge is no sum).
   */
  mergeWeight(adapter: string, value: tf.Tensor): void {
    if (this.adapters.get(adapter)?.magnitude) {
      this.doraBase = this.module.weight.clone();
      this.module.weight.assign(value);
      return;
    }
    tf.tidy(() => {
      this.module.weight.assign(tf.add(this.module.weight, value));
    });
  }

  /** Undoes {@link mergeWeight}: W0 restored (LoRA: within float32 rounding; DoRA: exactly). */
  unmergeWeight(adapter: string): void {
    if (this.adapters.get(adapter)?.magnitude) {
      const w0 = this.doraBase;
      if (w0) this.module.weight.assign(w0);
      w0?.dispose();
      this.doraBase = null;
      return;
    }
    tf.tidy(() => {
      this.module.weight.assign(tf.sub(this.module.weight, this.deltaWeight(adapter)));
    });
  }

  /** Frees one adapter's variables. */
  remove(adapter: string): void {
    const f = this.adapters.get(adapter);
    if (!f) return;
    f.a.dispose();
    f.b.dispose();
    f.gate?.dispose();
    if (f.magnitude) {
      this.doraBase?.dispose(); // a merged DoRA adapter's W0 (its merged weight stays)
      this.doraBase = null;
      f.magnitude.dispose();
    }
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
