/**
 * Fine-tuning on a reader's own labelled sentences: one pretrained encoder whose classifier has
 * one output per label, trained either with LoRA (Hu et al. 2021; the adapters plus the
 * classifier, PEFT's `modules_to_save`) or as the classifier alone on the frozen encoder, for
 * comparison. Training goes through the core's loop and batcher (`runSteps`, `BatchOrder`,
 * `StepBatch`, `rowsTensors`); it stops between two steps and resumes where it stopped, with the
 * same seeded batches.
 *
 * It has the shape the kit's training panel drives (`train`, `resume`, `stop`, `memory`), and
 * after a run: predictions and probabilities on the validation sentences or on any text, and the
 * adapter in PEFT's two files plus the label names, which {@link OwnDataSession.loadAdapter}
 * reads back into a fresh model. Page-free: it runs the same in a page and in Node tests.
 */
import * as tf from '@tensorflow/tfjs';
import { encodeLabelled, type LabelledSplit } from '../../core/data/labelled.ts';
import type { EncodedRows } from '../../core/data/tasks.ts';
import type { WordTokenizer } from '../../core/data/tokenizer.ts';
import { loadAdapter, saveAdapter, type AdapterFiles } from '../../core/lora/io.ts';
import { getPeftModel, PeftModel } from '../../core/lora/peft-model.ts';
import type { Encoder } from '../../core/models/encoder.ts';
import { softmaxCrossEntropy } from '../../core/nn/loss.ts';
import { Rng } from '../../core/rng.ts';
import { median } from '../../core/stats.ts';
import { Adam } from '../../core/train/adam.ts';
import { BatchOrder, disposeBatch, rowsTensors, StepBatch } from '../../core/train/batches.ts';
import { runSteps } from '../../core/train/loop.ts';
import { DataError } from '../../core/data/errors.ts';

/** How one run trains. */
export interface OwnRunConfig {
  /** `lora`: adapters + classifier; `head`: the classifier alone, the encoder frozen. */
  readonly method: 'lora' | 'head';
  readonly r: number;
  readonly loraAlpha: number;
  readonly targetModules: readonly string[];
  readonly learningRate: number;
  /** Optimiser steps (the page turns epochs into steps: `ceil(epochs · n / batchSize)`). */
  readonly steps: number;
  readonly batchSize: number;
  readonly seed: number;
  /** Validation accuracy every this many steps (and at the end); 0 = only at the end. */
  readonly evalEvery: number;
}

/** The training lesson's adapter (rank 2 on query and attention output, α = 4, lr 2e-3). */
export const OWN_DEFAULT_RUN: OwnRunConfig = {
  method: 'lora',
  r: 2,
  loraAlpha: 4,
  targetModules: ['query', 'attention.output.dense'],
  learningRate: 2e-3,
  steps: 150,
  batchSize: 16,
  seed: 0,
  evalEvery: 25,
};

/** Steps for `epochs` passes over `n` training sentences in batches of `batchSize`. */
export function stepsForEpochs(epochs: number, n: number, batchSize: number): number {
  return Math.max(1, Math.ceil((epochs * n) / Math.min(batchSize, n)));
}

/** A run's events (the fields the kit's training panel reads). */
export type OwnRunEvent =
  | {
      readonly kind: 'progress';
      readonly step: number;
      readonly steps: number;
      readonly loss: number;
      readonly stepsPerSecond: number;
      readonly etaSeconds: number;
      readonly memory: { numBytes: number; numTensors: number };
      readonly trainableParams: number;
      readonly totalParams: number;
    }
  | { readonly kind: 'eval'; readonly step: number; readonly accuracy: number };

/** A finished or stopped run. */
export interface OwnRunSummary {
  readonly config: OwnRunConfig;
  readonly stepsDone: number;
  readonly stopped: boolean;
  readonly losses: readonly number[];
  readonly accuracy: number;
  readonly msPerStep: number;
  readonly trainableParams: number;
}

/** Predictions on the validation sentences. */
export interface OwnEvaluation {
  /** Probabilities `[n][k]`. */
  readonly probs: number[][];
  readonly predicted: number[];
  readonly labels: number[];
  readonly accuracy: number;
  /** `confusion[true][predicted]` counts. */
  readonly confusion: number[][];
}

/** What a session starts from. */
export interface OwnSessionSetup {
  /** A fresh encoder with a classifier of `split.labels.length` outputs, its head seeded by `seed`. */
  readonly encoder: (seed: number) => Encoder;
  readonly tokenizer: WordTokenizer;
  readonly split: LabelledSplit;
  /** Tokens per sentence, `<s>`/`</s>` included (default 48). */
  readonly maxLen?: number;
  /** The base model's name written into `adapter_config.json`. */
  readonly baseModel?: string;
}

/** The adapter's files and its label names (`labels.json`: `{"labels": [...]}`). */
export interface OwnAdapterFiles extends AdapterFiles {
  readonly labelsJson: string;
}

interface Run {
  config: OwnRunConfig;
  model: Encoder;
  peft: PeftModel<Encoder> | null;
  optimizer: Adam;
  rng: Rng;
  batches: BatchOrder | null;
  stepsDone: number;
  losses: number[];
  times: number[];
  accuracy: number;
}

