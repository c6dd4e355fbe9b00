/**
 * The page's handle on the experiment worker: the long subspace runs of the intrinsic-dimension
 * lesson (`core.mnistRun`, `core.encoderRun`) run there, so the page stays responsive. The methods
 * mirror the core's: `mnistRun` / `encoderRun` are async generators of steps whose return value is
 * the result (with a `timing` breakdown measured in the worker), `…ToEnd` resolve with the result;
 * a `signal` in the options stops a run between two steps, as in the core.
 *
 * The worker starts on the first run and again after a crash. Where there is no `Worker` (Node,
 * jsdom: the headless cell tests) the same host runs in-process, on the backend TF.js already has.
 * Lesson cells reach the page's one runner through the `experiments` built-in.
 */
import type { EncoderRunResult, MnistRunOptions, MnistRunResult } from './intrinsic/index.ts';
import type {
  ExperimentProgress,
  InitLessonSettings,
  RankRuns,
  SchemeRuns,
  SpikeRuns,
  StartChange,
} from './initialisation/lesson.ts';
import {
  mapArrays,
  type Calls,
  type EncoderJob,
  type FromWorker,
  type InitExperimentKind,
  type InitTaskSpec,
  type JobStep,
  type JobTiming,
  type Method,
  type MnistData,
  type QloraJob,
  type ToWorker,
} from './protocol.ts';

export type {
  EncoderJob,
  EncoderSource,
  InitExperimentKind,
  InitTaskSpec,
  JobStep,
  JobTiming,
  MnistData,
  MnistJobOptions,
  QloraJob,
} from './protocol.ts';

/** Error raised on the page for a failed run (keeps the worker's error name). */
export class ExperimentError extends Error {
  constructor(
    override readonly name: string,
    message: string,
  ) {
    super(message);
  }
}

/** A run's result with where its time went. */
export type Timed<R> = R & { readonly timing: JobTiming };

/** Runs experiments off the page's thread (or in-process where there is no `Worker`). */
export interface Experiments {
  /** Where the runs execute. */
  readonly mode: 'worker' | 'in-process';
  /** The backend the runs use (starts the worker if needed). */
  backend(): Promise<{ name: string; reason: string }>;
  /** `core.mnistRun` in the worker: yields each step, returns the result. */
  mnistRun(
    train: MnistData,
    test: MnistData,
    opts: MnistRunOptions,
  ): AsyncGenerator<JobStep, Timed<MnistRunResult>, undefined>;
  /** {@link Experiments.mnistRun} to its end. */
  mnistRunToEnd(
    train: MnistData,
    test: MnistData,
    opts: MnistRunOptions,
  ): Promise<Timed<MnistRunResult>>;
  /** `core.encoderRun` in the worker, the encoder made there from `job.model`. */
  encoderRun(
    job: EncoderJob & { readonly signal?: AbortSignal },
  ): AsyncGenerator<JobStep, Timed<EncoderRunResult>, undefined>;
  /** {@link Experiments.encoderRun} to its end. */
  encoderRunToEnd(
    job: EncoderJob & { readonly signal?: AbortSignal },
  ): Promise<Timed<EncoderRunResult>>;
  /**
   * The QLoRA lesson's run in the worker (`prepareBase`, then `qloraRun`), the encoder made there
   * from `job.model`: yields each step, returns the result with the base's report.
   */
  qloraRun(
    job: QloraJob & { readonly signal?: AbortSignal },
  ): AsyncGenerator<JobStep, Calls['qloraRun']['result'], undefined>;
  /** Builds the initialisation lesson's task in the worker (kept there for the calls below). */
  initTask(spec: InitTaskSpec): Promise<{ label: string }>;
  /** `core.startChanges` on the spec's task, in the worker. */
  initStartChanges(spec: InitTaskSpec, settings: InitLessonSettings): Promise<StartChange[]>;
  /**
   * `core.schemeRuns`, `spikeRuns` or `rankRuns` on the spec's task, in the worker: yields
   * progress (also within each run), returns the result, or null when stopped by `o.signal`.
   */
  initExperiment<K extends InitExperimentKind>(
    spec: InitTaskSpec,
    kind: K,
    settings: InitLessonSettings,
    list: readonly number[],
    o: { readonly steps: number; readonly signal?: AbortSignal },
  ): AsyncGenerator<ExperimentProgress, InitResults[K] | null, undefined>;
  /** Ends the worker (a later run starts a new one); running calls fail with an AbortError. */
  terminate(): void;
}

