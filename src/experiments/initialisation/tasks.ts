/**
 * Fine-tuning tasks for the initialisation lesson, each a frozen "pretrained" model plus fixed
 * batches, so that runs which differ only in the adapter's initialisation see the same data in the
 * same order:
 * - {@link encoderSentimentTask}: the shipped pretrained encoder on the sentiment split;
 * - {@link mlpTeacherTask}: a small MLP pretrained in place on a teacher network's labels, then
 *   fine-tuned on a second teacher that differs from the first by a rank-1 change of its first
 *   layer (so a low-rank adapter can, in principle, fix the whole difference).
 */
import * as tf from '@tensorflow/tfjs';
import type { WordTokenizer } from '../../core/data/tokenizer.ts';
import type { SentimentExample } from '../../core/data/sentiment.ts';
import type { Encoder } from '../../core/models/encoder.ts';
import { Mlp } from '../../core/models/mlp.ts';
import type { Module } from '../../core/models/types.ts';
import { softmaxCrossEntropy } from '../../core/nn/loss.ts';
import { Rng } from '../../core/rng.ts';
import { Adam } from '../../core/train/adam.ts';
import { trainLoop } from '../../core/train/loop.ts';
import type { TargetModules } from '../../core/lora/config.ts';

/** A model to adapt and the data to adapt it on. */
export interface InitTask {
  /** What it is, in a few words, for the page. */
  readonly label: string;
  /** The base model (shared by every run; only `modulesToSave` change during a run). */
  readonly model: Module;
  readonly targetModules: TargetModules;
  readonly modulesToSave: readonly string[];
  /** Number of fixed batches; step `t` uses batch `t mod batches`. */
  readonly batches: number;
  /** Mean cross-entropy of step `step`'s batch under the model as it is now. */
  loss(step: number): tf.Scalar;
  /** Logits on a fixed probe batch (caller disposes). */
  probe(): tf.Tensor;
  /** Puts the trained `modulesToSave` weights back to their state when the task was made. */
  restore(): void;
  /** Frees the batches and the model. */
  dispose(): void;
}

/** Thrown for a bad task option (names the field and value). */
export class InitTaskError extends Error {
  override readonly name = 'InitTaskError';
  constructor(
    readonly field: string,
    readonly value: unknown,
    reason: string,
  ) {
    super(`${field} = ${String(value)}: ${reason}`);
  }
}

function positiveInt(field: string, v: number): void {
  if (!Number.isInteger(v) || v <= 0)
    throw new InitTaskError(field, v, 'must be a positive integer');
}

/** Snapshot of the parameters under `prefixes`, and a function that restores it. */
function snapshot(model: Module, prefixes: readonly string[]): { restore(): void; free(): void } {
  const all = model.getWeights();
  const kept: Record<string, tf.Tensor> = {};
  for (const [name, t] of Object.entries(all)) {
    if (prefixes.some((p) => name === p || name.startsWith(`${p}.`))) kept[name] = t;
    else t.dispose();
  }
  return {
    restore: () => {
      if (Object.keys(kept).length > 0) model.setWeights(kept, { strict: false });
    },
    free: () => {
      tf.dispose(Object.values(kept));
    },
  };
}

/** Options of {@link encoderSentimentTask}. */
export interface EncoderTaskOptions {
  /** A pretrained encoder with a 2-label classifier (e.g. from `encoderFromHf(..., {numLabels: 2})`). */
  readonly encoder: Encoder;
  readonly tokenizer: WordTokenizer;
  /** Training sentences (labels 0/1). */
  readonly examples: readonly SentimentExample[];
  /** Sequence length including `<s>` and `</s>`. */
  readonly maxLen: number;
  readonly batchSize: number;
  /** Number of distinct batches (steps beyond it cycle). */
  readonly batches: number;
  /** Seed of the order in which sentences are drawn. */
  readonly seed: number;
  /** Modules to adapt (default query and value, as in the LoRA paper's main experiments). */
  readonly targetModules?: TargetModules;
  /**
   * Adam steps that fit the classifier head on the frozen encoder before any adapter exists, on
   * sentences the runs never see (a linear probe); the head is then frozen, so the base model is
   * a working classifier and every change comes from the adapter. 0 (default): no fitting, and
   * the head trains beside each adapter instead (`modulesToSave: ['classifier']`, as PEFT does).
   */
  readonly headSteps?: number;
  /** Learning rate of the head fitting (default 3e-3). */
  readonly headLearningRate?: number;
}

/**
 * The sentiment task on the pretrained encoder: LoRA on `query`/`value` (Hu et al. 2021 adapt
 * Wq and Wv). The new classifier head is either fitted first and frozen (`headSteps > 0`) or
 * trained in full beside each adapter (`modulesToSave: ['classifier']`, as PEFT does for sequence
 * classification) and restored after each run. Dropout is off, so runs are deterministic given
 * the seeds.
 */
