/**
 * Is the update really low-rank? Fine-tune the pretrained encoder on sentiment — in full, or with
 * LoRA on the six linear modules of every layer — then read what training changed, ΔW = W_after −
 * W_before, for each linear module, and ask how much of it a rank-r matrix holds (Hu et al. 2021,
 * §7; Biderman et al. 2024). Training goes through the core's loop and batcher, so a seed gives the
 * same run in a cell and in scripts/precompute-lowrank.ts. Dropout is off: a run is a function of
 * its seeds.
 */
import * as tf from '@tensorflow/tfjs';
import { parameterRows, summarizeParams } from '../../core/accounting.ts';
import type { EncodedRows } from '../../core/data/tasks.ts';
import type { MlmBatch } from '../../core/data/mlm.ts';
import { getPeftModel, type PeftModel } from '../../core/lora/peft-model.ts';
import type { Encoder } from '../../core/models/encoder.ts';
import { softmaxCrossEntropy } from '../../core/nn/loss.ts';
import { Rng } from '../../core/rng.ts';
import { tailMean } from '../../core/stats.ts';
import { Adam } from '../../core/train/adam.ts';
import { BatchOrder, StepBatch, disposeBatch, rowsTensors } from '../../core/train/batches.ts';
import { encoderAccuracy, mlmScore, type MlmScore } from '../../core/train/evaluate.ts';
import { trainLoop } from '../../core/train/loop.ts';
import { SubspaceModel } from '../../core/subspace/model.ts';
import { trainSubspace } from '../../core/subspace/train.ts';
import { LowRankError } from './errors.ts';
import {
  effectiveRank,
  energyShare,
  frobenius,
  gaussianLike,
  mat,
  singularValues,
  stableRank,
  subtract,
  svd,
  truncate,
  type Mat,
  type Svd,
} from './linalg.ts';

/**
 * Hands the page back between units of work once `SLICE` ms have passed: a macrotask
 * (`setTimeout`), so that queued input, painting and other tasks run, not only this work's own
 * continuation (which `scheduler.yield()` would resume first). In Node it costs one timer tick.
 */
function handBack(): () => Promise<void> {
  let since = performance.now();
  return async () => {
    if (performance.now() - since < SLICE) return;
    await new Promise((resolve) => setTimeout(resolve, 0));
    since = performance.now();
  };
}
const SLICE = 30;

/** The six linear modules of a layer, by the names the placement lesson uses. */
export const LINEAR_KEYS = [
  'query',
  'key',
  'value',
  'attention-output',
  'ffn-up',
  'ffn-down',
] as const;
/** One of {@link LINEAR_KEYS}. */
export type LinearKey = (typeof LINEAR_KEYS)[number];

const PATHS: Readonly<Record<LinearKey, string>> = {
  query: 'attention.self.query',
  key: 'attention.self.key',
  value: 'attention.self.value',
  'attention-output': 'attention.output.dense',
  'ffn-up': 'intermediate.dense',
  'ffn-down': 'output.dense',
};

/** One adapted linear module. */
export interface LinearModule {
  readonly layer: number;
  readonly key: LinearKey;
  /** Module path, e.g. `roberta.encoder.layer.0.attention.self.query`. */
  readonly module: string;
  /** Its weight's parameter name (`….weight`, stored `[in, out]`). */
  readonly weight: string;
}

/** The linear modules of every layer, layer by layer, in {@link LINEAR_KEYS} order. */
export function linearModules(numLayers: number): LinearModule[] {
  const out: LinearModule[] = [];
  for (let layer = 0; layer < numLayers; layer++)
    for (const key of LINEAR_KEYS) {
      const module = `roberta.encoder.layer.${String(layer)}.${PATHS[key]}`;
      out.push({ layer, key, module, weight: `${module}.weight` });
    }
  return out;
}

/** `^roberta\.encoder\.layer\.\d+\.(…six paths…)$`: LoRA on every linear module of every layer. */
export const ALL_LINEARS = new RegExp(
  `^roberta\\.encoder\\.layer\\.\\d+\\.(${LINEAR_KEYS.map((k) => PATHS[k].replace(/\./g, '\\.')).join('|')})$`,
);

/**
 * What a run trains: every parameter, LoRA factors of rank r, or d coordinates of a random sparse
 * subspace of every parameter (the intrinsic-dimension lesson's method, Li et al. 2018).
 */
