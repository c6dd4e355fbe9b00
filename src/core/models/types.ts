/**
 * What every model in the core exposes, so that LoRA, parameter accounting, optimisers and
 * save/load work on any of them.
 */
import type * as tf from '@tensorflow/tfjs';
import type { Embedding } from '../nn/embedding.ts';
import type { Linear } from '../nn/module.ts';

/** One parameter of a model under its Hugging Face name. */
export interface NamedParameter {
  /** Full name, e.g. `roberta.encoder.layer.0.attention.self.query.weight`. */
  readonly name: string;
  /** The variable holding it (owned by the model). */
  readonly variable: tf.Variable;
  /** Whether an optimiser updates it (mirrors `variable.trainable`). */
  readonly trainable: boolean;
}

/** Report of a non-strict `setWeights`, like PyTorch's `load_state_dict`. */
export interface LoadReport {
  /** Names that were assigned. */
  readonly loaded: string[];
  /** Model parameters absent from the record (kept as they were). */
  readonly missing: string[];
  /** Record entries that the model does not have (ignored). */
  readonly unexpected: string[];
}

/** A model made of named variables and named linear modules. */
export interface Module {
  /** Every parameter, each once, in a stable order. */
  namedParameters(): NamedParameter[];
  /** Every linear layer by module name (what LoRA's `targetModules` match against). */
  linearModules(): ReadonlyMap<string, Linear>;
  /** Embedding tables LoRA may adapt too, by module name (absent: the model has none). */
  embeddingModules?(): ReadonlyMap<string, Embedding>;
  /** Copies of all weights by parameter name (caller disposes). */
  getWeights(): Record<string, tf.Tensor>;
  /** Assigns weights by name after checking every name and shape; changes nothing on error. */
  setWeights(record: Readonly<Record<string, tf.Tensor>>, opts?: { strict?: boolean }): LoadReport;
  /** Frees every variable the model owns. */
  dispose(): void;
}

/** Thrown when weights do not fit a model (names the parameter and the shapes). */
export class WeightsError extends Error {
  override readonly name = 'WeightsError';
  constructor(
    readonly field: string,
    readonly value: unknown,
    /** Why the value is wrong, e.g. `must be a number`. */
    readonly reason: string,
  ) {
    super(`${field} = ${String(value)}: ${reason}`);
  }
}
