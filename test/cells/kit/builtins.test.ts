/**
 * The kit's built-ins in a real cell runtime (src/cells/kit/builtins.ts via createBuiltins): a
 * cell names `site`, `UrlState` and `trainingPanel` as a lesson does, and the panel draws its
 * figures with the runtime's own `Plotly`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createBuiltins } from '../../../src/cells/builtins.ts';
import { runCells } from '../../../src/cells/runtime.ts';

const values = new Map<number, unknown>();

function run(cells: string[], plotly: unknown) {
  values.clear();
  const builtins = createBuiltins({
    loadTf: () => Promise.reject(new Error('no TF.js here')),
    loadPlotly: () => Promise.resolve(plotly),
    width: 640,
    testMode: true,
  });
  return runCells(cells, {
    builtins,
    observerFor: (i) => ({
      fulfilled: (v) => values.set(i, v),
      rejected: (e) => values.set(i, e),
    }),
  });
}

describe('kit built-ins', () => {
  afterEach(() => {
    for (const link of document.head.querySelectorAll('link[rel="icon"]')) link.remove();
    history.replaceState(null, '', '/');
  });

  it('site finds the base from the favicon link; UrlState reads the address', async () => {
    const icon = document.createElement('link');
    icon.rel = 'icon';
    icon.href = `${location.origin}/sub/favicon.svg`;
    document.head.append(icon);
    history.replaceState(null, '', '/sub/lessons/x/?r=8&r2=no');
    const lesson = run(
      [
        'base = site.base',
        'ok = site.available',
        'r = UrlState.read({r: UrlState.oneOf([2, 8], 2)}).values.r',
        'kind = typeof trainingPanel',
      ],
      {},
    );
    await lesson.settled(10_000, 50);
    expect([...values.entries()].sort(([a], [b]) => a - b).map(([, v]) => v)).toEqual([
      `${location.origin}/sub/`,
      true,
      8,
      'function',
    ]);
    lesson.dispose();
  });

  it('without a favicon link there is no site, and a read names the file', async () => {
    const lesson = run(
      ['ok = site.available', 'e = site.json("results/x.json").catch((e) => e.message)'],
      {},
    );
    await lesson.settled(10_000, 50);
    expect(values.get(0)).toBe(false);
    expect(values.get(1)).toBe('results/x.json: there is no site to load it from');
    lesson.dispose();
  });

  it('a file the site lacks fails the cell that reads it, and the error names the file', async () => {
    const icon = document.createElement('link');
    icon.rel = 'icon';
    icon.href = `${location.origin}/favicon.svg`;
    document.head.append(icon);
    const original = globalThis.fetch;
    globalThis.fetch = () => Promise.resolve(new Response('gone', { status: 404 }));
    try {
      const lesson = run(['mnist = site.bytes("generated/mnist/train-images.idx")'], {});
      await lesson.settled(10_000, 50);
      // As the cell's error line shows it: the file, the status, the server's own words.
      expect(String((values.get(0) as { message?: unknown }).message)).toBe(
        'SiteFileError: generated/mnist/train-images.idx: HTTP 404 (gone)',
      );
      lesson.dispose();
    } finally {
      globalThis.fetch = original;
    }
  });

  it('trainingPanel draws its figures with the runtime’s Plotly', async () => {
    const drawn: unknown[] = [];
    const plotly = { newPlot: (gd: unknown) => drawn.push(gd), purge: () => undefined };
    const lesson = run(
      [
        `viewof run = trainingPanel({config: {steps: 2}, backend: "cpu", trainer: {
          train: async () => ({stopped: false, stepsDone: 2, accuracy: 1, msPerStep: 3}),
          resume: async () => null, stop() {}, memory: async () => ({numBytes: 0, numTensors: 0})
        }})`,
      ],
      plotly,
    );
    await lesson.settled(10_000, 50);
    const panel = values.get(0) as HTMLElement;
    panel.querySelector<HTMLButtonElement>('button[data-action="start"]')?.click();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(panel.dataset.state).toBe('done');
    expect(drawn).toHaveLength(2);
    lesson.dispose();
  });
});
