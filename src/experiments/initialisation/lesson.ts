/**
 * The initialisation lesson's experiments (`lessons/initialisation.mdx`), as plain functions so
 * the page's cells and the precompute script (`npm run reproduce:initialisation`) run the very
 * same code: the output change at step 0 per scheme, the first steps' loss and gradient norms per
 * scheme and seed, the loss spike of "both random" against the init scale and the learning-rate
 * choice, and α/r against α/√r across ranks.
 *
 * The long experiments are async generators: they yield {@link ExperimentProgress} between runs
 * and return their result, so a cell can show progress and a script can ignore it
 * ({@link runToResult}).
 */
import * as tf from '@tensorflow/tfjs';
import type { LearningRate } from '../../core/train/adam.ts';
import { warmupDecay } from '../../core/train/schedule.ts';
import type { InitLoraWeights } from '../../core/lora/config.ts';
import {
  InitExperimentError,
  initRun,
  outputChangeAtInit,
  type InitSettings,
  type InitStep,
} from './experiments.ts';
import type { InitTask } from './tasks.ts';

/** The five schemes the lesson compares: a stable id and the core's `initLoraWeights` value. */
export const INIT_SCHEMES: readonly { readonly id: string; readonly init: InitLoraWeights }[] = [
  { id: 'default', init: true },
  { id: 'zero-both', init: 'zero-both' },
  { id: 'random-both', init: 'random-both' },
  { id: 'a-zero-b-random', init: 'a-zero-b-random' },
  { id: 'gated', init: 'gated' },
];

/** The reader's settings (the lesson's controls; carried in the page's URL). */
export interface InitLessonSettings {
  /** Std of the random factor for the schemes that draw one. */
  readonly scale: number;
  readonly r: number;
  readonly alpha: number;
  /** Adam's learning rate. */
  readonly lr: number;
  /** Seed of the first run (runs over several seeds use seed, seed + 1, …). */
  readonly seed: number;
}

/** The settings a page opens with (and the precomputed first frames are made with). */
export const INIT_LESSON_DEFAULTS: InitLessonSettings = {
  scale: 0.5,
  r: 4,
  alpha: 8,
  lr: 0.01,
  seed: 0,
};

/** How the lesson builds its pretrained-encoder task (see `encoderSentimentTask`). */
export const INIT_LESSON_ENCODER_TASK = {
  /** Sequence length cap: 32 tokens hold most sentences. */
  maxLen: 32,
  batchSize: 16,
  batches: 8,
  seed: 0,
  /** Fit the new classification head first (a linear probe), then freeze it. */
  headSteps: 80,
  headLearningRate: 1e-2,
  /** Adam steps per run on the encoder. */
  steps: 20,
} as const;

/** Init scales of the "both random" spike experiment. */
export const INIT_SPIKE_SCALES: readonly number[] = [0, 0.25, 0.5, 1, 2];

/** Ranks of the α/r against α/√r experiment. */
export const INIT_RANKS: readonly number[] = [1, 2, 4, 8, 16];

/** Seeds per scheme in the loss-and-gradient runs (seed, seed + 1, …). */
export const INIT_SEED_COUNT = 3;

/** Progress of a long experiment: the fraction done and what just finished. */
export interface ExperimentProgress {
  readonly fraction: number;
  readonly label: string;
}

/** True when two settings are the same (so precomputed results apply). */
export function sameInitSettings(a: InitLessonSettings, b: InitLessonSettings): boolean {
  return (
    a.scale === b.scale && a.r === b.r && a.alpha === b.alpha && a.lr === b.lr && a.seed === b.seed
  );
}

/** The base model's loss on each of the task's batches (runs are plotted relative to it). */
export async function baseLosses(task: InitTask): Promise<number[]> {
  const out: number[] = [];
  for (let b = 0; b < task.batches; b++) {
    const loss = tf.tidy(() => task.loss(b));
    out.push((await loss.data())[0] ?? Number.NaN);
    loss.dispose();
  }
  return out;
}

/** One row of {@link startChanges}. */
export interface StartChange {
  readonly id: string;
  /** Largest |adapted − base| logit before any step. */
  readonly change: number;
}