export type Method =
  | { readonly kind: 'full' }
  | { readonly kind: 'lora'; readonly r: number }
  | { readonly kind: 'subspace'; readonly d: number };

/**
 * "full fine-tuning", "LoRA r=8" or "random subspace d=37122" (also the run's key in results
 * files); `lang: 'ja'` gives the Japanese edition's label for display.
 */
export function methodLabel(m: Method, lang = 'en'): string {
  const ja = lang === 'ja';
  if (m.kind === 'full') return ja ? 'フルファインチューニング' : 'full fine-tuning';
  if (m.kind === 'lora') return `LoRA r=${String(m.r)}`;
  return `${ja ? 'ランダムな部分空間' : 'random subspace'} d=${String(m.d)}`;
}

/**
 * A run's name as the results file records it ("full fine-tuning seed 0", "LoRA r=8", "random
 * subspace d=53634 seed 1": {@link methodLabel}, then the seed), for display: unchanged in English,
 * the Japanese edition's words with `lang: 'ja'` ("フルファインチューニング、シード0").
 */
export function runNameLabel(name: string, lang = 'en'): string {
  if (lang !== 'ja') return name;
  return name
    .replace(/^full fine-tuning/, 'フルファインチューニング')
    .replace(/^random subspace/, 'ランダムな部分空間')
    .replace(/ seed (\d+)$/, '、シード$1');
}

/** Options of {@link fineTune}. */
export interface FineTuneOptions {
  /** The model (2-label classifier; an MLM head may be present and is never trained). */
  readonly encoder: Encoder;
  readonly train: EncodedRows;
  readonly method: Method;
  /** Seed of the adapter init and the batch order. */
  readonly seed: number;
  readonly steps: number;
  /** Batch size (default 32). */
  readonly batchSize?: number;
  readonly learningRate: number;
  /** LoRA's α (scaling α/r); default 2r. Hu et al. (2021, §4.1) fix α at the first r they try. */
  readonly loraAlpha?: number;
  /** Sets to measure accuracy on after training (with the adapters in place). */
  readonly validation: EncodedRows;
  readonly test: EncodedRows;
  /** Masked-LM batches to score before and after training (the encoder needs its MLM head). */
  readonly mlm?: readonly MlmBatch[];
  readonly signal?: AbortSignal;
}

/** An MLM score: the core's {@link MlmScore}. */
export type MlmResult = MlmScore;

/**
 * A finished run: the trained encoder (the caller's) with its weights as they were before training
 * and the LoRA ΔW of each module (for LoRA, the base weights never change: ΔW is A·B·α/r).
 * `dispose()` frees the copies, not the encoder.
 */
export interface FineTuned {
  readonly method: Method;
  readonly seed: number;
  readonly steps: number;
  readonly trainable: number;
  readonly all: number;
  readonly finalLoss: number;
  readonly ms: number;
  readonly stopped: boolean;
  /** Accuracy after training, with the adapters in place. */
  readonly accuracy: { readonly validation: number; readonly test: number };
  /** Masked-LM loss and accuracy before and after training (null without `mlm`). */
  readonly mlm: { readonly before: MlmResult; readonly after: MlmResult } | null;
  readonly modules: readonly LinearModule[];
  /** Every parameter's value before training, by name. */
  readonly before: ReadonlyMap<string, tf.Tensor>;
  /** For LoRA: ΔW of each module (`[in, out]`), by weight name. */
  readonly loraDeltas: ReadonlyMap<string, tf.Tensor>;
  dispose(): void;
}

/**
 * Trains `encoder` with `method` (yielding every step). Full fine-tuning trains every parameter but
 * the MLM head; LoRA trains A and B on all six linear modules of every layer (α = 2r unless
 * `loraAlpha` says otherwise) and the classifier (PEFT's `modulesToSave`); a random subspace trains
 * d coordinates θd, θ = θ0 + P·θd with the core's sparse projection P over every parameter but the
 * MLM head (seeded by `seed`). Afterwards the encoder carries no adapter; for full fine-tuning and
 * the subspace its weights are the trained ones, for LoRA the pretrained ones (ΔW is returned).
 */