export async function encoderSentimentTask(o: EncoderTaskOptions): Promise<InitTask> {
  positiveInt('maxLen', o.maxLen);
  positiveInt('batchSize', o.batchSize);
  positiveInt('batches', o.batches);
  const headSteps = o.headSteps ?? 0;
  if (!Number.isInteger(headSteps) || headSteps < 0)
    throw new InitTaskError('headSteps', headSteps, 'must be an integer ≥ 0');
  const need = o.batchSize * (o.batches + 1) + (headSteps > 0 ? o.batchSize : 0);
  if (o.examples.length < need)
    throw new InitTaskError('examples', o.examples.length, `needs at least ${String(need)}`);
  const order = new Rng(o.seed).shuffle([...o.examples]);
  const make = (list: readonly SentimentExample[]) => {
    const ids = new Int32Array(list.length * o.maxLen);
    const mask = new Int32Array(list.length * o.maxLen);
    list.forEach((e, i) => {
      const enc = o.tokenizer.encode(e.text, o.maxLen);
      ids.set(enc.inputIds, i * o.maxLen);
      mask.set(enc.attentionMask, i * o.maxLen);
    });
    return {
      ids: tf.tensor2d(ids, [list.length, o.maxLen], 'int32'), // [B, T]
      mask: tf.tensor2d(mask, [list.length, o.maxLen], 'int32'), // [B, T]
      labels: tf.tensor1d(
        list.map((e) => e.label),
        'int32',
      ), // [B]
    };
  };
  const batches = Array.from({ length: o.batches }, (_, k) =>
    make(order.slice(k * o.batchSize, (k + 1) * o.batchSize)),
  );
  const probe = make(order.slice(o.batches * o.batchSize, (o.batches + 1) * o.batchSize));
  const enc = o.encoder;
  if (headSteps > 0) {
    // Linear probe on sentences after the runs' own: up to 16 batches, cycled.
    const rest = order.slice((o.batches + 1) * o.batchSize);
    const count = Math.max(1, Math.min(16, Math.floor(rest.length / o.batchSize)));
    const headBatches = Array.from({ length: count }, (_, k) =>
      make(rest.slice(k * o.batchSize, (k + 1) * o.batchSize)),
    );
    const head = enc
      .namedParameters()
      .filter((p) => p.name.startsWith('classifier.'))
      .map((p) => p.variable);
    const optimizer = new Adam({ learningRate: o.headLearningRate ?? 3e-3 });
    try {
      const loop = trainLoop({
        optimizer,
        variables: head,
        steps: headSteps,
        loss: (step) => {
          const b = headBatches[step % headBatches.length] ?? probe;
          return softmaxCrossEntropy(enc.classify(b.ids, b.mask, { training: false }), b.labels);
        },
      });
      for await (const s of loop) {
        if (!Number.isFinite(s.loss))
          throw new InitTaskError('head.loss', s.loss, `is not finite at step ${String(s.step)}`);
      }
    } catch (e) {
      for (const b of [...batches, probe]) tf.dispose([b.ids, b.mask, b.labels]);
      throw e;
    } finally {
      optimizer.dispose();
      for (const b of headBatches) tf.dispose([b.ids, b.mask, b.labels]);
    }
  }
  const saved = snapshot(enc, ['classifier']);
  return {
    label: `pretrained encoder (${String(enc.config.numHiddenLayers)} layers, width ${String(enc.config.hiddenSize)}) on sentiment${headSteps > 0 ? ', head fitted then frozen' : ''}`,
    model: enc,
    targetModules: o.targetModules ?? ['query', 'value'],
    modulesToSave: headSteps > 0 ? [] : ['classifier'],
    batches: o.batches,
    loss: (step) => {
      const b = batches[step % batches.length] ?? probe;
      return tf.tidy(() =>
        softmaxCrossEntropy(enc.classify(b.ids, b.mask, { training: false }), b.labels),
      );
    },
    probe: () => enc.classify(probe.ids, probe.mask, { training: false }),
    restore: () => {
      saved.restore();
    },
    dispose: () => {
      saved.free();
      for (const b of [...batches, probe]) tf.dispose([b.ids, b.mask, b.labels]);
      enc.dispose();
    },
  };
}

/** Options of {@link mlpTeacherTask}. */
export interface MlpTaskOptions {
  /** Seed of the teachers, the data and the student's initialisation. */
  readonly seed: number;
  /** Input width (default 16). */
  readonly dIn?: number;
  /** Width of the student's two hidden layers (default 64). */
  readonly hidden?: number;
  /** Fine-tuning batch size (default 256). */
  readonly batchSize?: number;
  /** Number of fixed fine-tuning batches (default 1: full-batch, so loss curves are smooth). */
  readonly batches?: number;
  /** Full-parameter Adam steps on the first teacher's labels (default 200). */
  readonly pretrainSteps?: number;
  /** Size of the rank-1 change between the two teachers (default 1.5). */
  readonly shift?: number;
}

