/**
 * The training of every intrinsic-dimension run, MNIST's and sentiment's: a network's parameters
 * trained in a random d-dimensional subspace (θ = θ₀ + P·θd, only θd trained: the core's
 * `trainSubspace`), or all of them with Adam (`d = 'full'`, the baseline), from the same init —
 * Li et al. (2018), "Measuring the Intrinsic Dimension of Objective Landscapes". Both go through
 * the core's training loop; the caller brings the network, the loss and the batches.
 */
import type * as tf from '@tensorflow/tfjs';
import type { Module } from '../../core/models/types.ts';
import { SubspaceError } from '../../core/subspace/errors.ts';
import { SubspaceModel } from '../../core/subspace/model.ts';
import type { ProjectionKind } from '../../core/subspace/projection.ts';
import { trainSubspace } from '../../core/subspace/train.ts';
import { Adam } from '../../core/train/adam.ts';
import { trainLoop } from '../../core/train/loop.ts';

/** Checks a run's batch size (an integer in [1, n]) and steps (a positive integer). @throws {SubspaceError} */
export function checkRunSize(n: number, batchSize: number, steps: number): void {
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > n)
    throw new SubspaceError('batchSize', batchSize, `must be an integer in [1, ${n}]`);
  if (!Number.isInteger(steps) || steps < 1)
    throw new SubspaceError('steps', steps, 'must be a positive integer');
}

/** Options of {@link trainInSubspace}. */
export interface SubspaceTrainingOptions {
  /** The network, trained in place (the caller disposes it). */
  readonly network: Module;
  /** Subspace dimension, or 'full' for every parameter. */
  readonly d: number | 'full';
  /** Projection kind (default 'sparse'). */
  readonly projection?: ProjectionKind | undefined;
  /** Seed of the projection. */
  readonly seed: number;
  /** The loss of the current batch (runs inside the gradient computation). */
  readonly loss: () => tf.Scalar;
  readonly steps: number;
  /** Adam's learning rate (on θd, or on every parameter for 'full'). */
  readonly learningRate: number;
  /** Loads the step's batch. */
  readonly beforeStep: (step: number) => void;
  /** Frees the step's batch. */
  readonly afterStep: (step: number) => void;
  readonly signal?: AbortSignal | undefined;
}

/** Trains `network` in a d-dimensional subspace, or in full; yields each step's loss and time. */
export async function* trainInSubspace(
  o: SubspaceTrainingOptions,
): AsyncGenerator<{ step: number; loss: number; ms: number }, void, undefined> {
  const hooks = {
    steps: o.steps,
    beforeStep: o.beforeStep,
    afterStep: o.afterStep,
    ...(o.signal ? { signal: o.signal } : {}),
  };
  if (o.d === 'full') {
    const vars = o.network.namedParameters().map((p) => p.variable);
    for (const v of vars) v.trainable = true;
    const opt = new Adam({ learningRate: o.learningRate });
    try {
      // Stopped during a pause, the loop ends before touching the network (it may be freed).
      for await (const s of trainLoop({ ...hooks, optimizer: opt, variables: vars, loss: o.loss }))
        yield { step: s.step, loss: s.loss, ms: s.ms };
    } finally {
      opt.dispose();
    }
    return;
  }
  const model = await SubspaceModel.create(o.network, {
    d: o.d,
    projection: o.projection ?? 'sparse',
    seed: o.seed,
  });
  for await (const s of trainSubspace({
    ...hooks,
    model,
    loss: o.loss,
    learningRate: o.learningRate,
  }))
    yield { step: s.step, loss: s.loss, ms: s.ms };
}