export async function* fineTune(
  o: FineTuneOptions,
): AsyncGenerator<{ step: number; loss: number; ms: number }, FineTuned, undefined> {
  const t0 = performance.now();
  const batchSize = o.batchSize ?? 32;
  const n = o.train.n;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > n)
    throw new LowRankError('batchSize', batchSize, `must be an integer in [1, ${String(n)}]`);
  if (!Number.isInteger(o.steps) || o.steps < 1)
    throw new LowRankError('steps', o.steps, 'must be a positive integer');
  if (!(o.learningRate > 0)) throw new LowRankError('learningRate', o.learningRate, 'must be > 0');
  const m = o.method;
  if (m.kind === 'lora' && (!Number.isInteger(m.r) || m.r < 1))
    throw new LowRankError('r', m.r, 'must be a positive integer');
  if (m.kind === 'subspace' && (!Number.isInteger(m.d) || m.d < 1))
    throw new LowRankError('d', m.d, 'must be a positive integer');
  const enc = o.encoder;
  const modules = linearModules(enc.config.numHiddenLayers);
  const before = new Map(enc.namedParameters().map((p) => [p.name, p.variable.clone()]));
  const flags = new Map(enc.namedParameters().map((p) => [p.variable, p.variable.trainable]));
  const loraDeltas = new Map<string, tf.Tensor>();
  const free = (): void => {
    tf.dispose([...before.values(), ...loraDeltas.values()]);
  };
  let peft: PeftModel<Encoder> | null = null;
  const opt = new Adam({ learningRate: o.learningRate });
  const losses: number[] = [];
  try {
    const mlmBefore = o.mlm ? await mlmScore(enc, o.mlm) : null;
    if (m.kind === 'lora') {
      peft = getPeftModel(
        enc,
        {
          r: m.r,
          loraAlpha: o.loraAlpha ?? 2 * m.r,
          targetModules: ALL_LINEARS,
          modulesToSave: ['classifier'],
        },
        { seed: o.seed },
      );
    } else {
      for (const p of enc.namedParameters()) p.variable.trainable = !p.name.startsWith('lm_head.');
    }
    const rows = peft ? peft.parameterRows() : parameterRows(enc);
    const summary = summarizeParams(rows);
    const batches = new BatchOrder({ n, batchSize, rng: new Rng(o.seed).fork('batches') });
    const feed = new StepBatch(
      () => rowsTensors(o.train, batches.next(), { trimPadding: true }),
      disposeBatch,
    );
    const hooks = {
      steps: o.steps,
      beforeStep: feed.load,
      afterStep: feed.drop,
      loss: () => {
        const b = feed.current();
        return softmaxCrossEntropy(enc.classify(b.ids, b.mask, { training: false }), b.labels);
      },
      ...(o.signal ? { signal: o.signal } : {}),
    };
    let trainable = summary.trainable;
    let steps: AsyncIterable<{ step: number; loss: number; ms: number }>;
    if (m.kind === 'subspace') {
      // θ = θ0 + P·θd over every parameter but the (untrained) MLM head; only θd ∈ ℝ^d trains.
      const model = await SubspaceModel.create(enc, {
        d: m.d,
        projection: 'sparse',
        seed: o.seed,
        include: (name) => !name.startsWith('lm_head.'),
      });
      trainable = m.d;
      steps = trainSubspace({ ...hooks, model, learningRate: o.learningRate });
    } else {
      const vars = peft
        ? peft.trainableVariables()
        : enc
            .namedParameters()
            .filter((p) => p.variable.trainable)
            .map((p) => p.variable);
      steps = trainLoop({ ...hooks, optimizer: opt, variables: vars });
    }
    for await (const s of steps) {
      losses.push(s.loss);
      yield { step: s.step, loss: s.loss, ms: s.ms };
    }
    if (peft)
      for (const mod of modules) loraDeltas.set(mod.weight, peft.getDeltaWeight(mod.module));
    const accuracy = {
      validation: await encoderAccuracy(enc, o.validation),
      test: await encoderAccuracy(enc, o.test),
    };
    const mlm =
      o.mlm && mlmBefore ? { before: mlmBefore, after: await mlmScore(enc, o.mlm) } : null;
    return {
      method: m,
      seed: o.seed,
      steps: losses.length,
      trainable,
      all: summary.all,
      finalLoss: tailMean(losses),
      ms: performance.now() - t0,
      stopped: losses.length < o.steps,
      accuracy,
      mlm,
      modules,
      before,
      loraDeltas,
      dispose: free,
    };
  } catch (e) {
    free();
    throw e;
  } finally {
    opt.dispose();
    peft?.unload();
    for (const [v, t] of flags) if (!v.isDisposed) v.trainable = t;
  }
}

