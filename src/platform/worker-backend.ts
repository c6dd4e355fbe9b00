/**
 * Backend choice inside the training worker, with the page's rule (the core's `chooseBackend`):
 * a real WebGPU adapter wins, a software one never does by default; then WASM, WebGL (through an
 * OffscreenCanvas, where the browser offers one to workers), CPU. `?backend=` forces one when it
 * is available. WASM runs on one thread unless the page's `?threads=N` asks for more
 * (`planWasmThreads`: more was measured no faster for a training step); its .wasm files and its
 * pthread scripts are served by the site (`wasm-threads-plugin.ts`), so the CSP allows them.
 */
import type * as TF from '@tensorflow/tfjs';
import {
  BACKEND_NAMES,
  chooseBackend,
  type BackendName,
  type BackendProbe,
} from '../core/backend.ts';
import { probeWebGpu, registerBackend, wasmReasonSuffix } from './tf-backends.ts';
import { planWasmThreads } from './wasm-threads.ts';

function probeWebGl(): BackendProbe {
  try {
    const gl =
      typeof OffscreenCanvas === 'function' ? new OffscreenCanvas(1, 1).getContext('webgl2') : null;
    return {
      name: 'webgl',
      available: gl !== null,
      description: gl ? 'WebGL2 (offscreen)' : 'no WebGL2 in workers',
    };
  } catch {
    return { name: 'webgl', available: false, description: 'no WebGL2 in workers' };
  }
}

const INIT_TIMEOUT_MS = 20_000;

/**
 * Resolves with the reason, in words, when TF.js's WebGPU device is lost (never on other
 * backends): a driver reset, a GPU process crash, or `device.destroy()`.
 */
function deviceLoss(tf: typeof TF): Promise<string> | undefined {
  const device = (tf.backend() as { device?: { lost?: Promise<GPUDeviceLostInfo> } }).device;
  return device?.lost?.then((info) => info.message.trim() || info.reason);
}

/**
 * Chooses, registers and starts a backend in this worker; falls back in order on failure.
 * `threads`: the WASM thread count asked for (1: single-threaded), or null: the worker decides.
 */
export async function startWorkerBackend(
  tf: typeof TF,
  forced: string | null,
  threads: number | null = null,
): Promise<{
  name: BackendName;
  reason: string;
  floatPrecision: number;
  epsilon: number;
  lost?: Promise<string>;
}> {
  const probes: BackendProbe[] = [
    await probeWebGpu(),
    { name: 'wasm', available: typeof WebAssembly === 'object', description: 'WASM' },
    probeWebGl(),
    { name: 'cpu', available: true, description: 'plain JavaScript' },
  ];
  const choice = chooseBackend(probes, forced);
  const order = [choice.name, ...BACKEND_NAMES.filter((n) => n !== choice.name && n !== 'webgpu')];
  const failed: string[] = [];
  const plan = planWasmThreads(threads);
  for (const name of order) {
    try {
      await registerBackend(tf, name, plan.threads);
      const ok = await Promise.race([
        tf.setBackend(name),
        new Promise<boolean>((resolve) =>
          setTimeout(() => {
            resolve(false);
          }, INIT_TIMEOUT_MS),
        ),
      ]);
      if (ok) {
        await tf.ready();
        const chosen =
          failed.length === 0
            ? choice.reason
            : `${failed.join(', ')} failed to start in the worker, so ${name}`;
        const reason = name === 'wasm' ? chosen + (await wasmReasonSuffix(tf, plan)) : chosen;
        const b = tf.backend();
        const lost = name === 'webgpu' ? deviceLoss(tf) : undefined;
        return {
          name,
          reason,
          floatPrecision: b.floatPrecision(),
          epsilon: b.epsilon(),
          ...(lost ? { lost } : {}),
        };
      }
    } catch {
      // try the next one
    }
    failed.push(name);
  }
  throw new Error(`No TF.js backend could start in the worker (tried ${order.join(', ')})`);
}
