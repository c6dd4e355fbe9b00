/**
 * The typed message protocol between a page and the training worker: remote calls of a
 * {@link FineTuneSession}'s methods (plus `init`), with progress events streamed back, and a
 * `stop` message that aborts the running call between two training steps.
 *
 * Page → worker: `{type: 'call', id, method, args}` or `{type: 'stop'}`.
 * Worker → page: `{type: 'event', id, event}` (progress of call `id`), then exactly one of
 * `{type: 'result', id, value}` or `{type: 'error', id, error}`.
 * Everything is plain structured-clone data (typed arrays included).
 */
import type {
  MemoryInfo,
  MergeReport,
  RoundTripReport,
  RunConfig,
  RunEvent,
  RunSummary,
  SessionInfo,
  SwapReport,
} from '../experiments/training/index.ts';
import type { TaskName } from '../core/data/tasks.ts';
import type { AdapterFiles } from '../core/lora/io.ts';
import type { BackendName } from '../core/backend.ts';

/** Options of the `init` call. */
export interface InitOptions {
  /** A backend asked for with `?backend=` (honoured when available), or null. */
  readonly backend: string | null;
  /** The site's base URL to fetch `data/` and `models/` from; null: use the generated stand-in. */
  readonly base: string | null;
  /** A micro random encoder on the generated stand-in instead of the shipped model and data. */
  readonly small: boolean;
  /** WASM threads asked for (`?threads=`; 1: single-threaded), or null/absent: the worker decides. */
  readonly threads?: number | null;
}

/** What `init` reports. */
export interface InitResult {
  readonly backend: BackendName;
  /** Why this backend, in words (from the core's `chooseBackend`, plus any fallback). */
  readonly backendReason: string;
  /** The backend's float precision (TF.js `backend.floatPrecision()`: 32, or 16 on half-float WebGL). */
  readonly floatPrecision: number;
  /** The backend's epsilon (`backend.epsilon()`: 1e-7 at 32 bits, 1e-4 at 16), which TF.js's own
   * optimisers use when none is given; the core's Adam always uses 1e-8. */
  readonly backendEpsilon: number;
  readonly session: SessionInfo;
}

/** The remote methods: their arguments and results. */
export interface Calls {
  init: { args: [InitOptions]; result: InitResult };
  train: { args: [RunConfig]; result: RunSummary };
  resume: { args: [extraSteps: number]; result: RunSummary };
  mergeCheck: { args: []; result: MergeReport };
  saveAdapter: { args: []; result: AdapterFiles };
  roundTrip: { args: [AdapterFiles]; result: RoundTripReport };
  trainSecondAdapter: { args: [task: TaskName, steps: number]; result: RunSummary };
  swapCheck: { args: [swaps: number, merged: boolean]; result: SwapReport };
  /** `tf.memory()` in the worker once the last step's loss is freed (a leak check after Stop). */
  memory: { args: []; result: MemoryInfo };
}

/** A method name. */
export type Method = keyof Calls;

/** A call message for one method. */
export type CallMessage<M extends Method = Method> = M extends Method
  ? {
      readonly type: 'call';
      readonly id: number;
      readonly method: M;
      readonly args: Calls[M]['args'];
    }
  : never;

/** Page → worker. */
export type ToWorker = CallMessage | { readonly type: 'stop' };

/** An error as it crosses the boundary. */
export interface WireError {
  readonly name: string;
  readonly message: string;
}

/** Worker → page. */
export type FromWorker =
  | { readonly type: 'event'; readonly id: number; readonly event: RunEvent }
  | { readonly type: 'result'; readonly id: number; readonly value: unknown }
  | { readonly type: 'error'; readonly id: number; readonly error: WireError };

/** Turns anything thrown into a {@link WireError}. */
export function toWireError(e: unknown): WireError {
  return e instanceof Error
    ? { name: e.name, message: e.message }
    : { name: 'Error', message: String(e) };
}
