/**
 * A fine-tuning session for the training lesson: one base encoder (pretrained when the shipped
 * files load, else random), the two tasks' data, and the current run — LoRA (Hu et al. 2021) or
 * full fine-tuning — trained step by step with progress events, stoppable between steps and
 * resumable. After a LoRA run: merge and compare, save/load the adapter (PEFT format), train a
 * second task's adapter on the same model and hot-swap between the two (Kamp, "Dive Into LoRA
 * Adapters", part 3).
 *
 * Page-free: it runs the same in a Web Worker (`src/worker/train-worker.ts`), in a page, and in
 * Node tests. Every run builds a fresh model from the base weights, so runs never leak into each
 * other; the classifier head is seeded by the run's seed.
 *
 * The head: one classifier with {@link HEAD_WIDTH} (= 3) outputs; the sentiment task reads the
 * first two logits, the source task all three. Our core trains `modulesToSave` in place (shared by
 * adapters), so the session keeps a copy of each adapter's head and puts it back on every swap —
 * what PEFT's `ModulesToSaveWrapper` does by keeping one copy per adapter.
 *
 * Its parts: the run's settings and reports (run-config.ts), evaluation (evaluate.ts), and here
 * the session itself — training (through the core's loop and batcher) and the adapter checks.
 */
import * as tf from '@tensorflow/tfjs';
import { loadPretrained } from '../../core/data/pretrained.ts';
import type { WordTokenizer } from '../../core/data/tokenizer.ts';
import { Encoder, encoderConfig, type EncoderConfig } from '../../core/models/encoder.ts';
import { getPeftModel, PeftModel } from '../../core/lora/peft-model.ts';
import { loadAdapter, saveAdapter, type AdapterFiles } from '../../core/lora/io.ts';
import { softmaxCrossEntropy } from '../../core/nn/loss.ts';
import { Rng } from '../../core/rng.ts';
import { Adam } from '../../core/train/adam.ts';
import { BatchOrder, disposeBatch, rowsTensors, StepBatch } from '../../core/train/batches.ts';
import { runSteps } from '../../core/train/loop.ts';
import {
  encodeSet,
  HEAD_WIDTH,
  TASK_CLASSES,
  tokenizerFromExamples,
  type EncodedSet,
  type TaskName,
} from '../../core/data/tasks.ts';
import { FineTuneError } from './errors.ts';
import { predictClasses, validationLogits } from './evaluate.ts';
import {
  memoryNow,
  validateRun,
  type MemoryInfo,
  type MergeReport,
  type RoundTripReport,
  type RunConfig,
  type RunEvent,
  type RunSummary,
  type SessionInfo,
  type SessionSetup,
  type SwapReport,
} from './run-config.ts';
import { aborted, macrotask } from './util.ts';
import { median } from '../../core/stats.ts';

interface Run {
  config: RunConfig;
  model: Encoder;
  peft: PeftModel<Encoder> | null;
  optimizer: Adam;
  rng: Rng;
  /** The run's batches (made on its first step; `null` again when a new task starts). */
  batches: BatchOrder | null;
  stepsDone: number;
  losses: number[];
  times: number[];
  accuracy: number;
  optimizerStateBytes: number;
}

/** The fine-tuning session (see the file header). Call {@link dispose} when done. */
export class FineTuneSession {
  readonly tokenizer: WordTokenizer;
  readonly config: EncoderConfig;
  private readonly base: Record<string, tf.Tensor>;
  private readonly data: Record<TaskName, { train: EncodedSet; validation: EncodedSet }>;
  private run: Run | null = null;
  /** Per-adapter copies of the classifier head (see the file header). */
  private readonly heads = new Map<string, Record<string, tf.Tensor>>();
  private readonly setup: SessionSetup;
  private readonly maxLen: number;
  /** The last step's loss read-back, which a stopped run does not wait for. */
  private inflight: Promise<unknown> = Promise.resolve();

