/**
 * The worker's side of the protocol, independent of where it runs: it owns one
 * {@link FineTuneSession}, runs calls one at a time (in arrival order), streams their progress
 * events, and aborts the running call on `stop` (the session checks between steps). Used by
 * `train-worker.ts` inside a Web Worker and by `client.ts` in-process where there is no `Worker`
 * (Node, jsdom) — the same code either way.
 */
import { checkFileHashes } from '../core/data/integrity.ts';
import { parseSentimentJson } from '../core/data/sentiment.ts';
import type { PretrainedFiles } from '../core/data/pretrained.ts';
import { standInSplit } from '../core/data/tasks.ts';
import { FineTuneSession, type RunEvent } from '../experiments/training/index.ts';
import type { BackendName } from '../core/backend.ts';
import {
  toWireError,
  type CallMessage,
  type Calls,
  type FromWorker,
  type InitOptions,
  type InitResult,
  type Method,
  type ToWorker,
} from './protocol.ts';

/** Starts (or reports) the TF.js backend for `init`. */
export type BackendStarter = (
  forced: string | null,
  threads?: number | null,
) => Promise<{
  name: BackendName;
  reason: string;
  /** `backend.floatPrecision()` and `backend.epsilon()` of TF.js. */
  floatPrecision: number;
  epsilon: number;
  /** On WebGPU: resolves with the reason when the device is lost. */
  lost?: Promise<string>;
}>;

/** How long a failed call waits to learn whether the WebGPU device was lost behind it. */
const LOSS_GRACE_MS = 1000;

/** The message of a call that the loss of the WebGPU device ended (the trainer is on WASM now). */
export function deviceLostMessage(reason: string, now: string): string {
  return (
    `the WebGPU device was lost in the training worker (${reason}); the trainer now runs on ${now} ` +
    'with the model loaded again: press Start to train again'
  );
}

/**
 * Fetches a file of the site; a failure names the file and the status, plus the server's (or the
 * offline service worker's) short plain-text explanation when there is one.
 */
async function fetchOk(url: URL): Promise<Response> {
  const r = await fetch(url);
  if (!r.ok) {
    const type = r.headers.get('content-type') ?? '';
    const text = type.startsWith('text/plain') ? (await r.text()).trim() : '';
    const why = text !== '' && text.length <= 300 ? ` (${text})` : '';
    throw new Error(`${url.pathname}: HTTP ${String(r.status)}${why}`);
  }
  return r;
}

/**
 * Loads the data and, when present, the pretrained model, from the site. The model's three files
 * are checked against the SHA-256 in its `manifest.json` before use: a damaged or mismatched file
 * leaves the session on random weights, and the page says which file and why.
 */
async function loadFiles(base: string): Promise<{
  split: ReturnType<typeof parseSentimentJson>;
  pretrained: PretrainedFiles | null;
  why: string;
}> {
  const url = (p: string) => new URL(p, base);
  const split = parseSentimentJson(await (await fetchOk(url('data/sentiment.json'))).json());
  const bytes = (name: string) =>
    fetchOk(url(`models/tiny-roberta/${name}`))
      .then((r) => r.arrayBuffer())
      .then((b) => new Uint8Array(b));
  try {
    const [manifest, config, tokenizer, weights] = await Promise.all([
      fetchOk(url('models/tiny-roberta/manifest.json')).then((r) => r.json() as Promise<unknown>),
      bytes('config.json'),
      bytes('tokenizer.json'),
      bytes('model.safetensors'),
    ]);
    await checkFileHashes(manifest, {
      'config.json': config,
      'tokenizer.json': tokenizer,
      'model.safetensors': weights,
    });
    const text = new TextDecoder();
    return {
      split,
      pretrained: {
        config: JSON.parse(text.decode(config)) as unknown,
        tokenizer: JSON.parse(text.decode(tokenizer)) as unknown,
        weights,
      },
      why: '',
    };
  } catch (e) {
    return { split, pretrained: null, why: e instanceof Error ? e.message : String(e) };
  }
}

