/**
 * The built-ins every cell can name, shared by the browser (client/builtins-browser.ts) and Node
 * (builtins-node.ts). Environment-specific parts — how TF.js and its backend are loaded, what
 * `Plotly` is, what `width` follows — come in as options.
 *
 * Runtime 6 calls a built-in that is a function lazily, on first reference, and waits for a
 * returned promise; so `tf`, `core`, `lab` and `Plotly` cost nothing until a cell names them, and
 * function-valued built-ins (`html`, `svg`) are wrapped in a function returning them; `md` is a
 * promise of its tag function (its Markdown parser loads on first use).
 * `lab` (lazy) is the experiments layer, src/experiments/lab.ts: each lesson's experiment code
 * (`lab.placementRun`, `lab.INIT_SCHEMES`, `lab.findD90`…), the code the precompute scripts run.
 * `trainer` (lazy) is src/worker/client.ts: `trainer.createTrainer()` trains in a Web Worker.
 * `experiments` (lazy) is the page's experiment runner (src/experiments/client.ts): subspace runs
 * (`experiments.mnistRun`, `experiments.encoderRun`) in a Web Worker.
 * `site`, `UrlState`, `trainingPanel`, `sentimentEncoder`: the lesson kit (kit/builtins.ts;
 * src/cells/README.md).
 * `progress(fraction, label)` makes a progress bar for long cells to yield. `invalidation` and
 * `visibility` are provided per variable by the runtime itself.
 */
import * as Inputs from '@observablehq/inputs';
import { html, svg } from 'htl';
import { progress } from './progress.ts';
import { loadMarkdown } from './md.ts';
import { kitBuiltins } from './kit/builtins.ts';
import type * as TF from '@tensorflow/tfjs';
import type * as Core from '../core/index.ts';
import type * as Lab from '../experiments/lab.ts';

export type TfModule = typeof TF;
export type CoreModule = typeof Core;
export type LabModule = typeof Lab;

export interface BuiltinsOptions {
  /** Loads TF.js and initialises its backend (memoised by the caller or here). */
  readonly loadTf: () => Promise<TfModule>;
  /** Loads Plotly (or a test stand-in). */
  readonly loadPlotly: () => Promise<unknown>;
  /** The `width` built-in: a number, or a function returning a generator of widths. */
  readonly width: number | (() => unknown);
  /** True when run by tests, so lessons pick small sizes. */
  readonly testMode: boolean;
}

function once<T>(f: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => (p ??= f());
}

/** The built-ins object for `new Runtime(builtins)`. */
export function createBuiltins(options: BuiltinsOptions): Record<string, unknown> {
  const loadTf = once(options.loadTf);
  // The core imports TF.js itself; load it only after the backend is chosen and initialised.
  const loadCore = once(async (): Promise<CoreModule> => {
    await loadTf();
    return import('../core/index.ts');
  });
  // Each lesson's experiments (src/experiments/<lesson>/), built on the core; loaded like it.
  const loadLab = once(async (): Promise<LabModule> => {
    await loadTf();
    return import('../experiments/lab.ts');
  });
  const loadPlotly = once(options.loadPlotly);
  return {
    tf: loadTf,
    core: loadCore,
    lab: loadLab,
    Plotly: loadPlotly,
    // Training off the main thread (src/worker/client.ts): a Worker in browsers, in-process where
    // `Worker` is undefined (Node and jsdom cell tests).
    trainer: once(async () => {
      await loadTf();
      return import('../worker/client.ts');
    }),
    // Long subspace runs off the main thread (src/experiments/client.ts): the page's one runner.
    experiments: once(async () => {
      await loadTf();
      return (await import('../experiments/client.ts')).sharedExperiments();
    }),
    Inputs: () => Inputs,
    html: () => html,
    svg: () => svg,
    md: once(loadMarkdown),
    progress: () => progress,
    width: options.width,
    testMode: options.testMode,
    // The lesson kit (kit/): `site`, `UrlState`, `trainingPanel`, `sentimentEncoder`.
    ...kitBuiltins({ loadPlotly, loadTf }),
  };
}