  constructor(setup: SessionSetup) {
    this.setup = setup;
    const dropout = setup.dropout;
    const drop: Partial<EncoderConfig> =
      dropout === undefined ? {} : { hiddenDropoutProb: dropout, attentionDropoutProb: dropout };
    let encoder: Encoder;
    if (setup.pretrained) {
      const p = loadPretrained(setup.pretrained, { numLabels: HEAD_WIDTH, ...drop }, 0);
      encoder = p.encoder;
      this.tokenizer = p.tokenizer;
    } else {
      this.tokenizer = tokenizerFromExamples(setup.split.train);
      const small = setup.preset === 'micro';
      encoder = new Encoder(
        encoderConfig('tiny', {
          vocabSize: this.tokenizer.size,
          maxPositionEmbeddings: 50,
          numLabels: HEAD_WIDTH,
          mlmHead: false,
          ...(small ? { hiddenSize: 32, intermediateSize: 64, numAttentionHeads: 2 } : {}),
          ...drop,
        }),
        { seed: 0 },
      );
    }
    this.config = encoder.config;
    const room = this.config.maxPositionEmbeddings - this.config.padTokenId - 1;
    this.maxLen = Math.min(setup.maxLen ?? 32, room);
    // The body's weights, kept to build every run's model; the head is seeded per run.
    const all = encoder.getWeights();
    this.base = {};
    for (const [n, t] of Object.entries(all)) {
      if (n.startsWith('classifier.')) t.dispose();
      else this.base[n] = t;
    }
    encoder.dispose();
    const val = setup.split.validation.slice(0, setup.validationLimit ?? undefined);
    const enc = (task: TaskName) => ({
      train: encodeSet(this.tokenizer, setup.split.train, task, this.maxLen),
      validation: encodeSet(this.tokenizer, val, task, this.maxLen),
    });
    this.data = { sentiment: enc('sentiment'), source: enc('source') };
  }

  /** What the page shows about the model and data. */
  info(): SessionInfo {
    return {
      pretrained: this.setup.pretrained !== null,
      whyNoPretrained: this.setup.pretrained ? null : (this.setup.whyNoPretrained ?? 'not given'),
      dataLabel: this.setup.dataLabel,
      vocabSize: this.tokenizer.size,
      config: this.config,
      train: this.data.sentiment.train.n,
      validation: this.data.sentiment.validation.n,
      maxLen: this.maxLen,
    };
  }

  /** A fresh model: the base body plus a head seeded by `seed`. */
  private freshModel(seed: number): Encoder {
    const m = new Encoder(this.config, { seed: 1000 + seed });
    m.setWeights(this.base, { strict: false });
    return m;
  }

  /**
   * Copies the frozen body's weights back from the base bit for bit. `unmerge()` restores W0 only
   * within float32 rounding ((W0 + ΔW) − ΔW ≠ W0 in general); LoRA never trains the body, so the
   * base copy is exactly what the weights should be.
   */
  private restoreBody(run: Run): void {
    if (run.peft) run.model.setWeights(this.base, { strict: false });
  }

  private requireRun(): Run {
    if (!this.run) throw new FineTuneError('run', null, 'train a model first');
    return this.run;
  }

  private requireLora(): Run & { peft: PeftModel<Encoder> } {
    const run = this.requireRun();
    if (!run.peft) throw new FineTuneError('method', run.config.method, 'needs a LoRA run');
    return run as Run & { peft: PeftModel<Encoder> };
  }

  /** Starts a new run (freeing the previous one) and trains it; see {@link resume}. */
  async train(
    config: RunConfig,
    onEvent: (e: RunEvent) => void = () => undefined,
    signal?: AbortSignal,
  ): Promise<RunSummary> {
    validateRun(config);
    this.disposeRun();
    const model = this.freshModel(config.seed);
    let peft: PeftModel<Encoder> | null = null;
    try {
      if (config.method === 'lora') {
        peft = getPeftModel(
          model,
          {
            r: config.r,
            loraAlpha: config.loraAlpha,
            targetModules: [...config.targetModules],
            modulesToSave: ['classifier'],
          },
          { adapterName: config.task, seed: config.seed },
        );
      }
    } catch (e) {
      model.dispose();
      throw e;
    }
    const rng = new Rng(config.seed).fork('batches');
    this.run = {
      config,
      model,
      peft,
      optimizer: new Adam({ learningRate: config.learningRate }),
      rng,
      batches: null,
      stepsDone: 0,
      losses: [],
      times: [],
      accuracy: Number.NaN,
      optimizerStateBytes: Number.NaN,
    };
    return this.resume(0, onEvent, signal);
  }

