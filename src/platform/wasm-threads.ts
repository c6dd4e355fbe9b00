/**
 * How many threads TF.js's WASM backend runs, decided the same way in the page and in the
 * workers (no TF.js here, so the page's worker client can import it cheaply): one by default
 * (measured no faster for a training step), more with `?threads=N`. Threads need
 * SharedArrayBuffer, which browsers give only to cross-origin isolated pages and their workers;
 * the site sends COOP/COEP, and its build serves TF.js's pthread scripts itself
 * (`wasm-threads-plugin.ts`), so the CSP needs no change.
 */

/**
 * The most threads `?threads=` may ask for: TF.js's own limit (its C++ caps the XNNPACK pool at 8,
 * and its emscripten build preloads 8 pthread workers).
 */
export const MAX_WASM_THREADS = 8;

/**
 * Why WASM runs on one thread unless asked: measured in Chromium on our 2-core machine
 * (BENCHMARKS.md, "WASM threads in Chromium"; 7 rounds, medians), 2 threads made a 1024² matmul
 * 1.64× faster but the training lesson's LoRA step 0.95× (78.7 → 82.7 ms) and its full step
 * 1.02×: at the step's shapes the matrix products are small and most of its time is in kernels
 * TF.js's WASM backend runs on one thread, and 4 threads on 2 cores made the LoRA step 3.8× slower.
 */
export const DEFAULT_THREADS_WHY = 'the default: threads did not speed up a training step here';

/** Why threads are off: no isolation, the measured default, or `?threads=1`. */
export type WasmThreadsOff = 'not-isolated' | 'default' | 'forced';

/** How many threads TF.js's WASM backend runs here (1: the single-threaded SIMD build). */
export interface WasmThreadPlan {
  readonly threads: number;
  /** Why, in words, when threads are off. */
  readonly why: string;
  /** Why, as a code, when threads are off (null when they are on), for words in another language. */
  readonly off: WasmThreadsOff | null;
}

/**
 * Decides the WASM backend's thread count: one, unless `requested` (from `?threads=N`, the readers',
 * tests' and bench's switch) asks for more, capped at {@link MAX_WASM_THREADS} — see
 * {@link DEFAULT_THREADS_WHY} for the measurements behind the default. Threads need
 * SharedArrayBuffer, which browsers give only to cross-origin isolated pages and their workers
 * (the site sends COOP/COEP), so never when `globalThis.crossOriginIsolated` is not true (Node
 * included).
 */
export function planWasmThreads(requested?: number | null): WasmThreadPlan {
  if ((globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated !== true) {
    return { threads: 1, why: 'not cross-origin isolated', off: 'not-isolated' };
  }
  if (requested === undefined || requested === null || !Number.isInteger(requested)) {
    return { threads: 1, why: DEFAULT_THREADS_WHY, off: 'default' };
  }
  if (requested <= 1) return { threads: 1, why: 'forced by ?threads=1', off: 'forced' };
  return { threads: Math.min(requested, MAX_WASM_THREADS), why: '', off: null };
}

/** `?threads=N` of a query string as a number, or null when absent or not a whole number 1–16. */
export function threadsParam(search: string): number | null {
  const raw = new URLSearchParams(search).get('threads');
  if (raw === null || !/^\d{1,2}$/.test(raw)) return null;
  const n = Number(raw);
  return n >= 1 && n <= 16 ? n : null;
}

/** "WASM SIMD, 2 threads" or "WASM SIMD, 1 thread": the badge's words for a thread count. */
export function describeWasm(base: string, threads: number): string {
  return threads > 1 ? `${base}, ${String(threads)} threads` : `${base}, 1 thread`;
}

/**
 * The words the backend reason adds once WASM runs (`wasmReasonSuffix` in tf-backends.ts). English
 * by default ({@link ENGLISH_WASM_WORDS}); the cell runtime passes another language's, so this
 * layer knows no language.
 */
export interface WasmReasonWords {
  /** The WASM build and its thread count: "WASM SIMD, 2 threads". */
  readonly describe: (base: string, threads: number) => string;
  /** Why threads are off, by the plan's `off`. */
  readonly off: Readonly<Record<WasmThreadsOff, string>>;
  /** What follows the reason: "; WASM SIMD, 1 thread (why)" (`why` is '' when none is said). */
  readonly suffix: (described: string, why: string) => string;
}

/** The English words: what the badge has always said. */
export const ENGLISH_WASM_WORDS: WasmReasonWords = {
  describe: describeWasm,
  off: {
    'not-isolated': 'not cross-origin isolated',
    default: DEFAULT_THREADS_WHY,
    forced: 'forced by ?threads=1',
  },
  suffix: (described, why) => `; ${described}${why === '' ? '' : ` (${why})`}`,
};