/**
 * How many weights LoRA of rank `r` on all six linear modules of every layer trains, classifier
 * included (as {@link fineTune} sets it up): the d that a random subspace of the same size gets.
 */
export function loraTrainable(encoder: Encoder, r: number): number {
  const flags = encoder.namedParameters().map((p) => [p.variable, p.variable.trainable] as const);
  const peft = getPeftModel(
    encoder,
    { r, loraAlpha: 2 * r, targetModules: ALL_LINEARS, modulesToSave: ['classifier'] },
    { seed: 0 },
  );
  try {
    return summarizeParams(peft.parameterRows()).trainable;
  } finally {
    peft.unload();
    for (const [v, t] of flags) v.trainable = t;
  }
}

/** Runs {@link fineTune} to the end. */
export async function fineTuneToEnd(o: FineTuneOptions): Promise<FineTuned> {
  const it = fineTune(o);
  for (;;) {
    const r = await it.next();
    if (r.done === true) return r.value;
  }
}

/** A tensor's values as a {@link Mat} (2-D tensors only). */
export async function toMat(t: tf.Tensor): Promise<Mat> {
  if (t.rank !== 2) throw new LowRankError('rank', t.rank, 'must be a 2-D tensor');
  const [rows = 0, cols = 0] = t.shape;
  return mat(rows, cols, await t.data());
}

/** One module's pretrained weight W and update ΔW, as {@link Mat}s. */
export interface ModuleDelta {
  readonly module: LinearModule;
  readonly W: Mat;
  readonly dW: Mat;
}

/** W (before training) and ΔW of every linear module of a finished run. */
export async function moduleDeltas(enc: Encoder, run: FineTuned): Promise<ModuleDelta[]> {
  const params = new Map(enc.namedParameters().map((p) => [p.name, p.variable]));
  const out: ModuleDelta[] = [];
  for (const module of run.modules) {
    const w0 = run.before.get(module.weight);
    if (!w0) throw new LowRankError('module', module.weight, 'has no saved weight');
    const W = await toMat(w0);
    const lora = run.loraDeltas.get(module.weight);
    let dW: Mat;
    if (lora) dW = await toMat(lora);
    else {
      const now = params.get(module.weight);
      if (!now) throw new LowRankError('module', module.weight, 'is not in the encoder');
      dW = subtract(await toMat(now), W);
    }
    out.push({ module, W, dW });
  }
  return out;
}

/** The ranks a spectrum summary reports the energy share at. */
export const SHARE_RANKS = [1, 2, 4, 8, 16, 32, 64] as const;

/** What one matrix's singular values say. */
export interface SpectrumSummary {
  /** Singular values, descending. */
  readonly s: number[];
  readonly frobenius: number;
  /** Roy & Vetterli's (2007) effective rank. */
  readonly effectiveRank: number;
  readonly stableRank: number;
  /** Share of ‖·‖²_F in the top r, for r in {@link SHARE_RANKS}. */
  readonly share: Record<string, number>;
  /** The smallest r whose top-r share reaches 90%. */
  readonly rank90: number;
}

/** Summarises a spectrum. */
export function summarizeSpectrum(s: readonly number[]): SpectrumSummary {
  const share: Record<string, number> = {};
  for (const r of SHARE_RANKS) share[String(r)] = energyShare(s, r);
  let rank90 = s.length;
  for (let r = 1; r <= s.length; r++)
    if (energyShare(s, r) >= 0.9) {
      rank90 = r;
      break;
    }
  return {
    s: [...s],
    frobenius: Math.sqrt(s.reduce((a, v) => a + v * v, 0)),
    effectiveRank: effectiveRank(s),
    stableRank: stableRank(s),
    share,
    rank90,
  };
}

/** One module's ΔW against a Gaussian matrix of the same shape and Frobenius norm. */
export interface ModuleSpectrum {
  readonly module: string;
  readonly layer: number;
  readonly key: LinearKey;
  readonly rows: number;
  readonly cols: number;
  /** ‖W‖_F of the pretrained weight. */
  readonly weightNorm: number;
  /** ‖ΔW‖_F / ‖W‖_F. */
  readonly relativeChange: number;
  readonly delta: SpectrumSummary;
  readonly random: SpectrumSummary;
}