  /**
   * Continues the current run up to its configured steps plus `extraSteps`. Stops (between steps,
   * the event loop is given a turn after each) when `signal` aborts; the run can be resumed.
   */
  async resume(
    extraSteps = 0,
    onEvent: (e: RunEvent) => void = () => undefined,
    signal?: AbortSignal,
  ): Promise<RunSummary> {
    const run = this.requireRun();
    if (extraSteps > 0) run.config = { ...run.config, steps: run.config.steps + extraSteps };
    const { config } = run;
    const set = this.data[config.task].train;
    const k = TASK_CLASSES[config.task];
    const vars = () => (run.peft ? run.peft.trainableVariables() : trainableAll(run.model));
    const trainable = vars().reduce((s, v) => s + v.size, 0);
    const total = run.model.namedParameters().reduce((s, p) => s + p.variable.size, 0);
    const stopSignal = aborted(signal);
    // Batches continue the run's own seeded stream (shared with dropout), across resumes.
    const batches = (run.batches ??= new BatchOrder({
      n: set.n,
      batchSize: Math.min(config.batchSize, set.n),
      rng: run.rng,
      epochs: 'stream',
    }));
    const batch = new StepBatch(() => rowsTensors(set, batches.next()), disposeBatch);
    let bytesBefore = Number.NaN;
    const cut = { short: false }; // set when "stop" arrived during a step
    const steps = runSteps({
      steps: Math.max(0, config.steps - run.stepsDone),
      ...(signal ? { signal } : {}),
      // A worker's "stop" message gets in between any two steps; a page paints.
      pause: macrotask,
      beforeStep: (step) => {
        bytesBefore = run.stepsDone === 0 ? tf.memory().numBytes : Number.NaN;
        batch.load(step);
      },
      afterStep: batch.drop,
      takeStep: async () => {
        const { ids, mask, labels } = batch.current();
        const B = ids.shape[0];
        const model = run.peft ? run.peft.model : run.model;
        const index = run.losses.length;
        const lossT = run.optimizer.step(() => {
          const logits = model.classify(ids, mask, { training: true, rng: run.rng }); // [B, 3]
          return softmaxCrossEntropy(tf.slice(logits, [0, 0], [B, k]), labels);
        }, vars());
        const read = lossT.data().then((d) => {
          lossT.dispose();
          const v = d[0] ?? Number.NaN;
          run.losses[index] = v; // also fills in a step that "stop" did not wait for
          return v;
        });
        this.inflight = read;
        // On an asynchronous backend (WebGPU) a step may take seconds to finish on the device;
        // "stop" need not wait for it: the update is queued and counts, its loss arrives later.
        const loss = await Promise.race([read, stopSignal]);
        run.stepsDone++;
        if (loss === null) {
          if (run.losses.length <= index) run.losses[index] = Number.NaN;
          cut.short = true;
          return { loss: Number.NaN, stop: true };
        }
        run.losses[index] = loss;
        return { loss };
      },
    });
    for await (const { loss, ms } of steps) {
      run.times.push(ms);
      // The first step creates Adam's moments; its loss is read and freed by now.
      if (!Number.isNaN(bytesBefore)) run.optimizerStateBytes = tf.memory().numBytes - bytesBefore;
      const recent = run.times.slice(-10);
      const msAvg = recent.reduce((s, v) => s + v, 0) / recent.length;
      onEvent({
        kind: 'progress',
        step: run.stepsDone,
        steps: config.steps,
        loss,
        ms,
        stepsPerSecond: 1000 / msAvg,
        etaSeconds: ((config.steps - run.stepsDone) * msAvg) / 1000,
        memory: memoryNow(),
        trainableParams: trainable,
        totalParams: total,
      });
      const last = run.stepsDone === config.steps && config.evalAtEnd !== false;
      if ((config.evalEvery > 0 && run.stepsDone % config.evalEvery === 0) || last) {
        const acc = await this.accuracy(config.task, signal);
        if (!Number.isNaN(acc)) {
          run.accuracy = acc;
          onEvent({ kind: 'eval', step: run.stepsDone, accuracy: acc });
        }
      }
    }
    const stopped = cut.short || run.stepsDone < config.steps;
    // A stopped run reports the last accuracy it measured (NaN if none): measuring it now would
    // hold up Stop by a pass over the validation set (seconds on a software GPU adapter).
    return this.summary(run, stopped, trainable, total);
  }

