/**
 * Training θd: an async generator over the core's training loop (`train/loop.ts`'s `runSteps`),
 * one Adam step per iteration (Adam as in Li et al. 2018:
 * Kingma & Ba 2015, PyTorch's form as in `train/adam.ts`, done in float64 on the d numbers of θd
 * in JavaScript). Yields `{step, loss, ms, normThetaD}`; stop it with `break`, `return()` or
 * `signal`. No synchronous reads: each step awaits one download (see `SubspaceModel`).
 */
import type * as tf from '@tensorflow/tfjs';
import { SubspaceError } from './errors.ts';
import type { SubspaceModel } from './model.ts';
import { runSteps } from '../train/loop.ts';

/** What each step yields. */
export interface SubspaceStep {
  /** 0-based step just taken. */
  readonly step: number;
  /** Loss of that step's batch, before the update. */
  readonly loss: number;
  /** Wall-clock milliseconds of the step. */
  readonly ms: number;
  /** ‖θd‖ after the update: how far the model has moved from θ0 (P has unit columns). */
  readonly normThetaD: number;
}

/** Options of {@link trainSubspace}. */
export interface TrainSubspaceOptions {
  /** The wrapped model (its θd is trained in place). */
  readonly model: SubspaceModel;
  /** Scalar loss of step `step` on the model's current weights (run inside `tf.variableGrads`). */
  readonly loss: (step: number) => tf.Scalar;
  /** Number of steps. */
  readonly steps: number;
  /** Adam step size (Li et al.: 1e-3). */
  readonly learningRate: number;
  /** Adam β₁ (default 0.9). */
  readonly beta1?: number;
  /** Adam β₂ (default 0.999). */
  readonly beta2?: number;
  /** Adam ε (default 1e-8). */
  readonly epsilon?: number;
  /** Called before each step (e.g. to make a batch); awaited. */
  readonly beforeStep?: (step: number) => void | Promise<void>;
  /** Called after each step, also on error (e.g. to dispose the batch). */
  readonly afterStep?: (step: number) => void;
  /** Stops before the next step when aborted. */
  readonly signal?: AbortSignal;
}

/** Trains θd with Adam, yielding after every step. */
export async function* trainSubspace(
  o: TrainSubspaceOptions,
): AsyncGenerator<SubspaceStep, void, undefined> {
  if (!Number.isInteger(o.steps) || o.steps < 0)
    throw new SubspaceError('steps', o.steps, 'must be a non-negative integer');
  if (!(o.learningRate >= 0))
    throw new SubspaceError('learningRate', o.learningRate, 'must be ≥ 0');
  const b1 = o.beta1 ?? 0.9;
  const b2 = o.beta2 ?? 0.999;
  const eps = o.epsilon ?? 1e-8;
  const { model } = o;
  const d = model.d;
  const m = new Float64Array(d);
  const v = new Float64Array(d);
  const theta = Float64Array.from(model.thetaD);
  let normThetaD = 0;
  for await (const s of runSteps({
    steps: o.steps,
    ...(o.signal ? { signal: o.signal } : {}),
    ...(o.beforeStep ? { beforeStep: o.beforeStep } : {}),
    ...(o.afterStep ? { afterStep: o.afterStep } : {}),
    takeStep: async (step) => {
      const r = await model.lossAndGradient(() => o.loss(step));
      const t = step + 1;
      const bc1 = 1 - b1 ** t;
      const bc2 = 1 - b2 ** t;
      for (let j = 0; j < d; j++) {
        const g = r.grad[j] ?? 0;
        const mj = b1 * (m[j] ?? 0) + (1 - b1) * g;
        const vj = b2 * (v[j] ?? 0) + (1 - b2) * g * g;
        m[j] = mj;
        v[j] = vj;
        theta[j] = (theta[j] ?? 0) - (o.learningRate * (mj / bc1)) / (Math.sqrt(vj / bc2) + eps);
      }
      model.setThetaD(theta);
      let sq = 0;
      for (let j = 0; j < d; j++) sq += (theta[j] ?? 0) ** 2;
      normThetaD = Math.sqrt(sq);
      return { loss: r.loss };
    },
  })) {
    yield { step: s.step, loss: s.loss, ms: s.ms, normThetaD };
  }
}
