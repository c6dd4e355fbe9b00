/**
 * Helpers for the initialisation lesson (`lessons/initialisation.mdx`): the gradients of LoRA's
 * factors in closed form, a loss surface over a rank-1 adapter's two numbers, a short training run
 * that reports ‖∇A‖ and ‖∇B‖ per step, and mean-and-band statistics over seeds. The tasks the
 * runs train on are in `tasks.ts`.
 *
 * Notation (row vectors, as everywhere in the core): `h = x·W0 + s·g·x·A·B` with `x: [n, dIn]`,
 * `A: [dIn, r]`, `B: [r, dOut]`, scaling `s` (α/r, or α/√r for rsLoRA, Kalajdzievski 2023) and an
 * optional gate `g` (LLaMA-Adapter's zero-initialised gating, Zhang et al. 2023; `g = 1` without
 * one). With `G = ∂L/∂h: [n, dOut]`, the chain rule gives
 * `∂L/∂A = s·g·xᵀ·G·Bᵀ`, `∂L/∂B = s·g·(x·A)ᵀ·G`, `∂L/∂g = s·Σ (x·A·B) ⊙ G`.
 */
import type * as tf from '@tensorflow/tfjs';
import { Adam, type LearningRate } from '../../core/train/adam.ts';
import { trainLoop } from '../../core/train/loop.ts';
import type { InitLoraWeights, LoraConfigInput } from '../../core/lora/config.ts';
import { getPeftModel, type PeftModel } from '../../core/lora/peft-model.ts';
import type { InitTask } from './tasks.ts';

export * from './tasks.ts';

/** Thrown for a bad argument of an experiment helper (names the field and value). */
export class InitExperimentError extends Error {
  override readonly name = 'InitExperimentError';
  constructor(
    readonly field: string,
    readonly value: unknown,
    reason: string,
  ) {
    super(`${field} = ${String(value)}: ${reason}`);
  }
}

/** Inputs of {@link loraGradients}: row-major arrays and their sizes. */
export interface LoraGradientInput {
  /** Inputs `[n, dIn]`. */
  readonly x: ArrayLike<number>;
  /** `[dIn, r]`. */
  readonly a: ArrayLike<number>;
  /** `[r, dOut]`. */
  readonly b: ArrayLike<number>;
  /** `G = ∂L/∂h`, `[n, dOut]`. */
  readonly g: ArrayLike<number>;
  readonly n: number;
  readonly dIn: number;
  readonly r: number;
  readonly dOut: number;
  /** α/r or α/√r. */
  readonly scaling: number;
  /** The gate's value, or null for an ungated adapter. */
  readonly gate: number | null;
}

/** Gradients of the loss with respect to the adapter's factors, in float64. */
export interface LoraGradients {
  /** `[dIn, r]` row-major. */
  readonly dA: Float64Array;
  /** `[r, dOut]` row-major. */
  readonly dB: Float64Array;
  /** `∂L/∂g` (null without a gate). */
  readonly dGate: number | null;
}

function checkLength(field: string, arr: ArrayLike<number>, want: number): void {
  if (arr.length !== want) {
    throw new InitExperimentError(field, arr.length, `must hold ${String(want)} numbers`);
  }
}

/**
 * The closed-form gradients `∂L/∂A = s·g·xᵀ·G·Bᵀ`, `∂L/∂B = s·g·(x·A)ᵀ·G`,
 * `∂L/∂g = s·Σ (x·A·B) ⊙ G`, computed in plain JavaScript (float64), independent of TF.js, so a
 * lesson or a test can set them beside what TF.js's autodiff reports.
 * @throws {InitExperimentError} when an array's length does not match its shape.
 */