/** The output change at step 0 of every scheme, at the reader's scale, r, α and seed. */
export async function startChanges(task: InitTask, s: InitLessonSettings): Promise<StartChange[]> {
  const rows: StartChange[] = [];
  for (const d of INIT_SCHEMES) {
    const change = await outputChangeAtInit(
      task,
      { r: s.r, loraAlpha: s.alpha, initLoraWeights: d.init, initScale: s.scale },
      s.seed,
    );
    rows.push({ id: d.id, change });
  }
  return rows;
}

/** Options shared by the long experiments. */
export interface ExperimentOptions {
  /** Adam steps per run. */
  readonly steps: number;
  /** Stops between (and inside) runs; the experiment then returns null. */
  readonly signal?: AbortSignal;
  /** Steps between yields to the event loop (default 5), so a page stays responsive. */
  readonly yieldEvery?: number;
  /** Called after every training step of every run (0-based step within its run). */
  readonly onStep?: (step: number) => void;
}

/** Result of {@link schemeRuns}. */
export interface SchemeRuns {
  readonly seeds: readonly number[];
  readonly base: readonly number[];
  readonly results: readonly { readonly id: string; readonly perSeed: readonly InitStep[][] }[];
}

async function collect(
  task: InitTask,
  settings: InitSettings,
  seed: number,
  learningRate: LearningRate,
  o: ExperimentOptions,
): Promise<InitStep[] | null> {
  const every = o.yieldEvery ?? 5;
  const steps: InitStep[] = [];
  for await (const s of initRun(task, {
    settings,
    seed,
    steps: o.steps,
    learningRate,
    ...(o.signal ? { signal: o.signal } : {}),
  })) {
    steps.push(s);
    o.onStep?.(s.step);
    if (s.step % every === every - 1) await tf.nextFrame();
  }
  return o.signal?.aborted === true ? null : steps;
}

function checkSeeds(seeds: readonly number[]): void {
  if (seeds.length === 0 || !seeds.every((x) => Number.isInteger(x) && x >= 0))
    throw new InitExperimentError('seeds', seeds.join(','), 'must be non-negative integers');
}

/**
 * Every scheme trained for `steps` steps from each seed: loss and gradient norms per step, plus
 * the base model's loss per batch. Returns null when aborted.
 */
export async function* schemeRuns(
  task: InitTask,
  s: InitLessonSettings,
  seeds: readonly number[],
  o: ExperimentOptions,
): AsyncGenerator<ExperimentProgress, SchemeRuns | null, undefined> {
  checkSeeds(seeds);
  const base = await baseLosses(task);
  const results: { id: string; perSeed: InitStep[][] }[] = [];
  const total = INIT_SCHEMES.length * seeds.length;
  for (const d of INIT_SCHEMES) {
    const perSeed: InitStep[][] = [];
    for (const seed of seeds) {
      const settings = { r: s.r, loraAlpha: s.alpha, initLoraWeights: d.init, initScale: s.scale };
      const steps = await collect(task, settings, seed, s.lr, o);
      if (steps === null) return null;
      perSeed.push(steps);
      yield {
        fraction: (results.length * seeds.length + perSeed.length) / total,
        label: `${d.id}, seed ${String(seed)}`,
      };
    }
    results.push({ id: d.id, perSeed });
  }
  return { seeds: [...seeds], base, results };
}

/** One learning-rate choice of {@link spikeRuns}, with a figure per init scale. */
export interface SpikeVariant {
  readonly name: string;
  /** Loss above the base model's (same batch) at step 0. */
  readonly jump: number[];
  /** Worst excess over the steps after step 0. */
  readonly worst: number[];
  /** First step after 0 at or below the base model's loss (null: never). */
  readonly back: (number | null)[];
  /** Excess at the last step. */
  readonly last: number[];
}

/** Result of {@link spikeRuns}. */
export interface SpikeRuns {
  readonly scales: readonly number[];
  readonly steps: number;
  /** The base model's loss on the first batch. */
  readonly base: number;
  readonly variants: readonly SpikeVariant[];
}

