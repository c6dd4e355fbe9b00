/**
 * A lesson's page, as the cell tests build it in jsdom: Markdown with ```js cell blocks rendered
 * by the site's own remark plugin into `[data-lesson-root]` (with the lesson bar's
 * `[data-lesson-toolbar]`), and readers of the cells' DOM contract (src/cells/README.md).
 */
import { toHtml } from 'hast-util-to-html';
import { fromMarkdown } from 'mdast-util-from-markdown';
import { toHast } from 'mdast-util-to-hast';
import { transformCells } from '../../src/cells/remark-cells.ts';

/** A lesson of these cells, with a line of prose between them. */
export const lesson = (cells: string[]): string =>
  cells.map((c) => '```js cell\n' + c + '\n```').join('\n\nText.\n\n');

/** Renders `markdown` as the lesson page's body; returns its lesson root. */
export function render(markdown: string): HTMLElement {
  const tree = fromMarkdown(markdown);
  transformCells(tree);
  document.body.innerHTML = `<div data-lesson-toolbar></div><div data-lesson-root>${toHtml(toHast(tree))}</div>`;
  const root = document.querySelector<HTMLElement>('[data-lesson-root]');
  if (!root) throw new Error('no root');
  return root;
}

/** The cell whose `data-cell` is `key`. */
export const cell = (key: string): HTMLElement => {
  const el = document.querySelector<HTMLElement>(`section.cell[data-cell="${key}"]`);
  if (!el) throw new Error(`no cell ${key}`);
  return el;
};

/** Every cell's `key:state`, in page order (`r:fulfilled x:pending`). */
export const states = (): string =>
  [...document.querySelectorAll<HTMLElement>('section.cell')]
    .map((e) => `${e.dataset.cell ?? ''}:${e.dataset.state ?? ''}`)
    .join(' ');

/** The text of cell `key`'s output. */
export const output = (key: string): string =>
  cell(key).querySelector('.cell-output')?.textContent ?? '';
