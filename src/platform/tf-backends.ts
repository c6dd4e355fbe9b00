/// <reference types="vite/client" />
/**
 * What the page and the training worker share of the backend choice: the WebGPU probe (it works
 * wherever `navigator.gpu` exists, window or worker) and the registration of a chosen backend —
 * the WebGPU and WASM backends are imported only when chosen, and the WASM backend's three .wasm
 * files are emitted by Vite (`?url`) and served by the site itself.
 */
import wasmPlainUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import type * as TF from '@tensorflow/tfjs';
import type { BackendName, BackendProbe } from '../core/backend.ts';

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

/** Imports and configures the TF.js backend `name` needs before `tf.setBackend(name)` (webgl and cpu come with @tensorflow/tfjs itself). */
export async function registerBackend(tf: typeof TF, name: BackendName): Promise<void> {
  if (name === 'webgpu') {
    await import('@tensorflow/tfjs-backend-webgpu');
  } else if (name === 'wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    wasm.setWasmPaths({
      'tfjs-backend-wasm.wasm': wasmPlainUrl,
      'tfjs-backend-wasm-simd.wasm': wasmSimdUrl,
      'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedUrl,
    });
    // Threads would start workers that importScripts() a blob: URL, which the site's CSP
    // (script-src 'self') refuses, and initialisation then hangs. Measured on our machines the
    // threaded build was no faster for training steps (29 ms either way), so use one thread.
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  }
}