/**
 * "Both random" at each init scale under three learning-rate choices: ten times the reader's
 * rate, the reader's rate, and ten times it reached by a linear warm-up over the first third of
 * the steps (Goyal et al. 2017). Returns null when aborted.
 */
export async function* spikeRuns(
  task: InitTask,
  s: InitLessonSettings,
  scales: readonly number[],
  o: ExperimentOptions,
): AsyncGenerator<ExperimentProgress, SpikeRuns | null, undefined> {
  const steps = o.steps;
  const high = Number((s.lr * 10).toPrecision(2));
  const warm = Math.max(1, Math.round(steps / 3));
  const rates: { name: string; lr: LearningRate }[] = [
    { name: `learning rate ${String(high)}`, lr: high },
    { name: `learning rate ${String(s.lr)}`, lr: s.lr },
    {
      name: `warm-up to ${String(high)} over ${String(warm)} steps`,
      lr: warmupDecay({ peak: high, warmupSteps: warm, totalSteps: steps, decay: 'constant' }),
    },
  ];
  const base = await baseLosses(task);
  const variants: SpikeVariant[] = [];
  let done = 0;
  for (const v of rates) {
    const out: SpikeVariant = { name: v.name, jump: [], worst: [], back: [], last: [] };
    for (const scale of scales) {
      const settings = {
        r: s.r,
        loraAlpha: s.alpha,
        initLoraWeights: 'random-both' as const,
        initScale: scale,
      };
      const run = await collect(task, settings, s.seed, v.lr, o);
      if (run === null) return null;
      const excess = run.map((x) => x.loss - (base[x.step % base.length] ?? Number.NaN));
      const after = excess.slice(1);
      out.jump.push(excess[0] ?? Number.NaN);
      out.worst.push(after.length > 0 ? Math.max(...after) : Number.NaN);
      const back = after.findIndex((e) => e <= 0);
      out.back.push(back < 0 ? null : back + 1);
      out.last.push(excess[excess.length - 1] ?? Number.NaN);
      done++;
      yield {
        fraction: done / (scales.length * rates.length),
        label: `${v.name}, scale ${String(scale)}`,
      };
    }
    variants.push(out);
  }
  return { scales: [...scales], steps, base: base[0] ?? Number.NaN, variants };
}

/** Result of {@link rankRuns}. */
export interface RankRuns {
  readonly ranks: readonly number[];
  readonly variants: readonly {
    readonly name: string;
    readonly useRslora: boolean;
    /** Mean loss of the last (up to) five steps, per rank. */
    readonly final: number[];
  }[];
}

/**
 * LoRA's default init at each rank, scaled by α/r and by α/√r (rsLoRA, Kalajdzievski 2023), at
 * the reader's α, learning rate and seed. Returns null when aborted.
 */
export async function* rankRuns(
  task: InitTask,
  s: InitLessonSettings,
  ranks: readonly number[],
  o: ExperimentOptions,
): AsyncGenerator<ExperimentProgress, RankRuns | null, undefined> {
  const variants = [
    { name: 'α/r (LoRA)', useRslora: false, final: [] as number[] },
    { name: 'α/√r (rsLoRA)', useRslora: true, final: [] as number[] },
  ];
  let done = 0;
  for (const v of variants) {
    for (const r of ranks) {
      const settings = { r, loraAlpha: s.alpha, initLoraWeights: true, useRslora: v.useRslora };
      const run = await collect(task, settings, s.seed, s.lr, o);
      if (run === null) return null;
      const tail = run.slice(-Math.min(5, run.length)).map((x) => x.loss);
      v.final.push(tail.reduce((a, b) => a + b, 0) / tail.length);
      done++;
      yield {
        fraction: done / (ranks.length * variants.length),
        label: `${v.name}, r = ${String(r)}`,
      };
    }
  }
  return { ranks: [...ranks], variants };
}

/** Drives an experiment generator to its result, passing each progress report to `onProgress`. */
export async function runToResult<T>(
  gen: AsyncGenerator<ExperimentProgress, T, undefined>,
  onProgress: (p: ExperimentProgress) => void = () => undefined,
): Promise<T> {
  for (;;) {
    const next = await gen.next();
    if (next.done === true) return next.value;
    onProgress(next.value);
  }
}
