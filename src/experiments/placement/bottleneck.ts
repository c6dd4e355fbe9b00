/**
 * A serial bottleneck adapter (Houlsby et al. 2019, "Parameter-Efficient Transfer Learning for
 * NLP", §2.1 and Fig. 2): after a sub-layer's output `h: [..., d]` it computes
 * `h + act(h·W_down + b_down)·W_up + b_up` with `W_down: [d, m]`, `W_up: [m, d]` and m ≪ d.
 * It runs *after* the module it adapts (a sequential step), unlike LoRA's branch, which runs beside
 * it and can be merged into the weight.
 *
 * Initialisation: Houlsby et al. start "near identity" (all adapter weights drawn with a small std,
 * 1e-2 in their code); `upInit: 'zero'` (the default here) makes the start exactly the identity, as
 * LoRA's B = 0 does, so that "a fresh adapter leaves the model unchanged" holds to the bit.
 *
 * Attaching it as a {@link LinearHook} to `attention.output.dense` and `output.dense` of an encoder
 * layer places it where Houlsby et al. put theirs: on the sub-layer output, before the residual
 * addition and LayerNorm.
 */
import * as tf from '@tensorflow/tfjs';
import { gelu } from '../../core/nn/activations.ts';
import { linear } from '../../core/nn/linear.ts';
import type { ForwardContext, Linear, LinearHook } from '../../core/nn/module.ts';
import { Rng, randn } from '../../core/rng.ts';
import { PlacementError } from './errors.ts';

/** Options of a {@link BottleneckAdapter}. */
export interface BottleneckOptions {
  /** Width of the adapted output, d. */
  readonly dModel: number;
  /** Bottleneck width m (Houlsby et al. try 8–256). */
  readonly bottleneck: number;
  /** Non-linearity between the projections (default 'relu'). */
  readonly activation?: 'relu' | 'gelu';
  /** Std of the normal init of W_down (and of W_up when `upInit` is 'near-identity'); default 1e-2. */
  readonly initStd?: number;
  /** 'zero' (default): W_up = 0, exact identity at start; 'near-identity': W_up ~ N(0, initStd²). */
  readonly upInit?: 'zero' | 'near-identity';
  /** Seed of the init (default 0). */
  readonly seed?: number;
}

/** Houlsby's serial bottleneck adapter; owns four variables (trainable). */
export class BottleneckAdapter {
  /** `[d, m]`. */
  readonly down: tf.Variable;
  /** `[m]`. */
  readonly downBias: tf.Variable;
  /** `[m, d]`. */
  readonly up: tf.Variable;
  /** `[d]`. */
  readonly upBias: tf.Variable;
  private readonly act: 'relu' | 'gelu';

  /** @throws {PlacementError} for a non-positive width or a bottleneck wider than d. */
  constructor(opts: BottleneckOptions) {
    const { dModel: d, bottleneck: m } = opts;
    if (!Number.isInteger(d) || d < 1)
      throw new PlacementError('dModel', d, 'must be a positive integer');
    if (!Number.isInteger(m) || m < 1 || m > d)
      throw new PlacementError('bottleneck', m, `must be an integer in [1, ${d}]`);
    const std = opts.initStd ?? 1e-2;
    if (!(std >= 0)) throw new PlacementError('initStd', std, 'must be ≥ 0');
    const upInit: string = opts.upInit ?? 'zero';
    if (upInit !== 'zero' && upInit !== 'near-identity')
      throw new PlacementError('upInit', upInit, "must be 'zero' or 'near-identity'");
    const act: string = opts.activation ?? 'relu';
    if (act !== 'relu' && act !== 'gelu')
      throw new PlacementError('activation', act, "must be 'relu' or 'gelu'");
    this.act = act;
    const rng = new Rng(opts.seed ?? 0);
    const own = (t: tf.Tensor): tf.Variable => {
      const v = tf.variable(t, true);
      t.dispose();
      return v;
    };
    this.down = own(randn(rng.fork('down'), [d, m], std));
    this.downBias = own(tf.zeros([m]));
    this.up = own(upInit === 'zero' ? tf.zeros([m, d]) : randn(rng.fork('up'), [m, d], std));
    this.upBias = own(tf.zeros([d]));
  }

  /** d. */
  get dModel(): number {
    return this.down.shape[0];
  }

  /** m. */
  get bottleneck(): number {
    return this.down.shape[1] ?? 0;
  }

  /** Trainable scalars: 2·d·m + m + d. */
  get parameterCount(): number {
    const d = this.dModel;
    const m = this.bottleneck;
    return 2 * d * m + m + d;
  }

  /** The four variables. */
  variables(): tf.Variable[] {
    return [this.down, this.downBias, this.up, this.upBias];
  }

  /** `h + act(h·W_down + b_down)·W_up + b_up`, for `h: [..., d]`. */
  forward(h: tf.Tensor): tf.Tensor {
    if (h.shape[h.rank - 1] !== this.dModel)
      throw new PlacementError('input width', h.shape[h.rank - 1], `must be ${this.dModel}`);
    return tf.tidy(() => {
      const z = linear(h, this.down, this.downBias); // [..., m]
      const a = this.act === 'relu' ? tf.relu(z) : gelu(z); // [..., m]
      return tf.add(h, linear(a, this.up, this.upBias)); // [..., d]
    });
  }

  /** Frees the variables. */
  dispose(): void {
    tf.dispose(this.variables());
  }
}

/**
 * A {@link LinearHook} running a {@link BottleneckAdapter} after the module's own output:
 * `adapter(x·W + b)`. The module's weight is untouched (freeze it separately).
 */
export class SerialAdapterHook implements LinearHook {
  constructor(readonly adapter: BottleneckAdapter) {}

  /** The base layer, then the adapter on its output. */
  forward(x: tf.Tensor, module: Linear, _ctx: ForwardContext): tf.Tensor {
    return tf.tidy(() => this.adapter.forward(module.baseForward(x)));
  }
}