/** What each initialisation experiment returns. */
export interface InitResults {
  schemeRuns: SchemeRuns;
  spikeRuns: SpikeRuns;
  rankRuns: RankRuns;
}

type Event = JobStep | ExperimentProgress;

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  onStep: (s: Event) => void;
}

/** Typed arrays smaller than this are sent with every call; larger ones once per worker. */
const KEEP_BYTES = 16 * 1024;

function forcedBackend(): string | null {
  if (typeof location === 'undefined') return null;
  return new URLSearchParams(location.search).get('backend');
}

interface Channel {
  send(m: ToWorker): void;
  end(): void;
}

/** Starts a runner: a Web Worker where the browser has one (`inProcess` forces the fallback). */
export function startExperiments(
  opts: { inProcess?: boolean; backend?: string | null } = {},
): Experiments {
  const useWorker = typeof Worker === 'function' && opts.inProcess !== true;
  const backendName = opts.backend === undefined ? forcedBackend() : opts.backend;
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let channel: Channel | null = null;
  /** Arrays the current worker holds, by number. */
  let sent = new WeakMap<ArrayBufferView, number>();
  let nextRef = 1;

  const onMessage = (m: FromWorker): void => {
    const p = pending.get(m.id);
    if (!p) return;
    if (m.type === 'step') p.onStep(m.step);
    else {
      pending.delete(m.id);
      if (m.type === 'result') p.resolve(m.value);
      else p.reject(new ExperimentError(m.error.name, m.error.message));
    }
  };
  const failAll = (name: string, message: string): void => {
    for (const p of pending.values()) p.reject(new ExperimentError(name, message));
    pending.clear();
  };

  const open = (): Channel => {
    if (useWorker) {
      const worker = new Worker(new URL('./experiment-worker.ts', import.meta.url), {
        type: 'module',
        name: 'lora-experiments',
      });
      const ch: Channel = {
        send: (m) => {
          worker.postMessage(m);
        },
        end: () => {
          worker.terminate();
        },
      };
      worker.addEventListener('message', (e: MessageEvent<FromWorker>) => {
        onMessage(e.data);
      });
      worker.addEventListener('error', (e: ErrorEvent) => {
        // Unknown state: end it; the next run starts a fresh worker (which holds no arrays).
        worker.terminate();
        if (channel === ch) channel = null;
        sent = new WeakMap();
        failAll('WorkerError', e.message || 'the experiment worker failed');
      });
      return ch;
    }
    // Loaded lazily so pages with workers never bundle the host into the page.
    const host = Promise.all([import('./host.ts'), import('@tensorflow/tfjs')]).then(
      ([{ createExperimentHost }, tf]) =>
        createExperimentHost(onMessage, () =>
          Promise.resolve({
            name: tf.getBackend(),
            reason: 'in-process (no Web Worker here): the backend TF.js already runs',
          }),
        ),
    );
    return {
      send: (m) => {
        void host.then((h) => {
          h.receive(m);
        });
      },
      end: () => {
        void host.then((h) => {
          h.dispose();
        });
      },
    };
  };

  const call = <M extends Method>(
    method: M,
    args: Calls[M]['args'],
    onStep: (s: Event) => void = () => undefined,
  ): { id: number; done: Promise<Calls[M]['result']> } => {
    channel ??= open();
    const id = nextId++;
    const put: (readonly [number, ArrayBufferView])[] = [];
    // A worker gets each large array once; in-process the arrays are shared as they are.
    const wire = useWorker
      ? (mapArrays(args, (x) => {
          if (!ArrayBuffer.isView(x) || x.byteLength < KEEP_BYTES) return x;
          let n = sent.get(x);
          if (n === undefined) {
            n = nextRef++;
            sent.set(x, n);
            put.push([n, x]);
          }
          return { $ref: n };
        }) as unknown[])
      : (args as unknown[]);
    const done = new Promise<Calls[M]['result']>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject, onStep });
    });
    channel.send({ type: 'call', id, method, args: wire, put, backend: backendName });
    return { id, done };
  };

  /** A call as an async generator of its steps, returning its result; stops it if left early. */
  async function* stream<
    E extends Event,
    M extends 'mnistRun' | 'encoderRun' | 'qloraRun' | 'initExperiment',
  >(
    method: M,
    args: Calls[M]['args'],
    signal: AbortSignal | undefined,
  ): AsyncGenerator<E, Calls[M]['result'], undefined> {
    const steps: E[] = [];
    // Changed by the callbacks below, so held in an object (read after each wake-up).
    const state: {
      wake: (() => void) | null;
      outcome: { ok: true; value: Calls[M]['result'] } | { ok: false; error: Error } | null;
    } = { wake: null, outcome: null };
    const { id, done } = call(method, args, (s) => {
      steps.push(s as E);
      state.wake?.();
    });
    done.then(
      (value) => {
        state.outcome = { ok: true, value };
        state.wake?.();
      },
      (e: unknown) => {
        state.outcome = { ok: false, error: e instanceof Error ? e : new Error(String(e)) };
        state.wake?.();
      },
    );
    const stop = (): void => {
      channel?.send({ type: 'stop', id });
    };
    signal?.addEventListener('abort', stop);
    if (signal?.aborted === true) stop();
    try {
      for (;;) {
        const s = steps.shift();
        if (s !== undefined) {
          yield s;
          continue;
        }
        const outcome = state.outcome;
        if (outcome !== null) {
          if (!outcome.ok) throw outcome.error;
          return outcome.value;
        }
        await new Promise<void>((resolve) => {
          state.wake = resolve;
        });
        state.wake = null;
      }
    } finally {
      signal?.removeEventListener('abort', stop);
      if (state.outcome === null) stop(); // left early (the cell was stopped or rerun)
    }
  }

  const toEnd = async <R>(it: AsyncGenerator<JobStep, R, undefined>): Promise<R> => {
    for (;;) {
      const r = await it.next();
      if (r.done === true) return r.value;
    }
  };

  const mnistRun = (train: MnistData, test: MnistData, o: MnistRunOptions) => {
    const { signal, ...rest } = o;
    return stream<JobStep, 'mnistRun'>('mnistRun', [train, test, rest], signal);
  };
  const encoderRun = (job: EncoderJob & { readonly signal?: AbortSignal }) => {
    const { signal, ...rest } = job;
    return stream<JobStep, 'encoderRun'>('encoderRun', [rest], signal);
  };
  const qloraRun = (job: QloraJob & { readonly signal?: AbortSignal }) => {
    const { signal, ...rest } = job;
    return stream<JobStep, 'qloraRun'>('qloraRun', [rest], signal);
  };
  return {
    mode: useWorker ? 'worker' : 'in-process',
    qloraRun,
    backend: () => call('backend', []).done,
    mnistRun,
    mnistRunToEnd: (train, test, o) => toEnd(mnistRun(train, test, o)),
    encoderRun,
    encoderRunToEnd: (job) => toEnd(encoderRun(job)),
    initTask: (spec) => call('initTask', [spec]).done,
    initStartChanges: (spec, settings) => call('initStartChanges', [spec, settings]).done,
    initExperiment: <K extends InitExperimentKind>(
      spec: InitTaskSpec,
      kind: K,
      settings: InitLessonSettings,
      list: readonly number[],
      o: { readonly steps: number; readonly signal?: AbortSignal },
    ) =>
      stream<ExperimentProgress, 'initExperiment'>(
        'initExperiment',
        [spec, kind, settings, [...list], { steps: o.steps }],
        o.signal,
      ) as AsyncGenerator<ExperimentProgress, InitResults[K] | null, undefined>,
    terminate: () => {
      failAll('AbortError', 'the experiment runner was ended');
      channel?.end();
      channel = null;
      sent = new WeakMap();
    },
  };
}

let shared: Experiments | null = null;

/** The page's one runner (one worker for every cell of the page), made on first use. */
export function sharedExperiments(): Experiments {
  shared ??= startExperiments();
  return shared;
}