  private summary(run: Run, stopped: boolean, trainable: number, total: number): RunSummary {
    const t = run.times.length > 4 ? run.times.slice(2) : run.times;
    return {
      config: run.config,
      stepsDone: run.stepsDone,
      stopped,
      losses: [...run.losses],
      firstLoss: run.losses[0] ?? Number.NaN,
      lastLoss: run.losses[run.losses.length - 1] ?? Number.NaN,
      accuracy: run.accuracy,
      msPerStep: median(t),
      stepMs: [...run.times],
      trainableParams: trainable,
      totalParams: total,
      trainStateBytes: trainable * 4 * 3,
      optimizerStateBytes: run.optimizerStateBytes,
      memory: memoryNow(),
    };
  }

  /** Predicted classes on a task's validation set with the current model as it is now. */
  async predict(task: TaskName): Promise<Int32Array> {
    const out = await this.tryPredict(task, 50);
    if (out === null) throw new FineTuneError('predict', task, 'was aborted');
    return out;
  }

  /** Like {@link predict}; null when `signal` aborts it between two batches. */
  private async tryPredict(
    task: TaskName,
    batch: number,
    signal?: AbortSignal,
  ): Promise<Int32Array | null> {
    const run = this.requireRun();
    const model = run.peft ? run.peft.model : run.model;
    return predictClasses(model, this.data[task].validation, TASK_CLASSES[task], batch, signal);
  }

  /** Logits `[n, k]` on a task's validation set (flat, row-major) for exact comparisons. */
  async logits(task: TaskName): Promise<Float32Array> {
    const run = this.requireRun();
    const model = run.peft ? run.peft.model : run.model;
    return validationLogits(model, this.data[task].validation, TASK_CLASSES[task]);
  }

  /** Validation accuracy of the current model on `task` (NaN when `signal` aborted it). */
  async accuracy(task: TaskName, signal?: AbortSignal): Promise<number> {
    const pred = await this.tryPredict(task, 50, signal);
    if (pred === null) return Number.NaN;
    const labels = this.data[task].validation.labels;
    let hit = 0;
    pred.forEach((p, i) => {
      if (p === labels[i]) hit++;
    });
    return hit / pred.length;
  }

  /** Median ms of `repeats` forward passes over the validation set (0: one untimed pass). */
  private async timeForward(task: TaskName, repeats: number): Promise<number> {
    const times: number[] = [];
    for (let i = 0; i < Math.max(1, repeats); i++) {
      const t0 = performance.now();
      await this.logits(task);
      times.push(performance.now() - t0);
    }
    return repeats === 0 ? Number.NaN : median(times);
  }

  /**
   * Merges the active LoRA adapter into the base weights and compares with the unmerged model:
   * largest logit difference, whether every prediction is the same, and the forward time of the
   * base model (adapters off), the unmerged and the merged model. Unmerges again at the end.
   */
  async mergeCheck(repeats = 5): Promise<MergeReport> {
    const run = this.requireLora();
    const task = run.config.task;
    const peft = run.peft;
    const before = await this.logits(task);
    const predBefore = await this.predict(task);
    peft.disableAdapters();
    const base = await this.logits(task);
    peft.enableAdapters();
    await peft.merge();
    let after: Float32Array;
    let predAfter: Int32Array;
    try {
      after = await this.logits(task);
      predAfter = await this.predict(task);
    } finally {
      peft.unmerge();
      this.restoreBody(run);
    }
    // Timings interleaved (unmerged, base, merged, unmerged, …) so load changes hit all three.
    const t = { base: [] as number[], unmerged: [] as number[], merged: [] as number[] };
    await this.timeForward(task, 0); // warm-up
    for (let i = 0; i < repeats; i++) {
      t.unmerged.push(await this.timeForward(task, 1));
      peft.disableAdapters();
      try {
        t.base.push(await this.timeForward(task, 1));
      } finally {
        peft.enableAdapters();
      }
      await peft.merge();
      try {
        t.merged.push(await this.timeForward(task, 1));
      } finally {
        peft.unmerge();
        this.restoreBody(run);
      }
    }
    let maxAbs = 0;
    let maxRef = 0;
    before.forEach((v, i) => {
      maxAbs = Math.max(maxAbs, Math.abs(v - (after[i] ?? Number.NaN)));
      maxRef = Math.max(maxRef, Math.abs(v));
    });
    const same = predBefore.every((p, i) => p === predAfter[i]);
    let effect = 0;
    before.forEach((v, i) => {
      effect = Math.max(effect, Math.abs(v - (base[i] ?? Number.NaN)));
    });
    return {
      maxAbsAdapterEffect: effect,
      maxAbsLogitDiff: maxAbs,
      maxAbsLogit: maxRef,
      samePredictions: same,
      baseMs: median(t.base),
      unmergedMs: median(t.unmerged),
      mergedMs: median(t.merged),
    };
  }

