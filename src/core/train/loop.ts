/**
 * The training loop — the one every training run of the site goes through (lessons' experiments,
 * the training worker's session, subspace training) — as an async generator: one optimiser step
 * per iteration, the loss read with an awaited `data()` (never `dataSync`), control handed back
 * to the caller (and so to the page) between steps. Stop it by breaking out of `for await`,
 * calling `return()`, or aborting `signal`.
 *
 * {@link runSteps} is the loop itself, for any optimiser (`takeStep` does one update and returns
 * its loss); {@link trainLoop} is it with the core's {@link Adam} on TF.js variables.
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
  /** How control is handed back before each step (see {@link StepLoopOptions.pause}). */
  readonly pause?: () => Promise<void>;
  /** Stops the loop before the next step when aborted. */
  readonly signal?: AbortSignal;
}

/** One optimiser step's outcome, as {@link StepLoopOptions.takeStep} reports it. */
export interface StepOutcome {
  /** The loss of the step's batch (before the update). */
  readonly loss: number;
  /** Gradient norms per named group, when the step measured them. */
  readonly gradNorms?: Readonly<Record<string, number>>;
  /** True when the step was cut short (e.g. "stop" arrived while it ran): the loop ends there. */
  readonly stop?: boolean;
}

/** Options of {@link runSteps}. */
export interface StepLoopOptions {
  /** Takes optimiser step `step` (after `beforeStep`) and returns its loss. */
  readonly takeStep: (step: number) => StepOutcome | Promise<StepOutcome>;
  /** Number of steps (default: until stopped). */
  readonly steps?: number;
  /** The learning rate step `step` will use (reported in each {@link TrainStep}; default NaN). */
  readonly learningRate?: (step: number) => number;
  /** Prepares step `step` before it runs (e.g. loads a batch); awaited. */
  readonly beforeStep?: (step: number) => void | Promise<void>;
  /** Cleans up after step `step` (e.g. disposes the batch); always called, also on error. */
  readonly afterStep?: (step: number) => void;
  /**
   * Hands control back before each step (default: to the page's event loop at most every
   * {@link SLICE_MS} ms, so a page paints and answers input; a worker passes a macrotask so a
   * "stop" message gets in between any two steps).
   */
  readonly pause?: () => Promise<void>;
  /** Stops the loop before the next step when aborted. */
  readonly signal?: AbortSignal;
}

/**
 * The loop: pause, check `signal`, `beforeStep`, `takeStep`, `afterStep`, yield
 * `{step, loss, learningRate, ms}`. It ends after `steps` steps, when `signal` aborts, or after
 * a step that reports `stop`.
 */
export async function* runSteps(o: StepLoopOptions): AsyncGenerator<TrainStep, void, undefined> {
  const total = o.steps ?? Number.POSITIVE_INFINITY;
  const pause = o.pause ?? slicer(SLICE_MS);
  for (let step = 0; step < total; step++) {
    await pause(); // let a page paint and answer input between steps
    if (o.signal?.aborted) return;
    const t0 = performance.now();
    const learningRate = o.learningRate ? o.learningRate(step) : Number.NaN;
    let out: StepOutcome;
    try {
      await o.beforeStep?.(step);
      out = await o.takeStep(step);
    } finally {
      o.afterStep?.(step);
    }
    if (out.stop === true) return;
    const ms = performance.now() - t0;
    yield out.gradNorms
      ? { step, loss: out.loss, learningRate, ms, gradNorms: out.gradNorms }
      : { step, loss: out.loss, learningRate, ms };
  }
}

/** Runs training steps with the core's Adam, yielding `{step, loss, learningRate, ms}` after each. */
export function trainLoop(o: TrainLoopOptions): AsyncGenerator<TrainStep, void, undefined> {
  return runSteps({
    ...(o.steps === undefined ? {} : { steps: o.steps }),
    ...(o.signal ? { signal: o.signal } : {}),
    ...(o.pause ? { pause: o.pause } : {}),
    ...(o.beforeStep ? { beforeStep: o.beforeStep } : {}),
    ...(o.afterStep ? { afterStep: o.afterStep } : {}),
    learningRate: () => o.optimizer.currentLearningRate(),
    takeStep: async (step) => {
      const vars = typeof o.variables === 'function' ? o.variables() : o.variables;
      const groups =
        typeof o.gradNormGroups === 'function' ? o.gradNormGroups() : (o.gradNormGroups ?? {});
      const { loss: value, norms } = o.optimizer.stepWithNorms(() => o.loss(step), vars, groups);
      const data = await value.data();
      const normData = await norms.data();
      value.dispose();
      norms.dispose();
      const loss = data[0] ?? Number.NaN;
      if (!o.gradNormGroups) return { loss };
      const gradNorms: Record<string, number> = {};
      Object.keys(groups).forEach((k, i) => {
        gradNorms[k] = normData[i] ?? Number.NaN;
      });
      return { loss, gradNorms };
    },
  });
}

/** Collects a whole run's losses (convenience for scripts and tests). */
export async function trainToEnd(
  o: TrainLoopOptions & { readonly steps: number },
): Promise<number[]> {
  const losses: number[] = [];
  for await (const s of trainLoop(o)) losses.push(s.loss);
  return losses;
}
