/**
 * The experiment worker's side of the protocol (`protocol.ts`), independent of where it runs: in a
 * Web Worker (`experiment-worker.ts`) or in-process where there is no `Worker` (`client.ts`, for
 * Node and jsdom). Calls run one at a time, in arrival order; each streams its steps and ends with
 * its result (and a timing breakdown) or an error; `stop` aborts a call between two steps.
 * Everything a run makes is freed when it ends; the typed arrays the page sent stay, by number,
 * with the tensors made from the MNIST sets (so a sweep uploads its digits once).
 */
import { median } from '../core/stats.ts';
import * as tf from '@tensorflow/tfjs';
import { loadPretrained } from '../core/data/pretrained.ts';
import { Encoder } from '../core/models/encoder.ts';
import { parseSentimentJson } from '../core/data/sentiment.ts';
import { WordTokenizer } from '../core/data/tokenizer.ts';
import { encoderConfigFromHf } from '../core/io/hf-encoder.ts';
import {
  INIT_LESSON_ENCODER_TASK,
  INIT_SCHEMES,
  rankRuns,
  schemeRuns,
  spikeRuns,
  startChanges,
  type ExperimentProgress,
} from './initialisation/lesson.ts';
import { encoderSentimentTask, mlpTeacherTask, type InitTask } from './initialisation/tasks.ts';
import { encoderRun, mnistRun, mnistTensors, type LabelledSet } from './intrinsic/index.ts';
import { prepareBase, qloraRun } from './qlora/index.ts';
import {
  isRef,
  mapArrays,
  toWire,
  type Calls,
  type EncoderJob,
  type FromWorker,
  type InitTaskSpec,
  type JobStep,
  type JobTiming,
  type Method,
  type MnistData,
  type ToWorker,
} from './protocol.ts';

/** Starts (or reports) the backend the runs use; called once, with the page's `?backend=`. */
export type ExperimentBackendStarter = (
  forced: string | null,
) => Promise<{ name: string; reason: string }>;

/** The host: feed it messages; it answers through `post`. */
export interface ExperimentHost {
  receive(m: ToWorker): void;
  /** Frees the MNIST tensors it keeps (in-process use; a worker just ends). */
  dispose(): void;
}

/** The median of `xs`, 0 for none (a run stopped before its first step). */
function medianOr0(xs: readonly number[]): number {
  return xs.length === 0 ? 0 : median(xs);
}

/**
 * Drives one of the core's run generators to its end, sending each step, and measures where the
 * time went (set-up until the first step, the median step, evaluation after the last).
 */
async function drive<R>(
  run: AsyncGenerator<JobStep, R, undefined>,
  onStep: (s: JobStep) => void,
): Promise<R & { timing: JobTiming }> {
  const t0 = performance.now();
  let first = NaN;
  let last = NaN;
  const ms: number[] = [];
  for (;;) {
    const next = await run.next();
    const t = performance.now();
    if (next.done === true) {
      const stepsEnd = Number.isNaN(last) ? t0 : last;
      const timing: JobTiming = {
        setupMs: (Number.isNaN(first) ? t : first) - t0,
        stepMs: medianOr0(ms),
        evalMs: t - stepsEnd,
      };
      return { ...next.value, timing };
    }
    if (Number.isNaN(first)) first = t - next.value.ms;
    last = t;
    ms.push(next.value.ms);
    onStep({ step: next.value.step, loss: next.value.loss, ms: next.value.ms });
  }
}

/**
 * MNIST tensor sets kept between calls (least recently used dropped first): a lesson uses three
 * at once (training digits in full and a subset, test digits), and one more spares a rerun.
 */
export const MAX_MNIST_SETS = 4;