export function loraGradients(p: LoraGradientInput): LoraGradients {
  const { n, dIn, r, dOut, scaling: s } = p;
  for (const [f, v] of [
    ['n', n],
    ['dIn', dIn],
    ['r', r],
    ['dOut', dOut],
  ] as const) {
    if (!Number.isInteger(v) || v <= 0)
      throw new InitExperimentError(f, v, 'must be a positive integer');
  }
  checkLength('x', p.x, n * dIn);
  checkLength('a', p.a, dIn * r);
  checkLength('b', p.b, r * dOut);
  checkLength('g', p.g, n * dOut);
  const at = (arr: ArrayLike<number>, i: number): number => arr[i] ?? Number.NaN;
  const gate = p.gate ?? 1;
  // xa = x·A: [n, r]; gbT = G·Bᵀ: [n, r]
  const xa = new Float64Array(n * r);
  const gbT = new Float64Array(n * r);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < r; k++) {
      let u = 0;
      for (let j = 0; j < dIn; j++) u += at(p.x, i * dIn + j) * at(p.a, j * r + k);
      xa[i * r + k] = u;
      let v = 0;
      for (let o = 0; o < dOut; o++) v += at(p.g, i * dOut + o) * at(p.b, k * dOut + o);
      gbT[i * r + k] = v;
    }
  }
  const dA = new Float64Array(dIn * r); // s·g·xᵀ·(G·Bᵀ)
  for (let j = 0; j < dIn; j++) {
    for (let k = 0; k < r; k++) {
      let u = 0;
      for (let i = 0; i < n; i++) u += at(p.x, i * dIn + j) * (gbT[i * r + k] ?? 0);
      dA[j * r + k] = s * gate * u;
    }
  }
  const dB = new Float64Array(r * dOut); // s·g·(x·A)ᵀ·G
  let dGate = 0; // s·Σ (x·A·B) ⊙ G = s·Σ_{i,k} (x·A)[i,k]·(G·Bᵀ)[i,k]
  for (let k = 0; k < r; k++) {
    for (let o = 0; o < dOut; o++) {
      let u = 0;
      for (let i = 0; i < n; i++) u += (xa[i * r + k] ?? 0) * at(p.g, i * dOut + o);
      dB[k * dOut + o] = s * gate * u;
    }
    for (let i = 0; i < n; i++) dGate += (xa[i * r + k] ?? 0) * (gbT[i * r + k] ?? 0);
  }
  return { dA, dB, dGate: p.gate === null ? null : s * dGate };
}

/**
 * Mean-squared-error loss of 1-D linear regression through a frozen weight `w0` plus a rank-1
 * adapter: `L(a, b) = (1/2N)·Σ (xᵢ·(w0 + s·a·b) − yᵢ)²`. Returns it as a function of `(a, b)`
 * (closed form through the sums Σx², Σxy, Σy²). Its minima form the hyperbola `a·b = (w* − w0)/s`,
 * `w*` the least-squares slope, and `(0, 0)` is a saddle point where the gradient vanishes.
 */
export function regressionLoss(
  xs: readonly number[],
  ys: readonly number[],
  w0: number,
  scaling: number,
): (a: number, b: number) => number {
  if (xs.length === 0 || xs.length !== ys.length) {
    throw new InitExperimentError('xs', xs.length, `must be non-empty and match ys (${ys.length})`);
  }
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  xs.forEach((x, i) => {
    const y = ys[i] ?? 0;
    sxx += x * x;
    sxy += x * y;
    syy += y * y;
  });
  const n = xs.length;
  return (a, b) => {
    const w = w0 + scaling * a * b;
    return (w * w * sxx - 2 * w * sxy + syy) / (2 * n);
  };
}

/** A loss evaluated on a regular grid: `z[j][i] = f(a[i], b[j])` (rows are b, as plots expect). */
export interface LossGrid {
  readonly a: number[];
  readonly b: number[];
  readonly z: number[][];
}

/** Evaluates `f` on `steps × steps` points of `[aLo, aHi] × [bLo, bHi]` (ends included). */
export function lossGrid(
  f: (a: number, b: number) => number,
  aRange: readonly [number, number],
  bRange: readonly [number, number],
  steps: number,
): LossGrid {
  if (!Number.isInteger(steps) || steps < 2)
    throw new InitExperimentError('steps', steps, 'must be an integer ≥ 2');
  const axis = ([lo, hi]: readonly [number, number]) =>
    Array.from({ length: steps }, (_, i) => lo + ((hi - lo) * i) / (steps - 1));
  const a = axis(aRange);
  const b = axis(bRange);
  return { a, b, z: b.map((bj) => a.map((ai) => f(ai, bj))) };
}

/** Per-step mean and spread over several runs of equal length. */
export interface Band {
  readonly mean: number[];
  /** Sample standard deviation (0 for a single run). */
  readonly std: number[];
  readonly min: number[];
  readonly max: number[];
}

/** Mean, standard deviation, min and max at each step over `runs` (each a list of numbers). */
export function meanBand(runs: readonly (readonly number[])[]): Band {
  const first = runs[0];
  if (!first) throw new InitExperimentError('runs', 0, 'needs at least one run');
  const len = first.length;
  for (const r of runs)
    if (r.length !== len)
      throw new InitExperimentError('runs', r.length, `every run must have ${String(len)} steps`);
  const mean: number[] = [];
  const std: number[] = [];
  const min: number[] = [];
  const max: number[] = [];
  for (let t = 0; t < len; t++) {
    const v = runs.map((r) => r[t] ?? Number.NaN);
    const m = v.reduce((s, x) => s + x, 0) / v.length;
    const ss = v.reduce((s, x) => s + (x - m) ** 2, 0);
    mean.push(m);
    std.push(v.length > 1 ? Math.sqrt(ss / (v.length - 1)) : 0);
    min.push(Math.min(...v));
    max.push(Math.max(...v));
  }
  return { mean, std, min, max };
}