/**
 * A small stand-in for a pretrained model: an MLP `[dIn, hidden, hidden, 2]` trained in place on
 * labels of a random teacher network, then adapted (LoRA on the two hidden layers, so r ≤ dIn) to a second teacher whose first
 * layer differs by a rank-1 matrix. The pretraining run is part of building the task (a few
 * hundred milliseconds).
 */
export async function mlpTeacherTask(o: MlpTaskOptions): Promise<InitTask> {
  const dIn = o.dIn ?? 16;
  const hidden = o.hidden ?? 64;
  const batchSize = o.batchSize ?? 256;
  const nBatches = o.batches ?? 1;
  const pretrainSteps = o.pretrainSteps ?? 200;
  const shift = o.shift ?? 1.5;
  positiveInt('dIn', dIn);
  positiveInt('hidden', hidden);
  positiveInt('batchSize', batchSize);
  positiveInt('batches', nBatches);
  positiveInt('pretrainSteps', pretrainSteps);
  if (!Number.isFinite(shift)) throw new InitTaskError('shift', shift, 'must be a finite number');
  const rng = new Rng(o.seed);
  const teacherHidden = 16;
  const t1 = rng.fork('teacher.0').normalArray(dIn * teacherHidden, 1 / Math.sqrt(dIn));
  const t2 = rng.fork('teacher.1').normalArray(teacherHidden * 2, 1 / Math.sqrt(teacherHidden));
  const u = rng.fork('shift.u').normalArray(dIn, 1 / Math.sqrt(dIn));
  const v = rng.fork('shift.v').normalArray(teacherHidden, 1);
  const t1b = t1.map(
    (w, i) => w + shift * (u[Math.floor(i / teacherHidden)] ?? 0) * (v[i % teacherHidden] ?? 0),
  );
  const label = (x: Float32Array, w1: Float32Array): Int32Array => {
    const n = x.length / dIn;
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      let z0 = 0;
      let z1 = 0;
      for (let h = 0; h < teacherHidden; h++) {
        let s = 0;
        for (let j = 0; j < dIn; j++) s += (x[i * dIn + j] ?? 0) * (w1[j * teacherHidden + h] ?? 0);
        const a = Math.tanh(s);
        z0 += a * (t2[h * 2] ?? 0);
        z1 += a * (t2[h * 2 + 1] ?? 0);
      }
      out[i] = z1 > z0 ? 1 : 0;
    }
    return out;
  };
  const makeBatch = (r: Rng, w1: Float32Array, size = batchSize) => {
    const x = r.normalArray(size * dIn);
    return { x: tf.tensor2d(x, [size, dIn]), y: tf.tensor1d(label(x, w1), 'int32') };
  };
  const model = new Mlp(
    { sizes: [dIn, hidden, hidden, 2], activation: 'relu', bias: true },
    { seed: o.seed },
  );
  // Pretraining on the first teacher, every parameter trained.
  const pre = Array.from({ length: 16 }, (_, k) => makeBatch(rng.fork(`pre.${String(k)}`), t1, 64));
  const optimizer = new Adam({ learningRate: 1e-2 });
  try {
    const vars = model.namedParameters().map((p) => p.variable);
    const loop = trainLoop({
      optimizer,
      variables: vars,
      steps: pretrainSteps,
      loss: (step) => {
        const b = pre[step % pre.length] ?? pre[0];
        if (!b) throw new InitTaskError('pretrain', step, 'no batch');
        return softmaxCrossEntropy(model.forward(b.x), b.y);
      },
    });
    for await (const s of loop) {
      if (!Number.isFinite(s.loss))
        throw new InitTaskError('pretrain.loss', s.loss, `is not finite at step ${String(s.step)}`);
    }
  } catch (e) {
    model.dispose();
    throw e;
  } finally {
    optimizer.dispose();
    for (const b of pre) tf.dispose([b.x, b.y]);
  }
  // Fine-tuning batches from the second teacher.
  const batches = Array.from({ length: nBatches }, (_, k) =>
    makeBatch(rng.fork(`ft.${String(k)}`), t1b),
  );
  const probe = makeBatch(rng.fork('probe'), t1b);
  return {
    label: `MLP [${String(dIn)}, ${String(hidden)}, ${String(hidden)}, 2] pretrained on a teacher, adapted to a shifted teacher`,
    model,
    targetModules: ['layers.0', 'layers.1'],
    modulesToSave: [],
    batches: nBatches,
    loss: (step) => {
      const b = batches[step % batches.length] ?? probe;
      return tf.tidy(() => softmaxCrossEntropy(model.forward(b.x), b.y));
    },
    probe: () => model.forward(probe.x),
    restore: () => undefined,
    dispose: () => {
      for (const b of [...batches, probe]) tf.dispose([b.x, b.y]);
      model.dispose();
    },
  };
}
