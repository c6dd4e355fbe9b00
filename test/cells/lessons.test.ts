/**
 * Runs every cell of every lesson headlessly, with the real Observable runtime and the real core
 * on TF.js's `cpu` backend, in a jsdom document, with `testMode = true` so lessons pick small
 * sizes. Fails with the lesson, cell index and error if any cell rejects. `Plotly` is a recording
 * stand-in that validates each figure (see plotly-stand-in.ts); real Plotly runs in the e2e tests.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { extractCells, cellKey, type ExtractedCell } from '../../src/cells/extract.ts';
import { createNodeBuiltins, loadNodeTf } from '../../src/cells/builtins-node.ts';
import { runCells, type CellErrorInfo } from '../../src/cells/runtime.ts';
import { createPlotlyStandIn } from './plotly-stand-in.ts';

const root = join(import.meta.dirname, '..', '..');
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

const lessons = lessonFiles(lessonDir);

/** Runs cells until all settle; returns the failures as readable lines, and the states. */
async function runLesson(cells: readonly ExtractedCell[]) {
  const { plotly } = createPlotlyStandIn();
  const errors = new Map<number, CellErrorInfo>();
  const nodes = cells.map(() => document.body.appendChild(document.createElement('div')));
  const run = runCells(cells, {
    builtins: createNodeBuiltins({ plotly, backend: 'cpu', width: 640 }),
    observerFor: (i) => {
      const node = nodes[i];
      return {
        ...(node ? { node } : {}),
        fulfilled: () => errors.delete(i),
        rejected: (e) => errors.set(i, e),
      };
    },
  });
  try {
    const states = await run.settled(240_000, 300);
    const failures = [...errors]
      .sort(([a], [b]) => a - b)
      .map(([i, e]) => {
        const cell = cells[i];
        const where = cell
          ? `cell ${String(i)} (${cellKey(cell)}, lesson line ${String(cell.line)})`
          : `cell ${String(i)}`;
        return `${where}: ${e.message}${e.line === null ? '' : ` [cell line ${String(e.line)}]`}`;
      });
    return { failures, states };
  } finally {
    run.dispose();
    for (const n of nodes) n.remove();
  }
}
const files = [...lessons, ...lessonFiles(fixtureDir)];

describe('lesson cells run headlessly', () => {
  afterAll(async () => {
    const tf = await loadNodeTf('cpu');
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
      const { failures, states } = await runLesson(cells);
      expect(failures, `${name}\n${failures.join('\n')}`).toEqual([]);
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