/** Makes a host that answers through `post`; `startBackend` runs before the first call. */
export function createExperimentHost(
  post: (m: FromWorker) => void,
  startBackend: ExperimentBackendStarter,
): ExperimentHost {
  const kept = new Map<number, ArrayBufferView>();
  const sets = new Map<string, LabelledSet>();
  const setIds = new WeakMap<object, number>();
  let nextSetId = 1;
  const running = new Map<number, AbortController>();
  let queue: Promise<void> = Promise.resolve();
  let backend: Promise<{ name: string; reason: string }> | null = null;

  const tensorsOf = (data: MnistData): LabelledSet => {
    let id = setIds.get(data.images.pixels);
    if (id === undefined) {
      id = nextSetId++;
      setIds.set(data.images.pixels, id);
    }
    const key = `${String(id)}:${String(data.count ?? data.images.count)}`;
    let set = sets.get(key);
    if (set) {
      sets.delete(key); // most recently used last
    } else {
      set = mnistTensors(data.images, data.labels, data.count);
    }
    sets.set(key, set);
    // A page that loads its data again (a rerun) sends new arrays: the sets made from the old ones
    // would stay on the backend for ever. Calls run one at a time, so no run holds an evicted set.
    for (const [old, s] of sets) {
      if (sets.size <= MAX_MNIST_SETS) break;
      tf.dispose([s.x, s.y]);
      sets.delete(old);
    }
    return set;
  };

  const makeEncoder = (job: { readonly model: EncoderJob['model'] }): Encoder => {
    const m = job.model;
    if ('pretrained' in m) return loadPretrained(m.pretrained, m.overrides ?? {}, m.seed).encoder;
    return new Encoder(m.config, { seed: m.seed });
  };

  // The initialisation task: built once per spec (per kind of model, the last one is kept).
  const fileIds = new WeakMap<object, number>();
  let nextFileId = 1;
  const specKey = (spec: InitTaskSpec): string => {
    if (spec.model === 'mlp') return `mlp:${JSON.stringify(spec.options)}`;
    const id = spec.model === 'encoder' ? spec.pretrained.weights : spec.files.sentiment;
    let n = fileIds.get(id);
    if (n === undefined) {
      n = nextFileId++;
      fileIds.set(id, n);
    }
    return `${spec.model}:${String(n)}:${JSON.stringify(spec.sizes ?? {})}`;
  };
  /** One task per kind of model (the timing stand-in and the real task can both be held). */
  const initTasks = new Map<InitTaskSpec['model'], { key: string; task: Promise<InitTask> }>();
  const buildTask = async (spec: InitTaskSpec): Promise<InitTask> => {
    if (spec.model === 'mlp') return mlpTeacherTask(spec.options);
    const text = (b: Uint8Array): unknown => JSON.parse(new TextDecoder().decode(b));
    const overrides = {
      numLabels: 2,
      mlmHead: false,
      hiddenDropoutProb: 0,
      attentionDropoutProb: 0,
    };
    const { encoder, tokenizer } =
      spec.model === 'encoder'
        ? loadPretrained(spec.pretrained, overrides, 0)
        : {
            encoder: new Encoder(encoderConfigFromHf(spec.files.config, overrides), { seed: 0 }),
            tokenizer: WordTokenizer.fromJSON(text(spec.files.tokenizer)),
          };
    const o = { ...INIT_LESSON_ENCODER_TASK, ...spec.sizes };
    return encoderSentimentTask({
      encoder,
      tokenizer,
      examples: parseSentimentJson(
        text(spec.model === 'encoder' ? spec.sentiment : spec.files.sentiment),
      ).train,
      // Never more tokens than the checkpoint's positions allow.
      maxLen: Math.min(
        o.maxLen,
        encoder.config.maxPositionEmbeddings - encoder.config.padTokenId - 1,
      ),
      batchSize: o.batchSize,
      batches: o.batches,
      seed: o.seed,
      headSteps: spec.model === 'encoder' ? o.headSteps : 0,
      headLearningRate: o.headLearningRate,
    });
  };
  const taskOf = (spec: InitTaskSpec): Promise<InitTask> => {
    const key = specKey(spec);
    const held = initTasks.get(spec.model);
    if (held?.key === key) return held.task;
    const task = buildTask(spec);
    initTasks.set(spec.model, { key, task });
    task.catch(() => {
      if (initTasks.get(spec.model)?.task === task) initTasks.delete(spec.model); // try again next time
    });
    void held?.task.then((t) => {
      t.dispose();
    });
    return task;
  };

  const run = async (
    method: Method,
    args: unknown[],
    signal: AbortSignal,
    onStep: (s: JobStep | ExperimentProgress) => void,
  ): Promise<unknown> => {
    if (method === 'backend') return backend;
    if (method === 'initTask') {
      const [spec] = args as Calls['initTask']['args'];
      return { label: (await taskOf(spec)).label };
    }
    if (method === 'initStartChanges') {
      const [spec, settings] = args as Calls['initStartChanges']['args'];
      return startChanges(await taskOf(spec), settings);
    }
    if (method === 'initExperiment') {
      const [spec, kind, settings, list, o] = args as Calls['initExperiment']['args'];
      onStep({ fraction: 0, label: 'setting up the model' });
      const task = await taskOf(spec);
      // Runs in all: the core reports after each; steps within a run are reported here.
      const runs =
        list.length * { schemeRuns: INIT_SCHEMES.length, spikeRuns: 3, rankRuns: 2 }[kind];
      let done = 0;
      let last = 0;
      const opts = {
        steps: o.steps,
        signal,
        onStep: (step: number) => {
          const now = performance.now();
          if (now - last < 500 && step + 1 < o.steps) return; // at most two reports a second
          last = now;
          onStep({
            fraction: Math.min(1, (done + (step + 1) / o.steps) / runs),
            label: `run ${String(done + 1)} of ${String(runs)}, step ${String(step + 1)} of ${String(o.steps)}`,
          });
        },
      };
      const gen =
        kind === 'schemeRuns'
          ? schemeRuns(task, settings, list, opts)
          : kind === 'spikeRuns'
            ? spikeRuns(task, settings, list, opts)
            : rankRuns(task, settings, list, opts);
      for (;;) {
        const next = await gen.next();
        if (next.done === true) return next.value;
        done++;
        onStep(next.value);
      }
    }
    if (method === 'qloraRun') {
      const [job] = args as Calls['qloraRun']['args'];
      const encoder = makeEncoder(job);
      try {
        const report = await prepareBase(encoder, job.base);
        const { model: _model, base: _base, ...o } = job;
        return { ...(await drive(qloraRun({ ...o, encoder, signal }), onStep)), report };
      } finally {
        encoder.dispose();
      }
    }
    if (method === 'mnistRun') {
      const [train, test, opts] = args as Calls['mnistRun']['args'];
      return drive(mnistRun(tensorsOf(train), tensorsOf(test), { ...opts, signal }), onStep);
    }
    {
      const [job] = args as Calls['encoderRun']['args'];
      const encoder = makeEncoder(job);
      try {
        return await drive(
          encoderRun({
            encoder,
            train: job.train,
            test: job.test,
            d: job.d,
            seed: job.seed,
            steps: job.steps,
            learningRate: job.learningRate,
            ...(job.batchSize !== undefined ? { batchSize: job.batchSize } : {}),
            ...(job.projection !== undefined ? { projection: job.projection } : {}),
            signal,
          }),
          onStep,
        );
      } finally {
        encoder.dispose();
      }
    }
  };

  return {
    receive(m) {
      if (m.type === 'stop') {
        running.get(m.id)?.abort();
        return;
      }
      for (const [n, data] of m.put) kept.set(n, data);
      const args = mapArrays(m.args, (x) => (isRef(x) ? kept.get(x.$ref) : x)) as unknown[];
      const controller = new AbortController();
      running.set(m.id, controller);
      backend ??= startBackend(m.backend);
      queue = queue.then(async () => {
        try {
          await backend;
          if (controller.signal.aborted) {
            post({
              type: 'error',
              id: m.id,
              error: { name: 'AbortError', message: 'stopped before it started' },
            });
            return;
          }
          const value = await run(m.method, args, controller.signal, (step) => {
            post({ type: 'step', id: m.id, step });
          });
          post({ type: 'result', id: m.id, value });
        } catch (e) {
          post({ type: 'error', id: m.id, error: toWire(e) });
        } finally {
          running.delete(m.id);
        }
      });
    },
    dispose() {
      for (const { task } of initTasks.values())
        void task.then((t) => {
          t.dispose();
        });
      initTasks.clear();
      for (const s of sets.values()) tf.dispose([s.x, s.y]);
      sets.clear();
      kept.clear();
    },
  };
}
