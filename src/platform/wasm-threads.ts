/**
 * How many threads TF.js's WASM backend runs, decided the same way in the page and in the
 * workers (no TF.js here, so the page's worker client can import it cheaply). Threads need
 * SharedArrayBuffer, which browsers give only to cross-origin isolated pages and their workers;
 * the site sends COOP/COEP, and its build serves TF.js's pthread scripts itself
 * (`wasm-threads-plugin.ts`), so the CSP needs no change.
 */

/**
 * The most WASM threads the site asks for. TF.js's default is `navigator.hardwareConcurrency`;
 * measured on a 2-core machine (BENCHMARKS.md, "WASM threads"), see the README's backend section.
 */
export const MAX_WASM_THREADS = 4;

/** How many threads TF.js's WASM backend runs here (1: the single-threaded SIMD build). */
export interface WasmThreadPlan {
  readonly threads: number;
  /** Why, in words, when threads are off. */
  readonly why: string;
}

/**
 * Decides the WASM backend's thread count. Threads need SharedArrayBuffer, which browsers give
 * only to cross-origin isolated pages and their workers (the site sends COOP/COEP), so off when
 * `globalThis.crossOriginIsolated` is not true (Node included). `requested` (from `?threads=`, the
 * tests' and the bench's switch) forces a count: 1 turns threads off; otherwise
 * `navigator.hardwareConcurrency`, capped at {@link MAX_WASM_THREADS}.
 */
export function planWasmThreads(requested?: number | null): WasmThreadPlan {
  if ((globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated !== true) {
    return { threads: 1, why: 'not cross-origin isolated' };
  }
  if (requested !== undefined && requested !== null && Number.isInteger(requested)) {
    if (requested <= 1) return { threads: 1, why: 'forced by ?threads=1' };
    return { threads: Math.min(requested, 16), why: '' };
  }
  // Node has no `navigator` before version 21 (and the type says it always has one).
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  const cores = nav?.hardwareConcurrency ?? 1;
  if (cores <= 1) return { threads: 1, why: 'one core' };
  return { threads: Math.min(cores, MAX_WASM_THREADS), why: '' };
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