  /** The active adapter in PEFT's two files. */
  async saveAdapter(): Promise<AdapterFiles> {
    const run = this.requireLora();
    return saveAdapter(run.peft, run.peft.activeAdapter, {
      baseModelNameOrPath: this.setup.pretrained ? 'tiny-roberta' : 'tiny-roberta (random init)',
      taskType: 'SEQ_CLS',
    });
  }

  /**
   * Loads saved adapter files into a fresh model (base body, a head seeded differently) and
   * compares its validation logits with the current run's: the round trip must be exact.
   */
  async roundTrip(files: AdapterFiles): Promise<RoundTripReport> {
    const run = this.requireLora();
    const task = run.config.task;
    const want = await this.logits(task);
    const fresh = new PeftModel(this.freshModel(run.config.seed + 7919));
    const saved = this.run;
    try {
      loadAdapter(fresh, files, task);
      this.run = { ...run, model: fresh.model, peft: fresh };
      const got = await this.logits(task);
      const acc = await this.accuracy(task);
      let maxAbs = 0;
      want.forEach((v, i) => {
        maxAbs = Math.max(maxAbs, Math.abs(v - (got[i] ?? Number.NaN)));
      });
      return {
        maxAbsLogitDiff: maxAbs,
        accuracy: acc,
        bytes: files.adapterModelSafetensors.length,
      };
    } finally {
      this.run = saved;
      fresh.dispose();
    }
  }

  /**
   * Trains a second adapter for `task` on the current LoRA run's model (same base, same config
   * except the task), keeping a copy of each adapter's head. Progress as in {@link train}.
   */
  async trainSecondAdapter(
    task: TaskName,
    steps: number,
    onEvent: (e: RunEvent) => void = () => undefined,
    signal?: AbortSignal,
  ): Promise<RunSummary> {
    const run = this.requireLora();
    const first = run.config.task;
    if (task === first) throw new FineTuneError('task', task, `is the first adapter's task`);
    if (run.peft.adapterNames.includes(task)) run.peft.deleteAdapter(task);
    this.saveHead(first, run.model);
    run.peft.addAdapter(
      task,
      {
        r: run.config.r,
        loraAlpha: run.config.loraAlpha,
        targetModules: [...run.config.targetModules],
        modulesToSave: ['classifier'],
      },
      { seed: run.config.seed + 1 },
    );
    run.peft.setAdapter(task);
    // The second task's head starts from a freshly seeded one, not the first task's.
    const seeded = this.freshModel(run.config.seed + 31);
    const head = pick(seeded.getWeights(), 'classifier.');
    seeded.dispose();
    run.model.setWeights(head, { strict: false });
    tf.dispose(Object.values(head));
    const firstConfig = run.config;
    const firstState = {
      losses: run.losses,
      times: run.times,
      stepsDone: run.stepsDone,
      accuracy: run.accuracy,
      optimizerStateBytes: run.optimizerStateBytes,
    };
    run.config = { ...firstConfig, task, steps };
    run.optimizer.dispose();
    run.optimizer = new Adam({ learningRate: firstConfig.learningRate });
    run.stepsDone = 0;
    run.losses = [];
    run.times = [];
    run.batches = null;
    run.accuracy = Number.NaN;
    run.optimizerStateBytes = Number.NaN;
    try {
      return await this.resume(0, onEvent, signal);
    } finally {
      this.saveHead(task, run.model);
      // Back to the first adapter, as it was.
      run.config = firstConfig;
      Object.assign(run, firstState);
      await this.swapTo(first);
    }
  }

