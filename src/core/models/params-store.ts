/**
 * A small registry of named `tf.Variable`s shared by the models: creation with a seeded init,
 * listing, and checked bulk get/set (all-or-nothing).
 */
import * as tf from '@tensorflow/tfjs';
import type { LoadReport, NamedParameter } from './types.ts';
import { WeightsError } from './types.ts';

/** Named variables owned by one model. */
export class ParamStore {
  private readonly vars = new Map<string, tf.Variable>();

  /** Registers `init` (taken over, not copied) as a trainable variable named `name`. */
  add(name: string, init: tf.Tensor): tf.Variable {
    if (this.vars.has(name)) throw new WeightsError('name', name, 'parameter registered twice');
    const v = tf.variable(init, true);
    init.dispose();
    this.vars.set(name, v);
    return v;
  }

  /** The variable named `name` (throws if absent). */
  get(name: string): tf.Variable {
    const v = this.vars.get(name);
    if (!v) throw new WeightsError('name', name, 'no such parameter');
    return v;
  }

  /**
   * Unregisters `name` and returns its variable, now the caller's (to dispose): a quantised base
   * layer holds its weight outside the store (`core/quant`).
   */
  remove(name: string): tf.Variable {
    const v = this.get(name);
    this.vars.delete(name);
    return v;
  }

  /** Every parameter in registration order. */
  list(): NamedParameter[] {
    return [...this.vars].map(([name, variable]) => ({
      name,
      variable,
      trainable: variable.trainable,
    }));
  }

  /** Copies of all weights (caller disposes). */
  getWeights(): Record<string, tf.Tensor> {
    const out: Record<string, tf.Tensor> = {};
    for (const [name, v] of this.vars) out[name] = tf.clone(v);
    return out;
  }

  /**
   * Assigns every entry of `record` whose name exists. Strict (default): every parameter must be
   * present and no entry unknown. Shapes must match exactly. Nothing is assigned unless all checks
   * pass.
   */
  setWeights(record: Readonly<Record<string, tf.Tensor>>, strict = true): LoadReport {
    const loaded: string[] = [];
    const unexpected: string[] = [];
    for (const [name, t] of Object.entries(record)) {
      const v = this.vars.get(name);
      if (!v) {
        unexpected.push(name);
        continue;
      }
      const same = t.shape.length === v.shape.length && t.shape.every((d, i) => d === v.shape[i]);
      if (!same) {
        throw new WeightsError(
          name,
          `[${t.shape.join(', ')}]`,
          `shape must be [${v.shape.join(', ')}]`,
        );
      }
      if (t.dtype !== v.dtype) throw new WeightsError(name, t.dtype, `dtype must be ${v.dtype}`);
      loaded.push(name);
    }
    const missing = [...this.vars.keys()].filter((n) => !(n in record));
    if (strict && unexpected.length > 0) {
      throw new WeightsError('unexpected', unexpected.join(', '), 'not parameters of this model');
    }
    if (strict && missing.length > 0) {
      throw new WeightsError('missing', missing.join(', '), 'absent from the weights');
    }
    for (const name of loaded) {
      const t = record[name];
      if (t) this.get(name).assign(t);
    }
    return { loaded, missing, unexpected };
  }

  /** Disposes every variable. */
  dispose(): void {
    for (const v of this.vars.values()) v.dispose();
    this.vars.clear();
  }
}
