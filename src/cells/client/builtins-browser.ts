/**
 * Built-ins in the browser: TF.js loaded on first use with the backend chosen for this browser
 * (backend.ts), Plotly's basic partial bundle (scatter, bar, pie; 1.2 MB instead of 4.8 MB)
 * loaded on first use, `width` following the lesson column, `testMode` from `?test=1`.
 */
import { createBuiltins, type TfModule } from '../builtins.ts';
import { initBackend } from '../backend.ts';
import type { BackendChoice } from '../../core/backend.ts';
import { widthOf } from './width.ts';

export interface BrowserBuiltinsOptions {
  /** The lesson root (its width is `width`). */
  readonly root: HTMLElement;
  /**
   * The backend decision: made (and announced) when the page mounted, or a function that makes
   * it when TF.js is first needed (lazy pages: probing WebGPU and WebGL is a long task).
   */
  readonly choice: Promise<BackendChoice> | (() => Promise<BackendChoice>);
  readonly search?: string;
}

export function createBrowserBuiltins(options: BrowserBuiltinsOptions): Record<string, unknown> {
  const search = options.search ?? location.search;
  return createBuiltins({
    loadTf: async (): Promise<TfModule> => {
      const { choice: decide } = options;
      const [tf, choice] = await Promise.all([
        import('@tensorflow/tfjs'),
        typeof decide === 'function' ? decide() : decide,
      ]);
      await initBackend(tf, choice);
      return tf;
    },
    loadPlotly: async () => {
      const mod = await import('plotly.js-basic-dist-min');
      return mod.default ?? mod;
    },
    width: widthOf(options.root),
    testMode: new URLSearchParams(search).get('test') === '1',
  });
}
