/**
 * Adam (Kingma & Ba 2015) with optional decoupled weight decay (AdamW, Loshchilov & Hutter 2019)
 * and global-norm gradient clipping, over an explicit list of variables.
 *
 * Only variables that are `trainable` get a gradient and optimiser state: a frozen base weight costs
 * neither memory nor time, and stays bit-identical. State (`m`, `v`) is created lazily per variable
 * the first time it receives a gradient. Update, PyTorch's form:
 * `m ← β₁m + (1−β₁)g`, `v ← β₂v + (1−β₂)g²`, `θ ← θ − lr·(m/(1−β₁ᵗ)) / (√(v/(1−β₂ᵗ)) + ε) − lr·λ·θ`.
 * Everything stays on the backend: no synchronous reads.
 */
import * as tf from '@tensorflow/tfjs';

/** A learning rate: a constant or a function of the (0-based) step. */
export type LearningRate = number | ((step: number) => number);

/** Options of {@link Adam}. */
export interface AdamOptions {
  /** Step size, constant or scheduled (see `train/schedule.ts`). */
  readonly learningRate: LearningRate;
  /** Decay of the first-moment average (default 0.9). */
  readonly beta1?: number;
  /** Decay of the second-moment average (default 0.999). */
  readonly beta2?: number;
  /** Added to √v̂ for stability (default 1e-8). */
  readonly epsilon?: number;
  /** Decoupled weight decay λ (AdamW; default 0). */
  readonly weightDecay?: number;
  /** Variables exempt from weight decay (e.g. biases and LayerNorm). */
  readonly noDecay?: ReadonlySet<tf.Variable>;
  /** Clip the global gradient norm to this value (default: no clipping). */
  readonly clipNorm?: number;
  /**
   * Per-variable multipliers of the learning rate (a variable absent from the map uses the rate
   * itself): optimiser groups with their own rate, e.g. LoRA+'s B factors at ratio × A's
   * (`train/loraplus.ts`). Decoupled weight decay uses the variable's own rate, as PyTorch's AdamW
   * does per group. Default: none.
   */
  readonly lrScale?: ReadonlyMap<tf.Variable, number>;
}

/**
 * Whether a parameter gets decoupled weight decay by the BERT/RoBERTa convention: dense weights
 * only (not biases, LayerNorm parameters or embedding tables).
 */
export function decaysByConvention(name: string): boolean {
  return (
    name.endsWith('.weight') &&
    !name.includes('LayerNorm') &&
    !name.includes('layer_norm') &&
    !name.includes('embeddings')
  );
}

/** Thrown for an invalid optimiser option (names the field and value). */
export class OptimizerError extends Error {
  override readonly name = 'OptimizerError';
  constructor(
    readonly field: string,
    readonly value: unknown,
    reason: string,
  ) {
    super(`${field} = ${String(value)}: ${reason}`);
  }
}

interface Moments {
  m: tf.Variable;
  v: tf.Variable;
}

/** Adam/AdamW over the trainable variables it is given at each step. */
export class Adam {
  private readonly state = new Map<tf.Variable, Moments>();
  private t = 0;
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly epsilon: number;
  private readonly weightDecay: number;

  /** @throws {OptimizerError} on an out-of-range option. */
  constructor(private readonly opts: AdamOptions) {
    this.beta1 = opts.beta1 ?? 0.9;
    this.beta2 = opts.beta2 ?? 0.999;
    this.epsilon = opts.epsilon ?? 1e-8;
    this.weightDecay = opts.weightDecay ?? 0;
    if (typeof opts.learningRate === 'number' && !(opts.learningRate >= 0)) {
      throw new OptimizerError('learningRate', opts.learningRate, 'must be ≥ 0');
    }
    for (const [f, v] of [
      ['beta1', this.beta1],
      ['beta2', this.beta2],
    ] as const) {
      if (!(v >= 0 && v < 1)) throw new OptimizerError(f, v, 'must be in [0, 1)');
    }
    if (!(this.epsilon > 0)) throw new OptimizerError('epsilon', this.epsilon, 'must be > 0');
    if (!(this.weightDecay >= 0))
      throw new OptimizerError('weightDecay', this.weightDecay, 'must be ≥ 0');
    if (opts.clipNorm !== undefined && !(opts.clipNorm > 0)) {
      throw new OptimizerError('clipNorm', opts.clipNorm, 'must be > 0');
    }
    for (const [v, k] of opts.lrScale ?? []) {
      if (!(Number.isFinite(k) && k >= 0))
        throw new OptimizerError(`lrScale[${v.name}]`, k, 'must be a finite number ≥ 0');
    }
  }

