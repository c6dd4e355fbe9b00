/**
 * The flat parameter vector θ of a model: every selected parameter tensor, flattened row-major and
 * laid end to end in the model's own order, so `θ[offset + i]` is element `i` of one tensor.
 */
import type * as tf from '@tensorflow/tfjs';
import type { NamedParameter } from '../models/types.ts';
import { SubspaceError } from './errors.ts';

/** One tensor's place in θ. */
export interface LayoutEntry {
  /** Parameter name (e.g. `layers.0.weight`). */
  readonly name: string;
  /** The model's variable for it. */
  readonly variable: tf.Variable;
  /** Its shape. */
  readonly shape: readonly number[];
  /** First index in θ. */
  readonly offset: number;
  /** Number of elements. */
  readonly size: number;
}

/** Where each parameter tensor lives in the flat θ of length `D`. */
export interface ParamLayout {
  /** Entries in θ order. */
  readonly entries: readonly LayoutEntry[];
  /** Total length D of θ. */
  readonly D: number;
}

/** Lays out `params` (optionally only those whose name passes `include`) end to end. */
export function paramLayout(
  params: readonly NamedParameter[],
  include: (name: string) => boolean = () => true,
): ParamLayout {
  const entries: LayoutEntry[] = [];
  let offset = 0;
  for (const p of params) {
    if (!include(p.name)) continue;
    const size = p.variable.size;
    entries.push({ name: p.name, variable: p.variable, shape: p.variable.shape, offset, size });
    offset += size;
  }
  if (offset === 0) throw new SubspaceError('parameters', 0, 'no parameter selected');
  return { entries, D: offset };
}

/** Reads the current values of every laid-out tensor into one Float32Array θ (awaited reads). */
export async function readTheta(layout: ParamLayout): Promise<Float32Array> {
  const theta = new Float32Array(layout.D);
  for (const e of layout.entries) theta.set(await e.variable.data<'float32'>(), e.offset);
  return theta;
}
