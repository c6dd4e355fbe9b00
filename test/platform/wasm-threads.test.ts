/**
 * The WASM thread plan (src/platform/wasm-threads.ts): threads only where the page or worker is
 * cross-origin isolated, `?threads=` forces a count (1 turns them off), otherwise the core count
 * capped at MAX_WASM_THREADS; a bad `?threads=` is ignored.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
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
    expect(planWasmThreads()).toEqual({ threads: 1, why: 'not cross-origin isolated' });
    expect(planWasmThreads(4)).toEqual({ threads: 1, why: 'not cross-origin isolated' });
  });

  it('uses the cores, capped, when isolated', () => {
    isolated(2);
    expect(planWasmThreads()).toEqual({ threads: 2, why: '' });
    isolated(64);
    expect(planWasmThreads().threads).toBe(MAX_WASM_THREADS);
    isolated(1);
    expect(planWasmThreads()).toEqual({ threads: 1, why: 'one core' });
  });

  it('honours a forced count, 1 turning threads off', () => {
    isolated(2);
    expect(planWasmThreads(1)).toEqual({ threads: 1, why: 'forced by ?threads=1' });
    expect(planWasmThreads(4)).toEqual({ threads: 4, why: '' });
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