  private saveHead(name: string, model: Encoder): void {
    const old = this.heads.get(name);
    if (old) tf.dispose(Object.values(old));
    this.heads.set(name, pick(model.getWeights(), 'classifier.'));
  }

  /** Makes `name` active (factors and head); `merged`: unmerge the old ΔW, merge the new one. */
  private async swapTo(name: string, merged = false): Promise<void> {
    const run = this.requireLora();
    if (merged) run.peft.unmerge();
    run.peft.setAdapter(name);
    const head = this.heads.get(name);
    if (head) run.model.setWeights(head, { strict: false });
    if (merged) await run.peft.merge([name]);
  }

  /**
   * Hot-swaps between the two adapters `swaps` times (in place: `setAdapter` + head; or merged:
   * unmerge ΔW₁, merge ΔW₂ into the weights, as Kamp's endpoint does), timing each swap until the
   * backend has finished it, and checks that each task's predictions after the swaps are
   * identical to those before. Leaves the first adapter active and unmerged.
   */
  async swapCheck(swaps: number, merged: boolean): Promise<SwapReport> {
    const run = this.requireLora();
    const names = run.peft.adapterNames;
    if (names.length < 2)
      throw new FineTuneError('adapters', names.join(', '), 'train a second adapter first');
    const tasks = names as TaskName[];
    const before = new Map<TaskName, { pred: Int32Array; acc: number }>();
    for (const t of tasks) {
      await this.swapTo(t);
      before.set(t, { pred: await this.predict(t), acc: await this.accuracy(t) });
    }
    const first = tasks[0] ?? 'sentiment';
    await this.swapTo(first);
    if (merged) await run.peft.merge([first]);
    const probe = run.model.linear(
      [...run.model.linearModules().keys()].find((n) => n.endsWith('.query')) ?? '',
    ).weight;
    const times: number[] = [];
    let current = 0;
    for (let i = 0; i < swaps; i++) {
      current = 1 - current;
      const t0 = performance.now();
      await this.swapTo(tasks[current] ?? first, merged);
      const done = tf.slice(probe, [0, 0], [1, 1]);
      await done.data(); // the swap's writes have landed
      done.dispose();
      times.push(performance.now() - t0);
    }
    if (merged) {
      run.peft.unmerge();
      this.restoreBody(run);
    }
    const after: SwapReport['tasks'] = [];
    for (const t of tasks) {
      await this.swapTo(t);
      const pred = await this.predict(t);
      const b = before.get(t);
      after.push({
        task: t,
        accuracyBefore: b?.acc ?? Number.NaN,
        accuracyAfter: await this.accuracy(t),
        identical: b !== undefined && pred.every((p, i) => p === b.pred[i]),
      });
    }
    await this.swapTo(first);
    return { swaps, merged, msPerSwap: median(times), times, tasks: after };
  }

  /**
   * What TF.js holds on this thread's backend once the last step's loss (which Stop does not wait
   * for) has been read and freed: model, adapters and optimiser state, and nothing else when
   * nothing leaks.
   */
  async memory(): Promise<MemoryInfo> {
    await this.inflight.catch(() => undefined);
    return memoryNow();
  }

  /** Frees the current run. */
  disposeRun(): void {
    if (!this.run) return;
    this.run.optimizer.dispose();
    if (this.run.peft) this.run.peft.dispose();
    else this.run.model.dispose();
    this.run = null;
    for (const h of this.heads.values()) tf.dispose(Object.values(h));
    this.heads.clear();
  }

  /** Frees everything. */
  dispose(): void {
    this.disposeRun();
    tf.dispose(Object.values(this.base));
  }
}

function pick(all: Record<string, tf.Tensor>, prefix: string): Record<string, tf.Tensor> {
  const out: Record<string, tf.Tensor> = {};
  for (const [n, t] of Object.entries(all)) {
    if (n.startsWith(prefix)) out[n] = t;
    else t.dispose();
  }
  return out;
}

function trainableAll(model: Encoder): tf.Variable[] {
  return model.namedParameters().map((p) => {
    p.variable.trainable = true;
    return p.variable;
  });
}
