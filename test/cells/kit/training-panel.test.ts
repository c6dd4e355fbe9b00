/**
 * The training panel (src/cells/kit/training-panel.ts) with a scripted trainer and a Plotly
 * stand-in that draws into its element as real Plotly does: Start, Stop, Resume, the numbers, and
 * one chart per metric — after a run ends, the Plotly figure and no live SVG curve under it.
 */
import { describe, expect, it } from 'vitest';
import {
  trainingPanel,
  type PanelEvent,
  type PanelPlotly,
  type PanelSummary,
} from '../../../src/cells/kit/training-panel.ts';

interface Call {
  config: unknown;
  onEvent: (e: PanelEvent) => void;
  resolve: (s: PanelSummary) => void;
  reject: (e: Error) => void;
}

/** A trainer whose runs the test drives: `calls` holds each train/resume call's callbacks. */
function scriptedTrainer() {
  const calls: Call[] = [];
  let stops = 0;
  const call = (config: unknown, onEvent: (e: PanelEvent) => void) =>
    new Promise<PanelSummary>((resolve, reject) =>
      calls.push({ config, onEvent, resolve, reject }),
    );
  return {
    calls,
    stops: () => stops,
    trainer: {
      train: call,
      resume: call,
      stop: () => {
        stops++;
      },
      memory: () => Promise.resolve({ numTensors: 12, numBytes: 3 * 2 ** 20 }),
    },
  };
}

/** Plotly as far as the DOM goes: newPlot adds a `.js-plotly-plot` figure, purge removes it. */
function drawingPlotly() {
  const drawn: unknown[][] = [];
  const plotly: PanelPlotly = {
    newPlot: (gd, data) => {
      drawn.push(data);
      gd.classList.add('js-plotly-plot');
      const figure = document.createElement('div');
      figure.className = 'plot-container';
      gd.append(figure);
      return Promise.resolve(gd);
    },
    purge: (gd) => {
      gd.classList.remove('js-plotly-plot');
      gd.querySelector('.plot-container')?.remove();
    },
  };
  return { plotly, drawn };
}

const progressEvent = (step: number, loss: number): PanelEvent => ({
  kind: 'progress',
  step,
  steps: 10,
  loss,
  stepsPerSecond: 4,
  etaSeconds: (10 - step) / 4,
  memory: { numBytes: 2 ** 21, numTensors: 40 },
  trainableParams: 2_048,
  totalParams: 100_000,
});

const summary = (stopped: boolean, stepsDone: number): PanelSummary => ({
  stopped,
  stepsDone,
  accuracy: 0.75,
  msPerStep: 12.4,
});

const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

function setUp() {
  const script = scriptedTrainer();
  const { plotly, drawn } = drawingPlotly();
  const config = { steps: 10, method: 'lora', seed: 0 };
  const panel = trainingPanel({
    trainer: script.trainer,
    config,
    backend: 'wasm',
    loadPlotly: () => Promise.resolve(plotly),
    redrawMs: 1,
  });
  document.body.append(panel);
  const q = (selector: string): HTMLElement => {
    const found = panel.querySelector<HTMLElement>(selector);
    if (!found) throw new Error(`no ${selector}`);
    return found;
  };
  const button = (action: string) => q(`button[data-action="${action}"]`) as HTMLButtonElement;
  /** The charts in a metric's slot: live SVG curves and Plotly figures. */
  const charts = (metric: string) => ({
    live: q(`[data-plot="${metric}"]`).querySelectorAll('svg[data-live-chart]').length,
    figures: q(`[data-plot="${metric}"]`).querySelectorAll('.plot-container').length,
  });
  return { ...script, config, panel, drawn, q, button, charts };
}

