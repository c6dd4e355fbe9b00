/// <reference types="vite/client" />
/**
 * Browser side of the backend choice: probe what this browser offers (a WebGPU adapter and
 * whether it is a software fallback, a WebGL2 context, WebAssembly SIMD), let the core's
 * `chooseBackend` decide (honouring `?backend=`), initialise that TF.js backend — falling back in
 * order when initialisation fails — and tell the page: `<html data-backend data-backend-reason>`
 * and a `backendchange` CustomEvent on `document` with `detail: {name, reason}`.
 *
 * The WebGPU and WASM backends are imported only when chosen; the WASM backend's three .wasm
 * files are emitted by Vite (`?url`) and served by the site itself, so nothing is fetched from
 * another host.
 *
 * The reason is in the page's language (`<html lang>`): the core and the platform layer write
 * English unless given other words, which come from text.ts.
 */
import {
  BACKEND_NAMES,
  chooseBackend,
  type BackendChoice,
  type BackendProbe,
} from '../core/backend.ts';
import { probeWebGpu, registerBackend, wasmReasonSuffix } from '../platform/tf-backends.ts';
import { planWasmThreads, threadsParam } from '../platform/wasm-threads.ts';
import type { TfModule } from './builtins.ts';
import { documentLang, type Lang } from '../lib/i18n.ts';
import { cellsText } from './text.ts';

/** The smallest module using a SIMD instruction (from wasm-feature-detect, Apache-2.0). */
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15,
  253, 98, 11,
]);

function probeWebGl(): BackendProbe {
  try {
    const canvas = document.createElement('canvas');
    const gl = canvas.getContext('webgl2');
    return { name: 'webgl', available: gl !== null, description: gl ? 'WebGL2' : 'no WebGL2' };
  } catch {
    return { name: 'webgl', available: false, description: 'no WebGL2' };
  }
}

function probeWasm(): BackendProbe {
  if (typeof WebAssembly !== 'object') return { name: 'wasm', available: false };
  const simd = WebAssembly.validate(SIMD_PROBE);
  return { name: 'wasm', available: true, description: `WASM${simd ? ' SIMD' : ''}` };
}

/** Probes every backend this browser might run; descriptions in `lang` where they have words. */
export async function probeBackends(lang: Lang = 'en'): Promise<BackendProbe[]> {
  const probes: BackendProbe[] = [
    await probeWebGpu(),
    probeWasm(),
    probeWebGl(),
    { name: 'cpu', available: true, description: 'plain JavaScript' },
  ];
  const words = cellsText(lang).backend.probe;
  return probes.map((p) => {
    const said = p.description === undefined ? undefined : words[p.description];
    return said === undefined ? p : { ...p, description: said };
  });
}

/**
 * Probes and decides (no TF.js loaded yet); `search` is the page's query string, the reason is
 * in `lang` (the page's language by default).
 */
export async function chooseBrowserBackend(
  search: string = location.search,
  lang: Lang = documentLang(),
): Promise<BackendChoice> {
  const forced = new URLSearchParams(search).get('backend');
  return chooseBackend(await probeBackends(lang), forced, cellsText(lang).backend.reasons);
}

/**
 * What `backendchange` carries. `lost`: the backend stopped working (the WebGPU device was lost);
 * the badge then offers to reload the page on WASM.
 */
export interface BackendAnnouncement {
  readonly name: string;
  readonly reason: string;
  readonly lost?: boolean;
}

/** Tells the page which backend is active and why (`lost`: it stopped working). */
export function announceBackend(choice: BackendChoice, lost = false): void {
  const html = document.documentElement;
  html.dataset.backend = choice.name;
  html.dataset.backendReason = choice.reason;
  if (lost) html.dataset.backendLost = 'true';
  else delete html.dataset.backendLost;
  const detail: BackendAnnouncement = lost
    ? { name: choice.name, reason: choice.reason, lost: true }
    : { name: choice.name, reason: choice.reason };
  document.dispatchEvent(new CustomEvent('backendchange', { detail }));
}

/** The reason the badge shows once the WebGPU device is lost (in `lang`, the page's by default). */
export function deviceLostReason(
  info: { reason?: string; message?: string },
  lang: Lang = documentLang(),
): string {
  const words = cellsText(lang).backend;
  const why = (info.message ?? '').trim() || (info.reason ?? '') || words.noReason;
  return words.deviceLost(why.length > 120 ? `${why.slice(0, 120)}…` : why);
}

/**
 * Announces the loss of TF.js's WebGPU device (a driver reset, a GPU process crash, or
 * `device.destroy()`). TF.js cannot move the cells' tensors to another backend, so the honest
 * fallback is a reload on WASM, which the badge offers; the cells' edits are stored when made.
 */
function watchDeviceLoss(tf: TfModule, lang: Lang): void {
  const device = (tf.backend() as { device?: { lost?: Promise<GPUDeviceLostInfo> } }).device;
  void device?.lost?.then((info) => {
    // Only while WebGPU is still TF.js's backend: a page that moved on has nothing to reload.
    if (tf.getBackend() !== 'webgpu') return;
    announceBackend({ name: 'webgpu', reason: deviceLostReason(info, lang), forced: false }, true);
  });
}

/** How long a backend may take to initialise before the next one is tried. */
const INIT_TIMEOUT_MS = 20_000;

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`${what} did not start within ${String(ms / 1000)} s`));
    }, ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

/**
 * Makes `choice` TF.js's backend; if it fails to initialise, tries the others (wasm, webgl, cpu)
 * and says so in the reason (in `lang`, the page's by default). Announces the result and returns it.
 */
export async function initBackend(
  tf: TfModule,
  choice: BackendChoice,
  lang: Lang = documentLang(),
): Promise<BackendChoice> {
  const words = cellsText(lang).backend;
  const order = [choice.name, ...BACKEND_NAMES.filter((n) => n !== choice.name && n !== 'webgpu')];
  const failed: string[] = [];
  // One WASM thread unless `?threads=N` asks for more (and the page is cross-origin isolated).
  const plan = planWasmThreads(
    threadsParam(typeof location === 'undefined' ? '' : location.search),
  );
  for (const name of order) {
    try {
      await registerBackend(tf, name, plan.threads);
      if (await withTimeout(tf.setBackend(name), INIT_TIMEOUT_MS, name)) {
        await tf.ready();
        const started: BackendChoice =
          failed.length === 0
            ? choice
            : {
                name,
                reason: words.failedToStart(failed, name),
                forced: false,
              };
        const result: BackendChoice =
          name === 'wasm'
            ? {
                ...started,
                reason: started.reason + (await wasmReasonSuffix(tf, plan, words.wasm)),
              }
            : started;
        announceBackend(result);
        if (name === 'webgpu') watchDeviceLoss(tf, lang);
        return result;
      }
      failed.push(name);
    } catch {
      failed.push(name);
    }
  }
  throw new Error(`No TF.js backend could start (tried ${order.join(', ')})`);
}
