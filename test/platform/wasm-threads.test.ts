/**
 * The WASM thread plan (src/platform/wasm-threads.ts): one thread by default (measured no faster
 * for a training step), `?threads=N` asks for N (capped at TF.js's limit), and never threads where
 * the page or worker is not cross-origin isolated; a bad `?threads=` is ignored.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  DEFAULT_THREADS_WHY,
  MAX_WASM_THREADS,
  describeWasm,
  planWasmThreads,
  threadsParam,
} from '../../src/platform/wasm-threads.ts';

afterEach(() => {
  vi.unstubAllGlobals();
});

const isolated = (cores: number) => {
  vi.stubGlobal('crossOriginIsolated', true);
  vi.stubGlobal('navigator', { hardwareConcurrency: cores });
};

describe('planWasmThreads', () => {
  it('is single-threaded without cross-origin isolation (Node, or a page without COOP/COEP)', () => {
    expect(planWasmThreads()).toEqual({
      threads: 1,
      why: 'not cross-origin isolated',
      off: 'not-isolated',
    });
    expect(planWasmThreads(4)).toEqual({
      threads: 1,
      why: 'not cross-origin isolated',
      off: 'not-isolated',
    });
  });

  it('runs one thread by default, even when isolated on many cores, and says why', () => {
    isolated(2);
    expect(planWasmThreads()).toEqual({ threads: 1, why: DEFAULT_THREADS_WHY, off: 'default' });
    isolated(64);
    expect(planWasmThreads(null)).toEqual({
      threads: 1,
      why: DEFAULT_THREADS_WHY,
      off: 'default',
    });
  });

  it('honours a forced count, capped at TF.js’s limit; 1 turns threads off', () => {
    isolated(2);
    expect(planWasmThreads(1)).toEqual({
      threads: 1,
      why: 'forced by ?threads=1',
      off: 'forced',
    });
    expect(planWasmThreads(2)).toEqual({ threads: 2, why: '', off: null });
    expect(planWasmThreads(4)).toEqual({ threads: 4, why: '', off: null });
    expect(planWasmThreads(16).threads).toBe(MAX_WASM_THREADS);
  });
});

describe('threadsParam', () => {
  it('reads whole numbers 1–16 and ignores anything else', () => {
    expect(threadsParam('?threads=2')).toBe(2);
    expect(threadsParam('?backend=wasm&threads=1')).toBe(1);
    expect(threadsParam('')).toBeNull();
    for (const bad of ['0', '17', '2.5', '-1', 'two', '', '999']) {
      expect(threadsParam(`?threads=${bad}`)).toBeNull();
    }
  });
});

describe('describeWasm', () => {
  it('says the thread count as the badge shows it', () => {
    expect(describeWasm('WASM SIMD', 2)).toBe('WASM SIMD, 2 threads');
    expect(describeWasm('WASM SIMD', 1)).toBe('WASM SIMD, 1 thread');
  });
});
