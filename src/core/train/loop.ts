/**
 * The training loop as an async generator: one optimiser step per iteration, the loss read with an
 * awaited `data()` (never `dataSync`), control handed back to the caller (and so to the page)
 * between steps. Stop it by breaking out of `for await`, calling `return()`, or aborting `signal`.
 */
import type * as tf from '@tensorflow/tfjs';
import type { Adam } from './adam.ts';

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
  /** Stops the loop before the next step when aborted. */
  readonly signal?: AbortSignal;
}

/** Runs training steps, yielding `{step, loss, learningRate, ms}` after each. */
export async function* trainLoop(o: TrainLoopOptions): AsyncGenerator<TrainStep, void, undefined> {
  const total = o.steps ?? Number.POSITIVE_INFINITY;
  for (let step = 0; step < total; step++) {
    if (o.signal?.aborted) return;
    const t0 = performance.now();
    let loss: number;
    const learningRate = o.optimizer.currentLearningRate();
    try {
      await o.beforeStep?.(step);
      const vars = typeof o.variables === 'function' ? o.variables() : o.variables;
      const value = o.optimizer.step(() => o.loss(step), vars);
      const data = await value.data();
      value.dispose();
      loss = data[0] ?? Number.NaN;
    } finally {
      o.afterStep?.(step);
    }
    yield { step, loss, learningRate, ms: performance.now() - t0 };
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
