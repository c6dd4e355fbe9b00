/**
 * Built-ins in the browser: TF.js loaded on first use with the backend chosen for this browser
 * (backend.ts), Plotly's basic partial bundle (scatter, bar, pie; 1.2 MB instead of 4.8 MB)
 * loaded on first use and fitting every figure to its cell (../plotly-fit.ts), `width` the width
 * of a cell's output (width.ts), `testMode` from `?test=1`.
 */
import { createBuiltins, type TfModule } from '../builtins.ts';
import { initBackend } from '../backend.ts';
import type { BackendChoice } from '../../core/backend.ts';
import { fitPlotly } from '../plotly-fit.ts';
import { cellWidth, isUsableWidth } from './width.ts';

export interface BrowserBuiltinsOptions {
  /** The lesson root (the width of its cells' outputs is `width`). */
  readonly root: HTMLElement;
  /**
   * The backend decision: made (and announced) when the page mounted, or a function that makes
   * it when TF.js is first needed (lazy pages: probing WebGPU and WebGL is a long task).
   */
  readonly choice: Promise<BackendChoice> | (() => Promise<BackendChoice>);
  readonly search?: string;
}

/** The built-ins object for a page's runtime (`runCells({builtins})`). */
export function createBrowserBuiltins(options: BrowserBuiltinsOptions): Record<string, unknown> {
  const search = options.search ?? location.search;
  const width = cellWidth(options.root);
  // A figure is as wide as the cell's output at most, and as the element it is drawn in when
  // that is on the page (a panel inside the output).
  const available = (gd: unknown): number => {
    const cell = width.current();
    if (!(gd instanceof HTMLElement) || !gd.isConnected) return cell;
    return isUsableWidth(gd.clientWidth) ? Math.min(cell, gd.clientWidth) : cell;
  };
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
      return fitPlotly(mod.default ?? mod, available);
    },
    width: width.builtin,
    testMode: new URLSearchParams(search).get('test') === '1',
  });
}
