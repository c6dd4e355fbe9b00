/**
 * The training loop as an async generator: one optimiser step per iteration, the loss read with an
 * awaited `data()` (never `dataSync`), control handed back to the caller (and so to the page)
 * between steps. Stop it by breaking out of `for await`, calling `return()`, or aborting `signal`.
 */
import type * as tf from '@tensorflow/tfjs';
import type { Adam } from './adam.ts';
import { SLICE_MS, slicer } from '../yield.ts';

/** What each iteration yields. */
export interface TrainStep {
  /** 0-based step just taken. */
  readonly step: number;
  /** The loss of that step's batch (before the update). */
  readonly loss: number;
  /** Learning rate used for the step. */
  readonly learningRate: number;
  /** Wall-clock milliseconds for the step, including the loss read-back. */
  readonly ms: number;
  /** Raw gradient L2 norm per group named in `gradNormGroups` (absent without it). */
  readonly gradNorms?: Readonly<Record<string, number>>;
}

/** Options of {@link trainLoop}. */
export interface TrainLoopOptions {
  /** The optimiser (it skips frozen variables). */
  readonly optimizer: Adam;
  /** The variables to optimise (only trainable ones are touched); re-read every step. */
  readonly variables: readonly tf.Variable[] | (() => readonly tf.Variable[]);
  /**
   * Builds the scalar loss of step `step`. Runs inside `tf.variableGrads`, so intermediate tensors
   * are cleaned up; tensors it gets from outside are the caller's to free.
   */
  readonly loss: (step: number) => tf.Scalar;
  /** Number of steps (default: until stopped). */
  readonly steps?: number;
  /** Prepares step `step` before the loss runs (e.g. loads a batch); awaited. */
  readonly beforeStep?: (step: number) => void | Promise<void>;
  /** Cleans up after step `step` (e.g. disposes the batch); always called. */
  readonly afterStep?: (step: number) => void;
  /** Named groups of variables whose gradient norms each step reports (e.g. `{A: [...], B: [...]}`). */
  readonly gradNormGroups?:
    | Readonly<Record<string, readonly tf.Variable[]>>
    | (() => Readonly<Record<string, readonly tf.Variable[]>>);
  /** Stops the loop before the next step when aborted. */
  readonly signal?: AbortSignal;
}

/** Runs training steps, yielding `{step, loss, learningRate, ms}` after each. */
export async function* trainLoop(o: TrainLoopOptions): AsyncGenerator<TrainStep, void, undefined> {
  const total = o.steps ?? Number.POSITIVE_INFINITY;
  const tick = slicer(SLICE_MS);
  for (let step = 0; step < total; step++) {
    await tick(); // let a page paint and answer input between steps
    if (o.signal?.aborted) return;
    const t0 = performance.now();
    let loss: number;
    let gradNorms: Record<string, number> | undefined;
    const learningRate = o.optimizer.currentLearningRate();
    try {
      await o.beforeStep?.(step);
      const vars = typeof o.variables === 'function' ? o.variables() : o.variables;
      const groups =
        typeof o.gradNormGroups === 'function' ? o.gradNormGroups() : (o.gradNormGroups ?? {});
      const { loss: value, norms } = o.optimizer.stepWithNorms(() => o.loss(step), vars, groups);
      const data = await value.data();
      const normData = await norms.data();
      value.dispose();
      norms.dispose();
      loss = data[0] ?? Number.NaN;
      if (o.gradNormGroups) {
        const gn: Record<string, number> = {};
        Object.keys(groups).forEach((k, i) => {
          gn[k] = normData[i] ?? Number.NaN;
        });
        gradNorms = gn;
      }
    } finally {
      o.afterStep?.(step);
    }
    const ms = performance.now() - t0;
    yield gradNorms
      ? { step, loss, learningRate, ms, gradNorms }
      : { step, loss, learningRate, ms };
  }
}

/** Collects a whole run's losses (convenience for scripts and tests). */
export async function trainToEnd(
  o: TrainLoopOptions & { readonly steps: number },
): Promise<number[]> {
  const losses: number[] = [];
  for await (const s of trainLoop(o)) losses.push(s.loss);
  return losses;
}
