/**
 * Which cells are offered to instructors (issue 25): set-up cells (`siteBase`, `lock`, …) are
 * not, by the rule of embed-cells.ts `isSetupCell` or a word in the fence; long cells embed with
 * their code folded unless `code=show` is asked.
 */
import { describe, expect, it } from 'vitest';
import type { Root } from 'mdast';
import { isSetupCell } from '../../src/cells/embed-cells.ts';
import {
  defaultCodeMode,
  FOLD_CODE_LINES,
  parseEmbedParams,
} from '../../src/cells/embed-params.ts';
import { extractCells } from '../../src/cells/extract.ts';
import { transformCells } from '../../src/cells/remark-cells.ts';

const LESSON = [
  '```js cell',
  'siteBase = {',
  '  const icon = document.querySelector(\'link[rel="icon"]\');',
  '  return icon ? new URL(".", icon.href).href : null;',
  '}',
  '```',
  '```js cell',
  'lock = {',
  '  let tail = Promise.resolve();',
  '  return () => tail;',
  '}',
  '```',
  '```js cell',
  'data = fetch(`${siteBase}data.json`).then((r) => r.json())',
  '```',
  '```js cell',
  'plot = { await lock(); return Plotly.newPlot(html`<div>`, [{y: data}]); }',
  '```',
  '```js cell',
  'viewof r = Inputs.range([1, 8], {value: 2})',
  '```',
  '```js cell',
  'unread = 42',
  '```',
  '```js cell embed',
  'answer = r * 2',
  '```',
  '```js cell setup',
  'html`<p>${answer}</p>`',
  '```',
].join('\n');

describe('isSetupCell', () => {
  const cells = extractCells(LESSON);
  const sources = cells.map((c) => c.source);
  const setup = cells.filter((c) => isSetupCell(sources, c.index, c.meta)).map((c) => c.index);

  it('reads the words after `cell` in the fence', () => {
    expect(cells.map((c) => c.meta)).toEqual([[], [], [], [], [], [], ['embed'], ['setup']]);
  });

  it('leaves out short cells that others read and that show nothing, and the marked ones', () => {
    // siteBase, lock, data (read by plot; shows nothing), and the cell marked `setup`.
    expect(setup).toEqual([0, 1, 2, 7]);
  });

  it('keeps figures, inputs, cells nobody reads, and cells marked `embed`', () => {
    for (const kept of [3, 4, 5, 6]) expect(setup).not.toContain(kept);
  });

  it('a long cell that computes a result is not a set-up cell', () => {
    const long = `result = {\n${'  let x = 1;\n'.repeat(20)}  return x;\n}`;
    expect(isSetupCell([long, 'shown = html`${result}`'], 0)).toBe(false);
  });

  it('lesson pages mark set-up cells, so they offer no Copy embed', () => {
    const tree: Root = {
      type: 'root',
      children: extractCells(LESSON).map((c) => ({
        type: 'code' as const,
        lang: 'js',
        meta: ['cell', ...c.meta].join(' '),
        value: c.source,
      })),
    };
    transformCells(tree);
    const marked = tree.children.map(
      (node) =>
        'dataCellSetup' in
        ((node.data as { hProperties?: Record<string, unknown> } | undefined)?.hProperties ?? {}),
    );
    expect(marked).toEqual([true, true, true, false, false, false, false, true]);
  });
});

describe('code of a long cell', () => {
  const long = Array.from({ length: FOLD_CODE_LINES + 1 }, (_, i) => `// ${String(i)}`).join('\n');
  it('is folded by default, shown when asked; short cells show their code', () => {
    expect(defaultCodeMode(long)).toBe('fold');
    expect(defaultCodeMode('x = 1')).toBe('show');
    expect(parseEmbedParams('', defaultCodeMode(long)).options.code).toBe('fold');
    expect(parseEmbedParams('?code=show', defaultCodeMode(long)).options.code).toBe('show');
    expect(parseEmbedParams('?code=hide', 'fold').options.code).toBe('hide');
    expect(parseEmbedParams('').options.code).toBe('show');
  });
});
