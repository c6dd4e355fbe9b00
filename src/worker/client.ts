/**
 * The page's handle on the training worker: `createTrainer()` starts `train-worker.ts` as a module
 * worker and returns typed async methods that mirror the fine-tuning session, with progress
 * callbacks and `stop()`. Where there is no `Worker` (Node, jsdom: the headless cell tests) it runs
 * the very same host in-process, on the backend TF.js already has, with the generated stand-in data.
 * Lesson cells reach it through the `trainer` built-in.
 *
 * A watchdog ends a worker that goes silent: while a call is pending, some message (a progress
 * event or an answer, for any call) must arrive every `silenceMs` (`initSilenceMs` while `init`
 * downloads the model). Otherwise every pending call fails with a `TimeoutError` that says what
 * happened and what to do, the worker is terminated, and later calls fail at once instead of
 * queueing behind it forever.
 */
import type {
  MemoryInfo,
  MergeReport,
  RoundTripReport,
  RunConfig,
  RunEvent,
  RunSummary,
  SwapReport,
} from '../experiments/training/index.ts';
import type { TaskName } from '../core/data/tasks.ts';
import type { AdapterFiles } from '../core/lora/io.ts';
import { threadsParam } from '../platform/wasm-threads.ts';
import type { Calls, FromWorker, InitResult, Method, ToWorker } from './protocol.ts';

/** Options of {@link Trainer.init}. */
export interface TrainerInitOptions {
  /** Force a backend (e.g. from `?backend=`); default: the worker chooses. */
  readonly backend?: string | null;
  /** A micro random model on generated data instead of the shipped model (a backend check). */
  readonly small?: boolean;
  /**
   * WASM threads to ask for (1: single-threaded); default: the page's `?threads=`, else the
   * worker decides (`planWasmThreads`).
   */
  readonly threads?: number | null;
}

/** A typed remote fine-tuning session. */
export interface Trainer {
  /** Where training runs. */
  readonly mode: 'worker' | 'in-process';
  init(opts?: TrainerInitOptions): Promise<InitResult>;
  train(config: RunConfig, onEvent?: (e: RunEvent) => void): Promise<RunSummary>;
  resume(extraSteps: number, onEvent?: (e: RunEvent) => void): Promise<RunSummary>;
  /** Aborts the running call between two steps (it then resolves with `stopped: true`). */
  stop(): void;
  mergeCheck(): Promise<MergeReport>;
  saveAdapter(): Promise<AdapterFiles>;
  roundTrip(files: AdapterFiles): Promise<RoundTripReport>;
  trainSecondAdapter(
    task: TaskName,
    steps: number,
    onEvent?: (e: RunEvent) => void,
  ): Promise<RunSummary>;
  swapCheck(swaps: number, merged: boolean): Promise<SwapReport>;
  /**
   * TF.js memory in the trainer (bytes, tensors), taken after every earlier call and the last
   * step's loss read-back have finished: a stopped run's count must equal a finished one's.
   */
  memory(): Promise<MemoryInfo>;
  /** Ends the worker (or frees the in-process session). */
  terminate(): void;
}

/** Error raised on the page for a failed remote call (keeps the remote error's name). */
export class TrainerError extends Error {
  constructor(
    override readonly name: string,
    message: string,
  ) {
    super(message);
  }
}

interface Pending {
  readonly method: Method;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  onEvent: ((e: RunEvent) => void) | undefined;
}

/** Options of {@link createTrainer}. */
export interface TrainerOptions {
  /** Run in this thread even where there are Web Workers. */
  readonly inProcess?: boolean;
  /**
   * Longest silence of the worker (ms) while a call is pending, before it is ended (default
   * {@link DEFAULT_SILENCE_MS}). Training calls send an event every step, so only a hung or
   * runaway call is silent this long.
   */
  readonly silenceMs?: number;
  /** The same while `init` is pending (it downloads the model; default {@link INIT_SILENCE_MS}). */
  readonly initSilenceMs?: number;
}

/** Default longest silence of a worker with a pending call: 2 minutes. */
export const DEFAULT_SILENCE_MS = 120_000;
/** Default longest silence while `init` is pending: 5 minutes (a slow network, a 10 MB model). */
export const INIT_SILENCE_MS = 300_000;

function siteBase(): string | null {
  if (typeof location === 'undefined' || !/^https?:$/.test(location.protocol)) return null;
  const env = (import.meta as { env?: { BASE_URL?: string } }).env;
  return new URL(env?.BASE_URL ?? '/', location.href).href;
}