describe('trainingPanel', () => {
  it('before Start: idle buttons, empty live charts, value null', () => {
    const { panel, button, charts, q } = setUp();
    expect(panel.value).toBeNull();
    expect(button('start').disabled).toBe(false);
    expect(button('stop').disabled).toBe(true);
    expect(button('resume').disabled).toBe(true);
    expect(q('[data-train-fraction]').textContent).toBe('0 / 10 steps');
    expect(q('[data-train-status]').getAttribute('role')).toBe('status');
    expect(charts('loss')).toEqual({ live: 1, figures: 0 });
    expect(q('svg[data-live-chart="training loss"]').getAttribute('aria-label')).toBe(
      'training loss: none yet',
    );
    panel.remove();
  });

  it('a finished run: numbers, value, and exactly one loss chart (the figure, no live curve)', async () => {
    const { panel, calls, button, charts, q, drawn, config } = setUp();
    let inputs = 0;
    panel.addEventListener('input', () => inputs++);
    button('start').click();
    expect(panel.dataset.state).toBe('running');
    expect(q('[data-train-status]').textContent).toBe('Training (LoRA) on wasm…');
    expect(button('start').disabled).toBe(true);
    const run = calls[0];
    if (!run) throw new Error('train was not called');
    expect(run.config).toBe(config);
    for (let s = 1; s <= 10; s++) run.onEvent(progressEvent(s, 2 / s));
    run.onEvent({ kind: 'eval', step: 10, accuracy: 0.75 });
    await settle();
    expect(q('[data-train-fraction]').textContent).toBe('10 / 10 steps');
    expect(q('[data-train-stats]').textContent).toBe(
      'loss 0.2000 · 4.00 steps/s · about 0 s left · memory 2.0 MiB in 40 tensors · ' +
        '2,048 of 100,000 weights train (2.05%)',
    );
    expect(q('svg[data-live-chart="training loss"]').getAttribute('aria-label')).toBe(
      'training loss: 0.200',
    );
    expect(charts('loss')).toEqual({ live: 1, figures: 0 });
    run.resolve(summary(false, 10));
    await settle();
    expect(panel.dataset.state).toBe('done');
    expect(q('[data-train-status]').textContent).toBe(
      'Done: 10 steps, validation accuracy 0.750, 12 ms per step (median).',
    );
    expect(panel.value).toEqual(summary(false, 10));
    expect(inputs).toBe(1);
    // One loss chart, one accuracy chart: the live curves made way for the figures.
    expect(charts('loss')).toEqual({ live: 0, figures: 1 });
    expect(charts('accuracy')).toEqual({ live: 0, figures: 1 });
    expect(panel.querySelectorAll('[data-plot="loss"]')).toHaveLength(1);
    expect(drawn).toHaveLength(2);
    expect(panel.trainingLog.loss.y).toHaveLength(10);
    expect(panel.trainingLog.acc).toEqual({ x: [10], y: [0.75] });
    // A new run: back to one live curve, the figure purged.
    button('start').click();
    expect(charts('loss')).toEqual({ live: 1, figures: 0 });
    expect(panel.trainingLog.loss.y).toHaveLength(0);
    panel.remove();
  });

  it('Start pressed again before the figures are drawn: the new run keeps its live curve', async () => {
    const { panel, calls, button, charts } = setUp();
    button('start').click();
    calls[0]?.resolve(summary(false, 10));
    await Promise.resolve();
    await Promise.resolve();
    button('start').click(); // before the finished run's figures (drawn after a 0 ms timeout)
    await settle();
    expect(panel.dataset.state).toBe('running');
    expect(charts('loss')).toEqual({ live: 1, figures: 0 });
    panel.remove();
  });

  it('Stop keeps the live curves and reports memory; Resume continues; value stays null', async () => {
    const { panel, calls, stops, button, charts, q } = setUp();
    button('start').click();
    calls[0]?.onEvent(progressEvent(1, 1));
    button('stop').click();
    expect(stops()).toBe(1);
    expect(q('[data-train-status]').textContent).toBe('Stopping…');
    calls[0]?.resolve(summary(true, 1));
    await settle();
    expect(panel.dataset.state).toBe('stopped');
    expect(q('[data-train-status]').textContent).toBe(
      'Stopped after 1 steps. Resume continues from there.',
    );
    expect(button('resume').disabled).toBe(false);
    expect(panel.dataset.memoryAfterStop).toBe(`1:12:${String(3 * 2 ** 20)}`);
    expect(q('[data-train-memory]').textContent).toBe(
      'After Stop 1, the worker holds 12 tensors (3.00 MiB).',
    );
    expect(charts('loss')).toEqual({ live: 1, figures: 0 });
    expect(panel.value).toBeNull();
    button('resume').click();
    expect(q('[data-train-status]').textContent).toBe('Training (resumed) on wasm…');
    calls[1]?.onEvent(progressEvent(2, 0.5));
    expect(panel.trainingLog.loss.x).toEqual([1, 2]);
    calls[1]?.resolve(summary(false, 10));
    await settle();
    expect(panel.dataset.state).toBe('done');
    expect(charts('loss')).toEqual({ live: 0, figures: 1 });
    panel.remove();
  });

  it('a failed run says why, and shows what it had as one figure per chart', async () => {
    const { panel, calls, button, charts, q } = setUp();
    button('start').click();
    calls[0]?.reject(new Error('the worker crashed'));
    await settle();
    expect(panel.dataset.state).toBe('failed');
    expect(q('[data-train-status]').textContent).toBe('Training failed: the worker crashed');
    expect(button('start').disabled).toBe(false);
    expect(charts('loss')).toEqual({ live: 0, figures: 1 });
    panel.remove();
  });

  it('invalidation (the cell reruns) stops a running run', async () => {
    const script = scriptedTrainer();
    let invalidate: () => void = () => undefined;
    const panel = trainingPanel({
      trainer: script.trainer,
      config: { steps: 5 },
      backend: 'cpu',
      loadPlotly: () => Promise.resolve(drawingPlotly().plotly),
      invalidation: new Promise<void>((resolve) => (invalidate = resolve)),
    });
    panel.querySelector<HTMLButtonElement>('button[data-action="start"]')?.click();
    expect(panel.querySelector('[data-train-status]')?.textContent).toBe(
      'Training (full fine-tuning) on cpu…',
    );
    invalidate();
    await settle();
    expect(script.stops()).toBe(1);
  });
});