  /** Steps taken so far. */
  get iterations(): number {
    return this.t;
  }

  /** The learning rate the next step will use. */
  currentLearningRate(): number {
    const lr = this.opts.learningRate;
    return typeof lr === 'number' ? lr : lr(this.t);
  }

  /** Number of variables holding optimiser state (for tests: frozen ones never do). */
  get stateSize(): number {
    return this.state.size;
  }

  /**
   * Computes `lossFn`'s gradient with respect to the trainable members of `variables`, updates
   * them, and returns the loss (the caller disposes it). Frozen variables are skipped entirely.
   */
  step(lossFn: () => tf.Scalar, variables: readonly tf.Variable[]): tf.Scalar {
    const { loss, norms } = this.stepWithNorms(lossFn, variables, {});
    norms.dispose();
    return loss;
  }

  /**
   * Like {@link step}, and also returns the L2 norm of the raw (unclipped) gradient of each named
   * group of variables, `[groups]` in the order of `Object.keys(groups)` (a variable without a
   * gradient counts 0). Lessons use it to plot ‖∇A‖ and ‖∇B‖ per step. Caller disposes both.
   */
  stepWithNorms(
    lossFn: () => tf.Scalar,
    variables: readonly tf.Variable[],
    groups: Readonly<Record<string, readonly tf.Variable[]>>,
  ): { loss: tf.Scalar; norms: tf.Tensor1D } {
    const trainable = variables.filter((v) => v.trainable);
    if (trainable.length === 0) throw new OptimizerError('variables', 0, 'no trainable variable');
    const lr = this.currentLearningRate();
    if (!(lr >= 0)) throw new OptimizerError('learningRate', lr, `must be ≥ 0 (step ${this.t})`);
    for (const v of [...this.state.keys()]) if (v.isDisposed) this.forget(v); // e.g. a deleted adapter
    const { value, grads } = tf.variableGrads(lossFn, trainable);
    const norms = tf.tidy(() => {
      const perGroup = Object.values(groups).map((vs) => {
        const sq = vs.flatMap((v) => {
          const g = grads[v.name];
          return g ? [tf.sum(tf.square(g))] : [];
        });
        return tf.sqrt(sq.length > 0 ? tf.addN(sq) : tf.scalar(0));
      });
      return perGroup.length > 0 ? tf.stack(perGroup).as1D() : tf.tensor1d([]);
    });
    this.update(trainable, grads, lr);
    tf.dispose(grads);
    return { loss: value, norms };
  }

  /**
   * One update of the trainable members of `variables` with gradients the caller computed
   * (`grads[v.name]`; a variable without one is left alone), at the learning rate the schedule
   * gives for this step — for code that makes its own gradients (test/scripts/lib/mlm-train.test.ts
   * replays pretraining's former hand-written loop with it). The caller disposes `grads`.
   */
  applyGradients(
    variables: readonly tf.Variable[],
    grads: Readonly<Record<string, tf.Tensor>>,
  ): void {
    const lr = this.currentLearningRate();
    if (!(lr >= 0)) throw new OptimizerError('learningRate', lr, `must be ≥ 0 (step ${this.t})`);
    this.update(
      variables.filter((v) => v.trainable),
      grads,
      lr,
    );
  }