/** Starts a trainer: a Web Worker where the browser has one, else the same code in-process. */
export function createTrainer(opts: TrainerOptions = {}): Trainer {
  const useWorker = typeof Worker === 'function' && opts.inProcess !== true;
  const silenceMs = opts.silenceMs ?? DEFAULT_SILENCE_MS;
  const initSilenceMs = opts.initSilenceMs ?? INIT_SILENCE_MS;
  const pending = new Map<number, Pending>();
  let nextId = 1;
  /** Why the worker was given up (an uncaught error, or silence); later calls fail at once. */
  let dead: string | null = null;
  let watchdog: ReturnType<typeof setTimeout> | null = null;
  /** (Re)starts the silence timer while calls are pending; stops it when none is. */
  const arm = (): void => {
    if (watchdog !== null) clearTimeout(watchdog);
    watchdog = null;
    if (pending.size === 0 || dead !== null) return;
    const initing = [...pending.values()].some((p) => p.method === 'init');
    const ms = initing ? initSilenceMs : silenceMs;
    watchdog = setTimeout(() => {
      watchdog = null;
      const methods = [...new Set([...pending.values()].map((p) => p.method))].join(', ');
      dead = `it did not answer for ${String(Math.round(ms / 1000))} s while running ${methods}, so it was stopped`;
      const message = `the training worker ${dead}; press Run on the cell that makes the trainer (t) to start a new one`;
      for (const p of pending.values()) p.reject(new TrainerError('TimeoutError', message));
      pending.clear();
      end();
    }, ms);
  };
  const onMessage = (m: FromWorker) => {
    arm(); // The worker is alive.
    const p = pending.get(m.id);
    if (!p) return;
    if (m.type === 'event') p.onEvent?.(m.event);
    else {
      pending.delete(m.id);
      if (pending.size === 0) arm();
      if (m.type === 'result') p.resolve(m.value);
      else p.reject(new TrainerError(m.error.name, m.error.message));
    }
  };
  let send: (m: ToWorker) => void;
  let end: () => void;
  if (useWorker) {
    const worker = new Worker(new URL('./train-worker.ts', import.meta.url), {
      type: 'module',
      name: 'lora-trainer',
    });
    worker.addEventListener('message', (e: MessageEvent<FromWorker>) => {
      onMessage(e.data);
    });
    worker.addEventListener('error', (e: ErrorEvent) => {
      // An uncaught error leaves the worker in an unknown state (possibly still training a run
      // nobody waits for, with later calls queued behind it): end it, and fail every call.
      dead = e.message || 'the training worker failed';
      for (const p of pending.values()) p.reject(new TrainerError('WorkerError', dead));
      pending.clear();
      arm(); // Stops the watchdog.
      worker.terminate();
    });
    send = (m) => {
      worker.postMessage(m);
    };
    end = () => {
      worker.terminate();
    };
  } else {
    // Loaded lazily so pages with workers never bundle the host into the page.
    const host = Promise.all([import('./host.ts'), import('@tensorflow/tfjs')]).then(
      ([{ createHost }, tf]) =>
        createHost(onMessage, () =>
          Promise.resolve({
            name: tf.getBackend() as 'cpu',
            reason: 'in-process (no Web Worker here): the backend TF.js already runs',
            floatPrecision: tf.backend().floatPrecision(),
            epsilon: tf.backend().epsilon(),
          }),
        ),
    );
    send = (m) => {
      void host.then((h) => {
        h.receive(m);
      });
    };
    end = () => {
      void host.then((h) => {
        h.dispose();
      });
    };
  }
  const call = <M extends Method>(
    method: M,
    args: Calls[M]['args'],
    onEvent?: (e: RunEvent) => void,
  ): Promise<Calls[M]['result']> =>
    new Promise((resolve, reject) => {
      if (dead !== null) {
        reject(
          new TrainerError(
            'WorkerError',
            `the training worker stopped (${dead}); press Run on the cell that makes the trainer (t) to start a new one`,
          ),
        );
        return;
      }
      const id = nextId++;
      const first = pending.size === 0;
      pending.set(id, { method, resolve: resolve as (v: unknown) => void, reject, onEvent });
      // A new call does not extend a silence that has already begun; `init` gets its longer time.
      if (first || method === 'init') arm();
      send({ type: 'call', id, method, args } as ToWorker);
    });
  return {
    mode: useWorker ? 'worker' : 'in-process',
    init: (o = {}) =>
      call('init', [
        {
          backend: o.backend ?? null,
          base: siteBase(),
          small: o.small ?? false,
          threads:
            o.threads ?? (typeof location === 'undefined' ? null : threadsParam(location.search)),
        },
      ]),
    train: (config, onEvent) => call('train', [config], onEvent),
    resume: (extra, onEvent) => call('resume', [extra], onEvent),
    stop: () => {
      send({ type: 'stop' });
    },
    mergeCheck: () => call('mergeCheck', []),
    saveAdapter: () => call('saveAdapter', []),
    roundTrip: (files) => call('roundTrip', [files]),
    trainSecondAdapter: (task, steps, onEvent) =>
      call('trainSecondAdapter', [task, steps], onEvent),
    swapCheck: (swaps, merged) => call('swapCheck', [swaps, merged]),
    memory: () => call('memory', []),
    terminate: () => {
      for (const p of pending.values()) p.reject(new TrainerError('AbortError', 'trainer ended'));
      pending.clear();
      arm();
      end();
    },
  };
}