/** The active adapter's variables by kind, over every adapted module. */
export function loraFactorGroups(peft: PeftModel): {
  A: tf.Variable[];
  B: tf.Variable[];
  gate: tf.Variable[];
} {
  const out = { A: [] as tf.Variable[], B: [] as tf.Variable[], gate: [] as tf.Variable[] };
  for (const t of peft.getPlan().targets) {
    const f = peft.factors(t.name);
    out.A.push(f.a);
    out.B.push(f.b);
    if (f.gate) out.gate.push(f.gate);
  }
  return out;
}

/** The LoRA settings a lesson varies (everything else comes from the task). */
export interface InitSettings {
  readonly r: number;
  readonly loraAlpha: number;
  readonly initLoraWeights: InitLoraWeights;
  /** Std of the random factor in 'random-both', 'a-zero-b-random' and 'gated'. */
  readonly initScale?: number;
  readonly useRslora?: boolean;
}

/** Wraps the task's model with an adapter made from `settings` (caller unloads it). */
export function adaptTask(task: InitTask, settings: InitSettings, seed: number): PeftModel {
  const config: LoraConfigInput = {
    ...settings,
    targetModules: task.targetModules,
    modulesToSave: task.modulesToSave,
  };
  return getPeftModel(task.model, config, { seed });
}

/**
 * Largest |adapted − base| over the task's probe outputs right after initialisation, before any
 * step: exactly 0 for the schemes that start as a no-op (B = 0, A = 0, or gate = 0).
 */
export async function outputChangeAtInit(
  task: InitTask,
  settings: InitSettings,
  seed: number,
): Promise<number> {
  const peft = adaptTask(task, settings, seed);
  try {
    const adapted = task.probe();
    peft.disableAdapters();
    const base = task.probe();
    const [x, y] = [await adapted.data(), await base.data()];
    adapted.dispose();
    base.dispose();
    let worst = 0;
    for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs((x[i] ?? 0) - (y[i] ?? 0)));
    return worst;
  } finally {
    peft.unload();
    task.restore();
  }
}

/** One step of {@link initRun}. */
export interface InitStep {
  /** 0-based step. */
  readonly step: number;
  /** Loss of the step's batch before the update. */
  readonly loss: number;
  /** ‖∂L/∂A‖ over every adapted module (before the update). */
  readonly normA: number;
  /** ‖∂L/∂B‖. */
  readonly normB: number;
  /** ‖∂L/∂g‖ (0 without a gate). */
  readonly normGate: number;
  /** Learning rate used. */
  readonly learningRate: number;
}

/** Options of {@link initRun}. */
export interface InitRunOptions {
  readonly settings: InitSettings;
  /** Seed of the adapter's initialisation (the task's data and base weights are fixed). */
  readonly seed: number;
  readonly steps: number;
  /** Adam's learning rate: a constant or a schedule such as `warmupDecay(...)`. */
  readonly learningRate: LearningRate;
  readonly signal?: AbortSignal;
}

/**
 * Trains a fresh adapter on `task` with Adam for `steps` steps, yielding the loss and the gradient
 * norms of A, B and the gate at every step; afterwards the adapter is removed and the task's
 * trained head restored, so the next run starts from the same base model.
 */
export async function* initRun(
  task: InitTask,
  o: InitRunOptions,
): AsyncGenerator<InitStep, void, undefined> {
  if (!Number.isInteger(o.steps) || o.steps <= 0)
    throw new InitExperimentError('steps', o.steps, 'must be a positive integer');
  const peft = adaptTask(task, o.settings, o.seed);
  const optimizer = new Adam({ learningRate: o.learningRate });
  try {
    const groups = loraFactorGroups(peft);
    const loop = trainLoop({
      optimizer,
      variables: () => peft.trainableVariables(),
      loss: (step) => task.loss(step),
      steps: o.steps,
      gradNormGroups: groups,
      ...(o.signal ? { signal: o.signal } : {}),
    });
    for await (const s of loop) {
      const { A, B, gate } = s.gradNorms ?? {};
      yield {
        step: s.step,
        loss: s.loss,
        normA: A ?? Number.NaN,
        normB: B ?? Number.NaN,
        normGate: gate ?? 0,
        learningRate: s.learningRate,
      };
    }
  } finally {
    optimizer.dispose();
    peft.unload();
    task.restore();
  }
}

/** Runs {@link initRun} to the end and collects its steps. */
export async function initRunToEnd(task: InitTask, o: InitRunOptions): Promise<InitStep[]> {
  const out: InitStep[] = [];
  for await (const s of initRun(task, o)) out.push(s);
  return out;
}
