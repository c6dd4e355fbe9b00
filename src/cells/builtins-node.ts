/**
 * Built-ins for running cells in Node (the cell tests; scripts): TF.js on the `cpu` or `wasm`
 * backend, `testMode = true`, a fixed `width`, and a `Plotly` supplied by the caller (the tests
 * pass a recording stand-in; real Plotly needs a browser and is covered by the e2e tests).
 */
import { createBuiltins, type TfModule } from './builtins.ts';

export interface NodeBuiltinsOptions {
  readonly backend?: 'cpu' | 'wasm';
  readonly plotly: unknown;
  readonly width?: number;
}

/** Loads TF.js and switches to `backend`, failing loudly if it cannot. */
export async function loadNodeTf(backend: 'cpu' | 'wasm' = 'cpu'): Promise<TfModule> {
  const tf = await import('@tensorflow/tfjs');
  if (backend === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
  if (!(await tf.setBackend(backend))) {
    throw new Error(`loadNodeTf: TF.js backend "${backend}" failed to initialise`);
  }
  await tf.ready();
  return tf;
}

export function createNodeBuiltins(options: NodeBuiltinsOptions): Record<string, unknown> {
  return createBuiltins({
    loadTf: () => loadNodeTf(options.backend ?? 'cpu'),
    loadPlotly: () => Promise.resolve(options.plotly),
    width: options.width ?? 640,
    testMode: true,
  });
}
