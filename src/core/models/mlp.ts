/**
 * A multilayer perceptron with named linear layers (`layers.0`, `layers.1`, …) so that LoRA can
 * target them like any other model: `x → [linear → activation]* → linear` (logits).
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../rng.ts';
import { gelu } from '../nn/activations.ts';
import { Linear } from '../nn/module.ts';
import { ParamStore } from './params-store.ts';
import type { LoadReport, Module, NamedParameter } from './types.ts';

/** Shape of an MLP. */
export interface MlpConfig {
  /** Layer widths from input to output, e.g. `[784, 256, 10]` (at least two). */
  readonly sizes: readonly number[];
  /** Hidden activation. */
  readonly activation: 'relu' | 'tanh' | 'gelu';
  /** Whether each linear layer has a bias. */
  readonly bias: boolean;
}

/** Thrown for an invalid MLP config (names the field and value). */
export class MlpConfigError extends Error {
  override readonly name = 'MlpConfigError';
  constructor(
    readonly field: string,
    readonly value: unknown,
    reason: string,
  ) {
    super(`${field} = ${String(value)}: ${reason}`);
  }
}

/**
 * An MLP owning its variables. Weights start Kaiming/He-uniform (He et al. 2015) for ReLU,
 * Glorot-uniform (Glorot & Bengio 2010) otherwise; biases zero.
 */
export class Mlp implements Module {
  private readonly store = new ParamStore();
  private readonly linears = new Map<string, Linear>();
  private readonly order: Linear[] = [];

  constructor(
    readonly config: MlpConfig,
    opts: { seed?: number } = {},
  ) {
    const sizes: readonly number[] = config.sizes;
    if (sizes.length < 2)
      throw new MlpConfigError(
        'sizes',
        JSON.stringify(sizes),
        'needs at least an input and an output width',
      );
    for (const s of sizes)
      if (!Number.isInteger(s) || s <= 0)
        throw new MlpConfigError(
          'sizes',
          JSON.stringify(sizes),
          'widths must be positive integers',
        );
    if (!['relu', 'tanh', 'gelu'].includes(config.activation))
      throw new MlpConfigError('activation', config.activation, 'must be relu, tanh or gelu');
    const root = new Rng(opts.seed ?? 0);
    for (let i = 0; i + 1 < sizes.length; i++) {
      const dIn = sizes[i] ?? 0;
      const dOut = sizes[i + 1] ?? 0;
      const name = `layers.${i}`;
      const bound = config.activation === 'relu' ? Math.sqrt(6 / dIn) : Math.sqrt(6 / (dIn + dOut));
      const w = this.store.add(
        `${name}.weight`,
        tf.tensor2d(root.fork(name).uniformArray(dIn * dOut, -bound, bound), [dIn, dOut]),
      );
      const b = config.bias ? this.store.add(`${name}.bias`, tf.zeros([dOut])) : null;
      const lin = new Linear(name, w, b);
      this.linears.set(name, lin);
      this.order.push(lin);
    }
  }

  /** Logits `[batch, sizes[last]]` for `x: [batch, sizes[0]]`. */
  forward(x: tf.Tensor, opts: { training?: boolean; rng?: Rng } = {}): tf.Tensor {
    const ctx = { training: opts.training ?? false, rng: opts.rng };
    return tf.tidy(() => {
      let h = x;
      this.order.forEach((lin, i) => {
        h = lin.apply(h, ctx); // [batch, width]
        if (i + 1 < this.order.length) {
          h =
            this.config.activation === 'relu'
              ? tf.relu(h)
              : this.config.activation === 'tanh'
                ? tf.tanh(h)
                : gelu(h);
        }
      });
      return h;
    });
  }

  /** Every parameter once, in layer order. */
  namedParameters(): NamedParameter[] {
    return this.store.list();
  }

  /** Linear layers by name (`layers.i`). */
  linearModules(): ReadonlyMap<string, Linear> {
    return this.linears;
  }

  /** Copies of all weights (caller disposes). */
  getWeights(): Record<string, tf.Tensor> {
    return this.store.getWeights();
  }

  /** Checked, all-or-nothing assignment by name. */
  setWeights(
    record: Readonly<Record<string, tf.Tensor>>,
    opts: { strict?: boolean } = {},
  ): LoadReport {
    return this.store.setWeights(record, opts.strict ?? true);
  }

  /** Frees every variable. */
  dispose(): void {
    this.store.dispose();
    this.linears.clear();
    this.order.length = 0;
  }
}