/** A host: feed it every message from the page; it answers through `post`. */
export function createHost(post: (m: FromWorker) => void, startBackend: BackendStarter) {
  let session: FineTuneSession | null = null;
  let controller = new AbortController();
  let queue: Promise<void> = Promise.resolve();
  /** The last `init`'s options: a fallback after a lost device starts the same session again. */
  let lastInit: InitOptions | null = null;
  /** Resolves when the WebGPU device is lost (null on other backends). */
  let deviceLost: Promise<string> | null = null;
  /** Set once the device is lost, until the fallback is done. */
  let lostReason: string | null = null;

  const need = (): FineTuneSession => {
    if (!session) throw new Error('The trainer is not initialised: call init() first');
    return session;
  };

  async function init(o: InitOptions): Promise<InitResult> {
    const backend = await startBackend(o.backend, o.threads ?? null);
    lastInit = o;
    lostReason = null;
    const lost = backend.lost ?? null;
    deviceLost = lost;
    void lost?.then((reason) => {
      if (deviceLost !== lost) return; // an older backend's device
      lostReason = reason;
      controller.abort(); // a run stops between steps instead of waiting on a dead device
    });
    disposeSession();
    session = null;
    // `small`: a micro random model on the generated stand-in, for comparisons where the model
    // does not matter (the training lesson's backend check); the page says so. Otherwise the
    // shipped data and model, whenever there is a site to load them from.
    const files = o.base === null || o.small ? null : await loadFiles(o.base);
    session = new FineTuneSession({
      split: files?.split ?? standInSplit(0),
      dataLabel: files
        ? 'the UCI sentences from /data/sentiment.json'
        : o.small
          ? 'a small generated stand-in (a micro model was asked for)'
          : 'a small generated stand-in (no site to load the real sentences from)',
      pretrained: files?.pretrained ?? null,
      whyNoPretrained: o.small
        ? 'a micro random model was asked for'
        : files
          ? `the pretrained weights could not be used (${files.why})`
          : 'no site to load the pretrained weights from',
      preset: o.small ? 'micro' : 'tiny',
    });
    return {
      backend: backend.name,
      backendReason: backend.reason,
      floatPrecision: backend.floatPrecision,
      backendEpsilon: backend.epsilon,
      session: session.info(),
    };
  }

  /** Frees the session; on a lost device freeing may fail, and there is nothing to keep. */
  function disposeSession(): void {
    try {
      session?.dispose();
    } catch {
      // the lost device's buffers go with it
    }
  }

  /**
   * Whether the WebGPU device was lost behind a call: at once if the loss was seen already, else
   * it waits briefly for the loss after a failure (the failed read-back can come first).
   */
  async function lossBehind(failed: boolean): Promise<string | null> {
    if (lostReason !== null || deviceLost === null || !failed) return lostReason;
    const grace = new Promise<null>((resolve) =>
      setTimeout(() => {
        resolve(null);
      }, LOSS_GRACE_MS),
    );
    return Promise.race([deviceLost, grace]);
  }

  /** Moves the trainer to WASM with the last `init`'s options; returns the reader's message. */
  async function fallBack(reason: string): Promise<string> {
    deviceLost = null;
    lostReason = null;
    disposeSession();
    session = null;
    const options: InitOptions = { ...(lastInit ?? { base: null, small: false }), backend: 'wasm' };
    const result = await init(options);
    return deviceLostMessage(reason, result.backend);
  }

  async function run(m: CallMessage): Promise<unknown> {
    const onEvent = (event: RunEvent) => {
      post({ type: 'event', id: m.id, event });
    };
    const signal = controller.signal;
    switch (m.method) {
      case 'init':
        return init(...m.args);
      case 'train':
        return need().train(m.args[0], onEvent, signal);
      case 'resume':
        return need().resume(m.args[0], onEvent, signal);
      case 'mergeCheck':
        return need().mergeCheck();
      case 'saveAdapter':
        return need().saveAdapter();
      case 'roundTrip':
        return need().roundTrip(m.args[0]);
      case 'trainSecondAdapter':
        return need().trainSecondAdapter(m.args[0], m.args[1], onEvent, signal);
      case 'swapCheck':
        return need().swapCheck(m.args[0], m.args[1]);
      case 'memory':
        return need().memory();
    }
  }

  return {
    /** Handles one message from the page. */
    receive(msg: ToWorker): void {
      if (msg.type === 'stop') {
        controller.abort();
        return;
      }
      queue = queue.then(async () => {
        controller = new AbortController();
        const outcome = await run(msg).then(
          (value) => ({ ok: true as const, value }),
          (error: unknown) => ({ ok: false as const, error }),
        );
        // A lost WebGPU device (seen during the call, or behind its failure): the worker owns
        // its tensors, so it moves to WASM on its own and the call says so.
        const lost = msg.method === 'init' ? null : await lossBehind(!outcome.ok);
        if (lost !== null) {
          try {
            const message = await fallBack(lost);
            post({ type: 'error', id: msg.id, error: { name: 'DeviceLostError', message } });
          } catch (e) {
            post({ type: 'error', id: msg.id, error: toWireError(e) });
          }
        } else if (outcome.ok) {
          post({ type: 'result', id: msg.id, value: outcome.value });
        } else {
          post({ type: 'error', id: msg.id, error: toWireError(outcome.error) });
        }
      });
    },
    /** Frees the session. */
    dispose(): void {
      disposeSession();
      session = null;
    },
  };
}

/** The result type of a method (for the client). */
export type ResultOf<M extends Method> = Calls[M]['result'];