  private update(
    trainable: readonly tf.Variable[],
    grads: Readonly<Record<string, tf.Tensor>>,
    lr: number,
  ): void {
    this.t += 1;
    const t = this.t;
    const bc1 = 1 - this.beta1 ** t;
    const bc2 = 1 - this.beta2 ** t;
    tf.tidy(() => {
      let scale: tf.Scalar | null = null;
      if (this.opts.clipNorm !== undefined) {
        const sq = Object.values(grads).map((g) => tf.sum(tf.square(g)));
        const norm = tf.sqrt(tf.addN(sq));
        scale = tf.div(this.opts.clipNorm, tf.maximum(norm, this.opts.clipNorm));
      }
      for (const v of trainable) {
        let g = grads[v.name];
        if (!g) continue;
        if (scale) g = tf.mul(g, scale);
        let s = this.state.get(v);
        if (!s) {
          s = { m: tf.variable(tf.zerosLike(v), false), v: tf.variable(tf.zerosLike(v), false) };
          this.state.set(v, s);
        }
        const m = tf.add(tf.mul(s.m, this.beta1), tf.mul(g, 1 - this.beta1));
        const vv = tf.add(tf.mul(s.v, this.beta2), tf.mul(tf.square(g), 1 - this.beta2));
        s.m.assign(m);
        s.v.assign(vv);
        const denom = tf.add(tf.sqrt(tf.div(vv, bc2)), this.epsilon);
        const k = this.opts.lrScale?.get(v);
        const lrv = k === undefined ? lr : lr * k;
        let upd = tf.div(tf.mul(m, lrv / bc1), denom);
        if (this.weightDecay > 0 && !this.opts.noDecay?.has(v)) {
          upd = tf.add(upd, tf.mul(v, lrv * this.weightDecay));
        }
        v.assign(tf.sub(v, upd));
      }
    });
  }

  /**
   * The moments as tensors keyed `m:<name>` and `v:<name>` (for checkpoints; the caller disposes
   * them), with `nameOf` naming each variable (e.g. its parameter name).
   */
  moments(nameOf: (v: tf.Variable) => string): Record<string, tf.Tensor> {
    const out: Record<string, tf.Tensor> = {};
    for (const [v, s] of this.state) out[`m:${nameOf(v)}`] = s.m.clone();
    for (const [v, s] of this.state) out[`v:${nameOf(v)}`] = s.v.clone();
    return out;
  }

  /**
   * Restores moments saved by {@link moments} (names resolved by `variableOf`; unknown names are
   * skipped) and the number of steps taken, so a resumed run continues exactly.
   */
  restore(
    moments: Readonly<Record<string, tf.Tensor>>,
    steps: number,
    variableOf: (name: string) => tf.Variable | undefined,
  ): void {
    if (!Number.isInteger(steps) || steps < 0)
      throw new OptimizerError('steps', steps, 'must be a non-negative integer');
    this.dispose();
    for (const [key, t] of Object.entries(moments)) {
      const v = variableOf(key.slice(2));
      if (!v) continue;
      const s =
        this.state.get(v) ??
        tf.tidy(() => ({
          m: tf.variable(tf.zerosLike(v), false),
          v: tf.variable(tf.zerosLike(v), false),
        }));
      (key.startsWith('m:') ? s.m : s.v).assign(t);
      this.state.set(v, s);
    }
    this.t = steps;
  }

  /** Frees the optimiser state of one variable (e.g. when an adapter is deleted). */
  forget(variable: tf.Variable): void {
    const s = this.state.get(variable);
    if (s) {
      s.m.dispose();
      s.v.dispose();
      this.state.delete(variable);
    }
  }

  /** Frees all optimiser state. */
  dispose(): void {
    for (const s of this.state.values()) {
      s.m.dispose();
      s.v.dispose();
    }
    this.state.clear();
  }
}