const macrotask = (): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, 0);
  });

/** The session (see the file header). Call {@link dispose} when done. */
export class OwnDataSession {
  readonly labels: readonly string[];
  readonly trainRows: EncodedRows;
  readonly validationRows: EncodedRows;
  private run: Run | null = null;
  private abort: AbortController | null = null;

  constructor(private readonly setup: OwnSessionSetup) {
    const maxLen = setup.maxLen ?? 48;
    this.labels = setup.split.labels;
    this.trainRows = encodeLabelled(setup.tokenizer, setup.split.train, maxLen);
    this.validationRows = encodeLabelled(setup.tokenizer, setup.split.validation, maxLen);
    if (this.trainRows.n === 0) throw new DataError('train', 'no training sentences');
  }

  /** Starts a new run (freeing the previous one) and trains it. */
  async train(config: OwnRunConfig, onEvent: (e: OwnRunEvent) => void = () => undefined) {
    this.disposeRun();
    const model = this.setup.encoder(config.seed);
    if (model.config.numLabels !== this.labels.length) {
      model.dispose();
      throw new DataError(
        'encoder',
        `has ${model.config.numLabels} outputs for ${this.labels.length} labels`,
      );
    }
    let peft: PeftModel<Encoder> | null = null;
    try {
      if (config.method === 'lora')
        peft = getPeftModel(
          model,
          {
            r: config.r,
            loraAlpha: config.loraAlpha,
            targetModules: [...config.targetModules],
            modulesToSave: ['classifier'],
          },
          { adapterName: 'default', seed: config.seed },
        );
    } catch (e) {
      model.dispose();
      throw e;
    }
    this.run = {
      config,
      model,
      peft,
      optimizer: new Adam({ learningRate: config.learningRate }),
      rng: new Rng(config.seed).fork('batches'),
      batches: null,
      stepsDone: 0,
      losses: [],
      times: [],
      accuracy: Number.NaN,
    };
    return this.resume(0, onEvent);
  }

  /** Continues the current run to its steps plus `extraSteps`; {@link stop} ends it between steps. */
  async resume(
    extraSteps = 0,
    onEvent: (e: OwnRunEvent) => void = () => undefined,
  ): Promise<OwnRunSummary> {
    const run = this.requireRun();
    if (extraSteps > 0) run.config = { ...run.config, steps: run.config.steps + extraSteps };
    const { config } = run;
    const set = this.trainRows;
    const abort = new AbortController();
    this.abort = abort;
    const vars = this.trainable(run);
    const trainable = vars.reduce((s, v) => s + v.size, 0);
    const total = run.model.namedParameters().reduce((s, p) => s + p.variable.size, 0);
    const batches = (run.batches ??= new BatchOrder({
      n: set.n,
      batchSize: Math.min(config.batchSize, set.n),
      rng: run.rng,
      epochs: 'stream',
    }));
    const batch = new StepBatch(() => rowsTensors(set, batches.next()), disposeBatch);
    const model = run.peft ? run.peft.model : run.model;
    const steps = runSteps({
      steps: Math.max(0, config.steps - run.stepsDone),
      signal: abort.signal,
      // A task between any two steps: a worker's "stop" message gets in (scheduler.yield's
      // continuations would run ahead of it), a page paints.
      pause: macrotask,
      beforeStep: (step) => {
        batch.load(step);
      },
      afterStep: batch.drop,
      takeStep: async () => {
        const { ids, mask, labels } = batch.current();
        const lossT = run.optimizer.step(
          () =>
            softmaxCrossEntropy(
              model.classify(ids, mask, { training: true, rng: run.rng }),
              labels,
            ),
          vars,
        );
        const loss = (await lossT.data())[0] ?? Number.NaN;
        lossT.dispose();
        run.stepsDone++;
        run.losses.push(loss);
        return { loss };
      },
    });
    for await (const { loss, ms } of steps) {
      run.times.push(ms);
      const recent = run.times.slice(-10);
      const msAvg = recent.reduce((s, v) => s + v, 0) / recent.length;
      const m = tf.memory();
      onEvent({
        kind: 'progress',
        step: run.stepsDone,
        steps: config.steps,
        loss,
        stepsPerSecond: 1000 / msAvg,
        etaSeconds: ((config.steps - run.stepsDone) * msAvg) / 1000,
        memory: { numBytes: m.numBytes, numTensors: m.numTensors },
        trainableParams: trainable,
        totalParams: total,
      });
      const last = run.stepsDone === config.steps;
      if ((config.evalEvery > 0 && run.stepsDone % config.evalEvery === 0) || last) {
        run.accuracy = (await this.evaluate()).accuracy;
        onEvent({ kind: 'eval', step: run.stepsDone, accuracy: run.accuracy });
      }
    }
    if (this.abort === abort) this.abort = null;
    const t = run.times.length > 4 ? run.times.slice(2) : run.times;
    return {
      config: run.config,
      stepsDone: run.stepsDone,
      stopped: run.stepsDone < config.steps,
      losses: [...run.losses],
      accuracy: run.accuracy,
      msPerStep: t.length === 0 ? Number.NaN : median(t),
      trainableParams: trainable,
    };
  }

