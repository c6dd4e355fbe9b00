/**
 * The own-data lesson's trainer: an {@link OwnDataSession} in a Web Worker
 * (`own-data-worker.ts`), so a training step never holds up the page, with the shape the kit's
 * training panel drives (`train`, `resume`, `stop`, `memory`) plus the session's evaluation,
 * prediction and adapter files. Where there is no `Worker` (Node, jsdom: the cell tests) the same
 * host runs in-process, on the backend TF.js already has. Lesson cells reach it as
 * `lab.createOwnDataTrainer()`.
 *
 * Messages: page → worker `{type: 'call', id, method, args}` or `{type: 'stop'}`; worker → page
 * `{type: 'event', id, event}` (a run's progress), then `{type: 'result', id, value}` or
 * `{type: 'error', id, error}`. Everything is structured-clone data.
 */
import * as tf from '@tensorflow/tfjs';
import type { LabelledSplit } from '../core/data/labelled.ts';
import { pretrainedStart, type PretrainedFiles } from '../core/data/pretrained.ts';
import {
  OwnDataSession,
  type OwnAdapterFiles,
  type OwnEvaluation,
  type OwnRunConfig,
  type OwnRunEvent,
  type OwnRunSummary,
} from './own-data/session.ts';

/** What the trainer starts from. */
export interface OwnTrainerInit {
  /** The pretrained model's files (a page's `site.model()`). */
  readonly files: PretrainedFiles;
  readonly split: LabelledSplit;
  readonly maxLen: number;
  readonly baseModel?: string;
  /** A backend asked for with `?backend=`, or null: the worker chooses. */
  readonly backend?: string | null;
}

/** The remote calls: arguments and results. */
interface Calls {
  init: { args: [OwnTrainerInit]; result: { backend: string; reason: string } };
  train: { args: [OwnRunConfig]; result: OwnRunSummary };
  resume: { args: [number]; result: OwnRunSummary };
  memory: { args: []; result: { numBytes: number; numTensors: number } };
  evaluate: { args: []; result: OwnEvaluation };
  predictTexts: { args: [string[]]; result: number[][] };
  saveAdapter: { args: []; result: OwnAdapterFiles };
  loadAdapter: { args: [OwnAdapterFiles]; result: OwnEvaluation };
}
type Method = keyof Calls;

/** Page → worker. */
export type OwnToWorker =
  | {
      readonly type: 'call';
      readonly id: number;
      readonly method: Method;
      readonly args: unknown[];
    }
  | { readonly type: 'stop' };

/** Worker → page. */
export type OwnFromWorker =
  | { readonly type: 'event'; readonly id: number; readonly event: OwnRunEvent }
  | { readonly type: 'result'; readonly id: number; readonly value: unknown }
  | {
      readonly type: 'error';
      readonly id: number;
      readonly error: { name: string; message: string };
    };

/** Starts the backend the host's runs use (once); the worker's choice, or the page's. */
export type OwnBackendStarter = (
  forced: string | null,
) => Promise<{ name: string; reason: string }>;

/** The host: feed it messages; it answers through `post`. */
export function createOwnDataHost(
  post: (m: OwnFromWorker) => void,
  startBackend: OwnBackendStarter,
): { receive(m: OwnToWorker): void; dispose(): void } {
  let session: OwnDataSession | null = null;
  let backend: Promise<{ name: string; reason: string }> | null = null;
  const need = (): OwnDataSession => {
    if (!session) throw new Error('the trainer has no data yet: call init first');
    return session;
  };
  const run = async (id: number, method: Method, args: unknown[]): Promise<unknown> => {
    const onEvent = (event: OwnRunEvent) => {
      post({ type: 'event', id, event });
    };
    switch (method) {
      case 'init': {
        const [o] = args as Calls['init']['args'];
        backend ??= startBackend(o.backend ?? null);
        const b = await backend;
        const start = pretrainedStart(o.files, {
          numLabels: o.split.labels.length,
          mlmHead: false,
        });
        session?.dispose();
        session = new OwnDataSession({
          encoder: start.encoder,
          tokenizer: start.tokenizer,
          split: o.split,
          maxLen: o.maxLen,
          ...(o.baseModel === undefined ? {} : { baseModel: o.baseModel }),
        });
        return { backend: b.name, reason: b.reason };
      }
      case 'train':
        return need().train((args as Calls['train']['args'])[0], onEvent);
      case 'resume':
        return need().resume((args as Calls['resume']['args'])[0], onEvent);
      case 'memory':
        return need().memory();
      case 'evaluate':
        return need().evaluate();
      case 'predictTexts':
        return need().predictTexts((args as Calls['predictTexts']['args'])[0]);
      case 'saveAdapter':
        return need().saveAdapter();
      case 'loadAdapter':
        return need().loadAdapter((args as Calls['loadAdapter']['args'])[0]);
    }
  };
  return {
    receive(m) {
      if (m.type === 'stop') {
        session?.stop();
        return;
      }
      run(m.id, m.method, m.args).then(
        (value) => {
          post({ type: 'result', id: m.id, value });
        },
        (e: unknown) => {
          const error =
            e instanceof Error
              ? { name: e.name, message: e.message }
              : { name: 'Error', message: String(e) };
          post({ type: 'error', id: m.id, error });
        },
      );
    },
    dispose() {
      session?.dispose();
      session = null;
    },
  };
}

