/**
 * Runs every cell of every lesson headlessly, with the real Observable runtime and the real core
 * on TF.js's WASM backend, in a jsdom document, with `testMode = true` so lessons pick small
 * sizes — and only sizes: the lessons load the shipped model, MNIST and results files through
 * their own loaders (site-fetch.ts serves `public/` on the page's origin), and the harness presses
 * every button a reader presses (each `Inputs.button` and each `[data-action=start]`, as in the
 * kit's `trainingPanel`), in page order, waiting after each for the cells to settle and for no
 * panel to be `data-state=running`; a finished training panel must show one loss chart.
 * Fails with the lesson, cell index and error if any cell rejects. `Plotly` is a recording
 * stand-in that validates each figure (see plotly-stand-in.ts); real Plotly runs in the e2e tests.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractCells, cellKey, type ExtractedCell } from '../../src/cells/extract.ts';
import { createNodeBuiltins, loadNodeTf } from '../../src/cells/builtins-node.ts';
import { runCells, type CellErrorInfo } from '../../src/cells/runtime.ts';
import { createPlotlyStandIn } from './plotly-stand-in.ts';
import { installSiteFetch } from './site-fetch.ts';

const root = join(import.meta.dirname, '..', '..');
/**
 * TF.js's WASM backend, as the precompute scripts and most readers' pages use: the lessons load
 * the shipped 2.5 M-weight encoder here, and a training step on `cpu` (plain JavaScript) took
 * seconds where WASM takes a fraction of one.
 */
const BACKEND = 'wasm';
const lessonDir = join(root, 'lessons');
const fixtureDir = join(import.meta.dirname, 'fixtures');

function lessonFiles(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((f) => /\.mdx?$/.test(f))
      .sort()
      .map((f) => join(dir, f));
  } catch {
    return [];
  }
}

/** Both editions: the Japanese lessons' cells are the same programs with Japanese text. */
const lessons = [...lessonFiles(lessonDir), ...lessonFiles(join(lessonDir, 'ja'))];

