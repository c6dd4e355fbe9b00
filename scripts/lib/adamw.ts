/**
 * AdamW (Loshchilov & Hutter 2019, decoupled weight decay) with the learning rate passed per step,
 * so the pretraining script can run its own warmup + linear-decay schedule. Moments live in
 * variables owned by this object; `dispose()` frees them. Biases, LayerNorm parameters and the
 * embedding tables get no weight decay (the BERT/RoBERTa convention).
 */
import * as tf from '@tensorflow/tfjs';

/** Hyper-parameters (RoBERTa's pretraining values, Liu et al. 2019 Table 9, except the LR). */
export interface AdamWOptions {
  beta1?: number;
  beta2?: number;
  eps?: number;
  weightDecay?: number;
}

/** AdamW over named variables. */
export class AdamW {
  private readonly m = new Map<string, tf.Variable>();
  private readonly v = new Map<string, tf.Variable>();
  private t = 0;
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly eps: number;
  private readonly weightDecay: number;

  constructor(opts: AdamWOptions = {}) {
    this.beta1 = opts.beta1 ?? 0.9;
    this.beta2 = opts.beta2 ?? 0.98;
    this.eps = opts.eps ?? 1e-6;
    this.weightDecay = opts.weightDecay ?? 0.01;
  }

  /** Whether a parameter gets weight decay: only dense weights (not biases, norms, embeddings). */
  static decays(name: string): boolean {
    return (
      name.endsWith('.weight') &&
      !name.includes('LayerNorm') &&
      !name.includes('layer_norm') &&
      !name.includes('embeddings')
    );
  }

  /** One update of `vars` with `grads` (same names) at learning rate `lr`. */
  apply(
    vars: ReadonlyMap<string, tf.Variable>,
    grads: Readonly<Record<string, tf.Tensor>>,
    lr: number,
  ): void {
    this.t++;
    const bc1 = 1 - this.beta1 ** this.t;
    const bc2 = 1 - this.beta2 ** this.t;
    for (const [name, w] of vars) {
      const g = grads[name];
      if (g === undefined) continue;
      let m = this.m.get(name);
      let v = this.v.get(name);
      if (m === undefined || v === undefined) {
        m = tf.variable(tf.zerosLike(w), false);
        v = tf.variable(tf.zerosLike(w), false);
        this.m.set(name, m);
        this.v.set(name, v);
      }
      const mm = m;
      const vv = v;
      tf.tidy(() => {
        const m1 = tf.add(tf.mul(mm, this.beta1), tf.mul(g, 1 - this.beta1));
        const v1 = tf.add(tf.mul(vv, this.beta2), tf.mul(tf.square(g), 1 - this.beta2));
        mm.assign(m1);
        vv.assign(v1);
        const step = tf.div(tf.div(m1, bc1), tf.add(tf.sqrt(tf.div(v1, bc2)), this.eps));
        const decay = AdamW.decays(name) ? tf.mul(w, lr * this.weightDecay) : tf.scalar(0);
        w.assign(tf.sub(tf.sub(w, tf.mul(step, lr)), decay));
      });
    }
  }

  /** Number of updates applied so far (for bias correction; saved in checkpoints). */
  get steps(): number {
    return this.t;
  }

  /** The moments by parameter name, `m` then `v` (for checkpoints; caller disposes). */
  moments(): Record<string, tf.Tensor> {
    const out: Record<string, tf.Tensor> = {};
    for (const [n, m] of this.m) out[`m:${n}`] = m.clone();
    for (const [n, v] of this.v) out[`v:${n}`] = v.clone();
    return out;
  }

  /** Restores moments saved by {@link moments} and the update count. */
  restore(moments: Readonly<Record<string, tf.Tensor>>, steps: number): void {
    this.dispose();
    for (const [key, t] of Object.entries(moments)) {
      const name = key.slice(2);
      (key.startsWith('m:') ? this.m : this.v).set(name, tf.variable(t.clone(), false));
    }
    this.t = steps;
  }

  /** Frees the moment variables. */
  dispose(): void {
    for (const x of [...this.m.values(), ...this.v.values()]) x.dispose();
    this.m.clear();
    this.v.clear();
  }
}

/** Linear warmup to `peak` over `warmup` steps, then linear decay to `peak · floor` at `total`. */
export function learningRate(
  step: number,
  total: number,
  warmup: number,
  peak: number,
  floor = 0.05,
): number {
  if (step < warmup) return (peak * (step + 1)) / warmup;
  const frac = Math.min(1, (step - warmup) / Math.max(1, total - warmup));
  return peak * (1 - (1 - floor) * frac);
}
