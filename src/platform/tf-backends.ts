/// <reference types="vite/client" />
/**
 * What the page and the training worker share of the backend choice: the WebGPU probe (it works
 * wherever `navigator.gpu` exists, window or worker) and the registration of a chosen backend —
 * the WebGPU and WASM backends are imported only when chosen, and the WASM backend's three .wasm
 * files are emitted by Vite (`?url`) and served by the site itself. WASM runs threaded when asked
 * (`?threads=N`, see `planWasmThreads`) and the page is cross-origin isolated; its pthread scripts
 * are same-origin assets too (`wasm-threads-plugin.ts`).
 */
import wasmPlainUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import type * as TF from '@tensorflow/tfjs';
import type { BackendName, BackendProbe } from '../core/backend.ts';

import { ENGLISH_WASM_WORDS, type WasmReasonWords, type WasmThreadPlan } from './wasm-threads.ts';

/** Asks for a WebGPU adapter and reports whether it is a software fallback. */
export async function probeWebGpu(): Promise<BackendProbe> {
  const gpu = (globalThis.navigator as { gpu?: GPU } | undefined)?.gpu;
  if (!gpu) return { name: 'webgpu', available: false, description: 'no navigator.gpu' };
  try {
    const adapter = await gpu.requestAdapter();
    if (!adapter) return { name: 'webgpu', available: false, description: 'no adapter' };
    const info = adapter.info as GPUAdapterInfo | undefined;
    const fallback =
      info?.isFallbackAdapter ?? (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter;
    const description = [info?.vendor, info?.architecture].filter(Boolean).join(' ');
    return {
      name: 'webgpu',
      available: true,
      isFallbackAdapter: fallback === true,
      description: description === '' ? 'WebGPU adapter' : description,
    };
  } catch (error) {
    return { name: 'webgpu', available: false, description: String(error) };
  }
}

/**
 * Imports and configures the TF.js backend `name` needs before `tf.setBackend(name)` (webgl and
 * cpu come with @tensorflow/tfjs itself). For WASM, `threads` is `planWasmThreads`' count.
 */
export async function registerBackend(
  tf: typeof TF,
  name: BackendName,
  threads = 1,
): Promise<void> {
  if (name === 'webgpu') {
    await import('@tensorflow/tfjs-backend-webgpu');
  } else if (name === 'wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    wasm.setWasmPaths({
      'tfjs-backend-wasm.wasm': wasmPlainUrl,
      'tfjs-backend-wasm-simd.wasm': wasmSimdUrl,
      'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedUrl,
    });
    // The threaded build starts its pthread workers from two same-origin scripts that the build
    // emits (src/platform/wasm-threads-plugin.ts replaces TF.js's blob: URLs, which the CSP
    // refuses), so threads need no CSP change; one thread uses the plain SIMD build.
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', threads > 1);
    if (threads > 1) wasm.setThreadsCount(threads);
  }
}

/**
 * What the backend reason adds once WASM runs (after `tf.setBackend('wasm')`), from TF.js's own
 * flags and thread count: "; WASM SIMD, 2 threads", or "; WASM SIMD, 1 thread (not cross-origin
 * isolated)" with the plan's reason when threads are off.
 */
export async function wasmReasonSuffix(
  tf: typeof TF,
  plan: WasmThreadPlan,
  words: WasmReasonWords = ENGLISH_WASM_WORDS,
): Promise<string> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  const active = wasm.getThreadsCount();
  const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true;
  const why = active <= 1 && plan.off !== null ? words.off[plan.off] : '';
  return words.suffix(words.describe(simd ? 'WASM SIMD' : 'WASM', active), why);
}