/** Waits until no element under `nodes` says `data-state="running"` (a training panel's run). */
async function panelsIdle(nodes: readonly HTMLElement[], timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (nodes.some((n) => n.querySelector('[data-state="running"]'))) {
    if (Date.now() > end) throw new Error(`a panel still runs after ${String(timeoutMs)} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The buttons a reader presses to start work, in page order: Inputs.button cells and Start. */
function readerButtons(cells: readonly ExtractedCell[], nodes: readonly HTMLElement[]) {
  const buttons: { cell: number; button: HTMLButtonElement }[] = [];
  nodes.forEach((node, i) => {
    const source = cells[i]?.source ?? '';
    const found = source.includes('Inputs.button(')
      ? node.querySelector('button')
      : node.querySelector<HTMLButtonElement>('button[data-action="start"]');
    if (found) buttons.push({ cell: i, button: found });
  });
  return buttons;
}

/** Runs cells until all settle; returns the failures as readable lines, and the states. */
async function runLesson(cells: readonly ExtractedCell[]) {
  const { plotly, figures } = createPlotlyStandIn();
  const errors = new Map<number, CellErrorInfo>();
  const nodes = cells.map(() => document.body.appendChild(document.createElement('div')));
  const run = runCells(cells, {
    builtins: createNodeBuiltins({ plotly, backend: BACKEND, width: 640 }),
    observerFor: (i) => {
      const node = nodes[i];
      return {
        ...(node ? { node } : {}),
        // Shown as a page shows it (a DOM value is the output), so its buttons can be pressed.
        fulfilled: (value) => {
          errors.delete(i);
          if (node) node.replaceChildren(...(value instanceof Node ? [value] : []));
        },
        rejected: (e) => errors.set(i, e),
      };
    },
  });
  try {
    let states = await run.settled(240_000, 300);
    const pressed: string[] = [];
    // Each button once, as a reader would; a button a rerun replaced is looked up again.
    for (let k = 0; ; k++) {
      const next = readerButtons(cells, nodes)[k];
      if (!next) break;
      if (next.button.disabled)
        throw new Error(`cell ${String(next.cell)}: its button is disabled`);
      next.button.click();
      pressed.push(`${String(next.cell)}:${next.button.textContent.trim()}`);
      await new Promise((resolve) => setTimeout(resolve, 0));
      await panelsIdle(nodes, 240_000);
      states = await run.settled(240_000, 300);
    }
    const failures = [...errors]
      .sort(([a], [b]) => a - b)
      .map(([i, e]) => {
        const cell = cells[i];
        const where = cell
          ? `cell ${String(i)} (${cellKey(cell)}, lesson line ${String(cell.line)})`
          : `cell ${String(i)}`;
        return `${where}: ${e.message}${e.line === null ? '' : ` [cell line ${String(e.line)}]`}`;
      });
    return {
      failures,
      states,
      pressed,
      figures,
      nodes: nodes.map((n) => n.cloneNode(true) as HTMLElement),
    };
  } finally {
    run.dispose();
    for (const n of nodes) n.remove();
  }
}
const files = [...lessons, ...lessonFiles(fixtureDir)];

describe('lesson cells run headlessly', () => {
  let uninstall: (() => void) | undefined;
  beforeAll(() => {
    uninstall = installSiteFetch();
  });
  afterAll(async () => {
    uninstall?.();
    const tf = await loadNodeTf(BACKEND);
    tf.disposeVariables();
  });

  it('there is at least one lesson with at least one cell', () => {
    expect(lessons.length).toBeGreaterThan(0);
    const total = lessons.reduce((n, f) => n + extractCells(readFileSync(f, 'utf8')).length, 0);
    expect(total).toBeGreaterThan(0);
  });

  for (const file of files) {
    const name = file.slice(root.length + 1);
    it(`${name}: every cell fulfils`, async () => {
      const cells = extractCells(readFileSync(file, 'utf8'));
      expect(cells.length).toBeGreaterThan(0);
      // The page's edition, as <html lang> tells the runtime, the kit and the exercises.
      const japanese = file.includes(`${join('lessons', 'ja')}/`);
      document.documentElement.lang = japanese ? 'ja' : 'en';
      const { failures, states, pressed, nodes, figures } = await runLesson(cells).finally(() => {
        document.documentElement.lang = 'en';
      });
      // Every button of the lesson was pressed, and no output still asks for a press.
      const buttons = cells.filter(
        (c) =>
          c.source.includes('Inputs.button(') ||
          c.source.includes('trainingPanel(') ||
          (c.source.includes('data-action') && /["']start["']/.test(c.source)),
      );
      expect(pressed, `${name}: buttons pressed`).toHaveLength(buttons.length);
      const waiting = nodes
        .map((n, i) => [i, n.textContent] as const)
        .filter(
          ([, text]) =>
            /\bPress\b[^.]*\b(button|to (train|start))/i.test(text) ||
            /ボタンを押(すと|してください)|」を押すと/.test(text),
        );
      expect(waiting, `${name}: outputs still waiting for a press`).toEqual([]);
      if (japanese) {
        // Results files name their runs in English ("full fine-tuning", "LoRA r=8 query, all
        // layers"); the Japanese pages show those names in Japanese (settingLabel, methodLabel).
        const english =
          /full fine-tuning|classifier only|all modules|(all|upper|lower) layers|random subspace|random init|pretrained (tiny )?encoder|GloVe word vectors|learning rate|warm-up|on a teacher|\bseed \d/;
        // Outputs' text, and the figures' trace names, labels and hover texts.
        const texts = [
          ...nodes.map((n, i) => [`cell ${String(i)}`, n.textContent] as const),
          ...figures.flatMap((f, k) =>
            f.data.map(
              (t) =>
                [`figure ${String(k)}`, JSON.stringify([t.name, t.text, t.hovertext])] as const,
            ),
          ),
        ];
        const leaks = texts
          .map(([where, text]) => [where, english.exec(text)?.[0]] as const)
          .filter(([, hit]) => hit !== undefined);
        expect(leaks, `${name}: English run names in Japanese outputs`).toEqual([]);
      }
      expect(failures, `${name}\n${failures.join('\n')}`).toEqual([]);
      // A finished run shows one loss chart: the figure, with no live curve left under it.
      for (const panel of nodes.flatMap((n) => [...n.querySelectorAll('[data-train-panel]')])) {
        expect(panel.getAttribute('data-state'), `${name}: the training panel`).toBe('done');
        const slot = panel.querySelectorAll('[data-plot="loss"]');
        expect(slot).toHaveLength(1);
        expect(slot[0]?.hasAttribute('data-plotly-stand-in'), 'loss figure drawn').toBe(true);
        expect(slot[0]?.querySelectorAll('svg')).toHaveLength(0);
      }
      expect(states.every((s) => s === 'fulfilled')).toBe(true);
    });
  }

  it('the harness reports a rejecting cell with its index, name and line (self-check)', async () => {
    const cells = extractCells(
      [
        '```js cell',
        'a = 1',
        '```',
        '```js cell',
        'b = {\n  return a.x.y;\n}',
        '```',
        '```js cell',
        'Plotly.newPlot(html`<div>`, [{type: "heatmap", z: [[1]]}])',
        '```',
      ].join('\n'),
    );
    const { failures } = await runLesson(cells);
    expect(failures).toHaveLength(2);
    expect(failures[0]).toMatch(/^cell 1 \(b, lesson line 4\): TypeError: .* \[cell line 2\]$/);
    expect(failures[1]).toMatch(/^cell 2 \(2, lesson line 9\): .*heatmap.*basic bundle lacks/);
  });
});