/** The page's handle (see the file header). */
export interface OwnDataTrainer {
  readonly mode: 'worker' | 'in-process';
  init(o: OwnTrainerInit): Promise<{ backend: string; reason: string }>;
  train(config: OwnRunConfig, onEvent?: (e: OwnRunEvent) => void): Promise<OwnRunSummary>;
  resume(extraSteps: number, onEvent?: (e: OwnRunEvent) => void): Promise<OwnRunSummary>;
  /** Ends the running call after its current step (the run can be resumed). */
  stop(): void;
  memory(): Promise<{ numBytes: number; numTensors: number }>;
  evaluate(): Promise<OwnEvaluation>;
  predictTexts(texts: string[]): Promise<number[][]>;
  saveAdapter(): Promise<OwnAdapterFiles>;
  loadAdapter(files: OwnAdapterFiles): Promise<OwnEvaluation>;
  /** Ends the worker (or frees the in-process session); pending calls fail. */
  terminate(): void;
}

/** An error from the trainer, with the remote error's name. */
export class OwnTrainerError extends Error {
  constructor(
    override readonly name: string,
    message: string,
  ) {
    super(message);
  }
}

/** Starts a trainer: a Web Worker where the browser has one, else the same host in-process. */
export function createOwnDataTrainer(opts: { readonly inProcess?: boolean } = {}): OwnDataTrainer {
  const useWorker = typeof Worker === 'function' && opts.inProcess !== true;
  const pending = new Map<
    number,
    {
      resolve: (v: unknown) => void;
      reject: (e: Error) => void;
      onEvent: ((e: OwnRunEvent) => void) | undefined;
    }
  >();
  let nextId = 1;
  let dead: string | null = null;
  const onMessage = (m: OwnFromWorker) => {
    const p = pending.get(m.id);
    if (!p) return;
    if (m.type === 'event') p.onEvent?.(m.event);
    else {
      pending.delete(m.id);
      if (m.type === 'result') p.resolve(m.value);
      else p.reject(new OwnTrainerError(m.error.name, m.error.message));
    }
  };
  let send: (m: OwnToWorker) => void;
  let end: () => void;
  if (useWorker) {
    const worker = new Worker(new URL('./own-data-worker.ts', import.meta.url), {
      type: 'module',
      name: 'lora-own-data',
    });
    worker.addEventListener('message', (e: MessageEvent<OwnFromWorker>) => {
      onMessage(e.data);
    });
    worker.addEventListener('error', (e: ErrorEvent) => {
      dead = e.message || 'the training worker failed';
      for (const p of pending.values()) p.reject(new OwnTrainerError('WorkerError', dead));
      pending.clear();
      worker.terminate();
    });
    send = (m) => {
      worker.postMessage(m);
    };
    end = () => {
      worker.terminate();
    };
  } else {
    const host = createOwnDataHost(onMessage, () =>
      Promise.resolve({
        name: tf.getBackend(),
        reason: 'in-process (no Web Worker here): the backend TF.js already runs',
      }),
    );
    send = (m) => {
      host.receive(m);
    };
    end = () => {
      host.dispose();
    };
  }
  const call = <M extends Method>(
    method: M,
    args: Calls[M]['args'],
    onEvent?: (e: OwnRunEvent) => void,
  ): Promise<Calls[M]['result']> =>
    new Promise((resolve, reject) => {
      if (dead !== null) {
        reject(new OwnTrainerError('WorkerError', `the training worker stopped (${dead})`));
        return;
      }
      const id = nextId++;
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject, onEvent });
      send({ type: 'call', id, method, args });
    });
  return {
    mode: useWorker ? 'worker' : 'in-process',
    init: (o) => call('init', [o]),
    train: (config, onEvent) => call('train', [config], onEvent),
    resume: (extra, onEvent) => call('resume', [extra], onEvent),
    stop: () => {
      send({ type: 'stop' });
    },
    memory: () => call('memory', []),
    evaluate: () => call('evaluate', []),
    predictTexts: (texts) => call('predictTexts', [texts]),
    saveAdapter: () => call('saveAdapter', []),
    loadAdapter: (files) => call('loadAdapter', [files]),
    terminate: () => {
      dead ??= 'ended';
      for (const p of pending.values())
        p.reject(new OwnTrainerError('AbortError', 'trainer ended'));
      pending.clear();
      end();
    },
  };
}