  /** Stops the running call before its next step (the run can be resumed). */
  stop(): void {
    this.abort?.abort();
  }

  /** TF.js memory now. */
  memory(): Promise<{ numBytes: number; numTensors: number }> {
    const m = tf.memory();
    return Promise.resolve({ numBytes: m.numBytes, numTensors: m.numTensors });
  }

  private requireRun(): Run {
    if (!this.run) throw new DataError('run', 'train a model first');
    return this.run;
  }

  private trainable(run: Run): tf.Variable[] {
    if (run.peft) return run.peft.trainableVariables();
    // The classifier alone: everything else stays as pretrained.
    return run.model
      .namedParameters()
      .map((p) => {
        p.variable.trainable = p.name.startsWith('classifier.');
        return p.variable;
      })
      .filter((v) => v.trainable);
  }

  /** Class probabilities `[n][k]` of `rows` with the current model (batches of 64). */
  private async probabilities(rows: EncodedRows, model?: Encoder): Promise<number[][]> {
    const m = model ?? this.currentModel();
    const out: number[][] = [];
    const k = this.labels.length;
    for (let start = 0; start < rows.n; start += 64) {
      const idx = Array.from({ length: Math.min(64, rows.n - start) }, (_, i) => start + i);
      const b = rowsTensors(rows, idx);
      const p = tf.tidy(() => tf.softmax(m.classify(b.ids, b.mask, { training: false })));
      disposeBatch(b);
      const data = await p.data();
      p.dispose();
      for (let i = 0; i < idx.length; i++) out.push(Array.from(data.subarray(i * k, (i + 1) * k)));
      await macrotask();
    }
    return out;
  }

  private currentModel(): Encoder {
    const run = this.requireRun();
    return run.peft ? run.peft.model : run.model;
  }

  /** Predictions, accuracy and confusion matrix on the validation sentences. */
  async evaluate(model?: Encoder): Promise<OwnEvaluation> {
    const probs = await this.probabilities(this.validationRows, model);
    const labels = Array.from(this.validationRows.labels);
    const predicted = probs.map((p) => p.indexOf(Math.max(...p)));
    const k = this.labels.length;
    const confusion = Array.from({ length: k }, () => new Array<number>(k).fill(0));
    let hit = 0;
    predicted.forEach((p, i) => {
      const t = labels[i] ?? 0;
      const row = confusion[t];
      if (row) row[p] = (row[p] ?? 0) + 1;
      if (p === t) hit++;
    });
    return { probs, predicted, labels, accuracy: hit / Math.max(1, labels.length), confusion };
  }

  /** Class probabilities of any texts with the current model. */
  async predictTexts(texts: readonly string[]): Promise<number[][]> {
    const rows = encodeLabelled(
      this.setup.tokenizer,
      texts.map((text) => ({ text, label: 0 })),
      this.validationRows.maxLen,
    );
    return this.probabilities(rows);
  }

  /** The LoRA run's adapter in PEFT's two files, and the label names. */
  async saveAdapter(): Promise<OwnAdapterFiles> {
    const run = this.requireRun();
    if (!run.peft) throw new DataError('method', 'saving an adapter needs a LoRA run');
    const files = await saveAdapter(run.peft, run.peft.activeAdapter, {
      baseModelNameOrPath: this.setup.baseModel ?? 'tiny-roberta',
      taskType: 'SEQ_CLS',
    });
    return { ...files, labelsJson: JSON.stringify({ labels: this.labels }, null, 2) };
  }

  /**
   * Loads saved files into a fresh copy of the base model (its head seeded differently, so only
   * the file can make the predictions agree) and evaluates it on the validation sentences. The
   * label names must be this data's, in the same order.
   */
  async loadAdapter(files: OwnAdapterFiles): Promise<OwnEvaluation> {
    let names: unknown;
    try {
      names = (JSON.parse(files.labelsJson) as { labels?: unknown }).labels;
    } catch (e) {
      throw new DataError('labels.json', `not JSON (${(e as Error).message})`);
    }
    if (!Array.isArray(names) || names.some((n) => typeof n !== 'string'))
      throw new DataError('labels.json', 'expected {"labels": ["…", "…"]}');
    if (JSON.stringify(names) !== JSON.stringify(this.labels))
      throw new DataError(
        'labels.json',
        `labels ${JSON.stringify(names)} are not this data's ${JSON.stringify(this.labels)}`,
      );
    const fresh = new PeftModel(this.setup.encoder(7919));
    try {
      loadAdapter(fresh, files, 'default');
      return await this.evaluate(fresh.model);
    } finally {
      fresh.dispose();
    }
  }

  /** Frees the current run. */
  disposeRun(): void {
    this.abort?.abort();
    if (!this.run) return;
    this.run.optimizer.dispose();
    if (this.run.peft) this.run.peft.dispose();
    else this.run.model.dispose();
    this.run = null;
  }

  /** Frees everything. */
  dispose(): void {
    this.disposeRun();
  }
}