/** The spectrum of each module's ΔW and of a same-shape, same-norm Gaussian matrix. */
export async function moduleSpectra(
  deltas: readonly ModuleDelta[],
  seed: number,
): Promise<{ spectra: ModuleSpectrum[]; svds: Map<string, Svd> }> {
  const rng = new Rng(seed).fork('random-matrix');
  const spectra: ModuleSpectrum[] = [];
  const svds = new Map<string, Svd>();
  // Each SVD takes a good fraction of a second in a browser: hand the page back between them.
  const tick = handBack();
  for (const d of deltas) {
    await tick();
    const ds = await svd(d.dW);
    svds.set(d.module.weight, ds);
    const norm = frobenius(d.dW);
    const g = gaussianLike(d.dW.rows, d.dW.cols, norm, rng);
    await tick();
    const gs = await singularValues(g);
    const weightNorm = frobenius(d.W);
    spectra.push({
      module: d.module.module,
      layer: d.module.layer,
      key: d.module.key,
      rows: d.dW.rows,
      cols: d.dW.cols,
      weightNorm,
      relativeChange: norm / weightNorm,
      delta: summarizeSpectrum(ds.s),
      random: summarizeSpectrum(gs),
    });
  }
  return { spectra, svds };
}

/** What the truncated model keeps of the other parameters. */
export type TruncationRest = 'tuned' | 'pretrained';

/** Accuracy of the model with every linear's ΔW cut to rank r. */
export interface TruncationPoint {
  readonly r: number;
  readonly rest: TruncationRest;
  readonly validation: number;
  readonly test: number;
}

/**
 * Sets every linear module's weight to W + (ΔW cut to rank r) — all modules at once — and measures
 * accuracy, for each r in `ranks`. With `rest: 'tuned'` every other parameter (embeddings,
 * LayerNorms, biases, classifier) keeps its fine-tuned value; with `'pretrained'` all of them but
 * the classifier go back to their pretrained values, so only the rank-r linear updates and the
 * classifier differ from the pretrained model. Leaves the encoder as it found it.
 */
export async function truncationSweep(o: {
  readonly encoder: Encoder;
  readonly run: FineTuned;
  readonly deltas: readonly ModuleDelta[];
  readonly svds: ReadonlyMap<string, Svd>;
  readonly ranks: readonly number[];
  readonly rest: readonly TruncationRest[];
  readonly validation: EncodedRows;
  readonly test: EncodedRows;
  readonly signal?: AbortSignal;
  readonly onPoint?: (p: TruncationPoint) => void;
}): Promise<TruncationPoint[]> {
  const enc = o.encoder;
  const params = enc.namedParameters();
  const linear = new Set(o.deltas.map((d) => d.module.weight));
  const saved = new Map(params.map((p) => [p.name, p.variable.clone()]));
  const points: TruncationPoint[] = [];
  const tick = handBack();
  try {
    for (const rest of o.rest) {
      for (const p of params) {
        if (linear.has(p.name) || p.name.startsWith('classifier.') || p.name.startsWith('lm_head.'))
          continue;
        const v = rest === 'tuned' ? saved.get(p.name) : o.run.before.get(p.name);
        if (v) p.variable.assign(v);
      }
      for (const r of o.ranks) {
        if (o.signal?.aborted) return points;
        for (const d of o.deltas) {
          await tick();
          const s = o.svds.get(d.module.weight) ?? (await svd(d.dW));
          const cut = truncate(s, r);
          const w = new Float32Array(cut.data.length);
          for (let i = 0; i < w.length; i++) w[i] = (d.W.data[i] ?? 0) + (cut.data[i] ?? 0);
          const variable = params.find((p) => p.name === d.module.weight)?.variable;
          if (!variable) throw new LowRankError('module', d.module.weight, 'is not in the encoder');
          const t = tf.tensor2d(w, [d.W.rows, d.W.cols]);
          variable.assign(t);
          t.dispose();
        }
        const point = {
          r,
          rest,
          validation: await encoderAccuracy(enc, o.validation),
          test: await encoderAccuracy(enc, o.test),
        };
        points.push(point);
        o.onPoint?.(point);
      }
    }
    return points;
  } finally {
    for (const p of params) {
      const v = saved.get(p.name);
      if (v && !p.variable.isDisposed) p.variable.assign(v);
    }
    tf.dispose([...saved.values()]);
  }
}

/** Masked-LM batches of sentences (moved to the core: the QLoRA lesson measures with it too). */
export { mlmBatches } from '../../core/data/mlm.ts';
