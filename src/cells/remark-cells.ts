/**
 * Remark plugin: turns each ```js cell fenced block of a lesson into the agreed server markup
 *
 *   <section class="cell" data-cell="NAME-or-INDEX" data-cell-index="I" data-state="pending"
 *            aria-label="Live cell …" data-source-hash="…">
 *     <pre class="cell-source"><code class="language-js">SOURCE</code></pre>
 *     <div class="cell-output" aria-live="polite"></div>
 *   </section>
 *
 * A cell that draws a Plotly figure gets `style="min-height: …px"` on its output (the figure's
 * literal `height`, else DEFAULT_FIGURE_HEIGHT), so the page does not shift when the figure
 * arrives (CLS).
 *
 * The node it leaves carries hast data (`data.hName`, `hProperties`, `hChildren`) rather than a raw
 * `html` node, because MDX drops raw HTML; this works in .md and .mdx alike, and the source is a
 * hast text node, so escaping is the HTML serializer's job. The source is the code node's value —
 * the same text `extractCells` returns — so the code a reader sees is the code that runs.
 *
 * The label is in the lesson's edition: Japanese for a file under `lessons/ja/`.
 */
import type { Code, Parent, Root, RootContent } from 'mdast';
import type { Lang } from '../lib/i18n.ts';
import { cellsText } from './text.ts';
import { cellKey, cellMeta, cellName, isCellInfo } from './extract.ts';
import { isSetupCell } from './embed-cells.ts';
import { hashSource } from './hash.ts';

/** The hast element the plugin produces for one cell (exported for tests). */
export interface HastElement {
  type: 'element';
  tagName: string;
  properties: Record<string, string | number | string[]>;
  children: (HastElement | { type: 'text'; value: string })[];
}

/** Height reserved for a figure whose `height` is not a literal number (px). */
export const DEFAULT_FIGURE_HEIGHT = 360;

/**
 * The height (px) to reserve for a cell's output: the largest literal `height: N` of a cell that
 * calls Plotly (DEFAULT_FIGURE_HEIGHT when it has none), or null for a cell that draws no figure.
 */
export function reservedHeight(source: string): number | null {
  if (!/\bPlotly\s*\.\s*(newPlot|react)\b/.test(source)) return null;
  const literal = [...source.matchAll(/\bheight\s*:\s*(\d{2,4})\s*[,}\n]/g)].map((m) =>
    Number(m[1]),
  );
  return literal.length > 0 ? Math.max(...literal) : DEFAULT_FIGURE_HEIGHT;
}

/**
 * The hast tree of one cell's server markup; a set-up cell (embed-cells.ts `isSetupCell`) is
 * marked `data-cell-setup`, so the page offers no Copy embed for it. `lang`: the edition of its label.
 */
export function cellHast(
  source: string,
  index: number,
  setup = false,
  lang: Lang = 'en',
): HastElement {
  const name = cellName(source);
  const key = cellKey({ name, index });
  const label = cellsText(lang).cellLabel(index + 1, name);
  const reserve = reservedHeight(source);
  const output: HastElement['properties'] = { className: ['cell-output'], ariaLive: 'polite' };
  if (reserve !== null) output.style = `min-height: ${String(reserve)}px`;
  return {
    type: 'element',
    tagName: 'section',
    properties: {
      className: ['cell'],
      dataCell: key,
      dataCellIndex: index,
      dataState: 'pending',
      dataSourceHash: hashSource(source),
      ariaLabel: label,
      ...(setup ? { dataCellSetup: '' } : {}),
    },
    children: [
      {
        type: 'element',
        tagName: 'pre',
        properties: { className: ['cell-source'] },
        children: [
          {
            type: 'element',
            tagName: 'code',
            properties: { className: ['language-js'] },
            children: [{ type: 'text', value: source }],
          },
        ],
      },
      {
        type: 'element',
        tagName: 'div',
        properties: output,
        children: [],
      },
    ],
  };
}

/** The mdast node that replaces a cell's code node. */
function cellNode(code: Code, index: number, setup: boolean, lang: Lang): RootContent {
  const hast = cellHast(code.value, index, setup, lang);
  const node = {
    type: 'liveCell',
    data: { hName: hast.tagName, hProperties: hast.properties, hChildren: hast.children },
    position: code.position,
  };
  return node as unknown as RootContent;
}

function isParent(node: unknown): node is Parent {
  return typeof node === 'object' && node !== null && Array.isArray((node as Parent).children);
}

/**
 * Replaces every cell code node in the tree, numbering cells in document order; `lang` is the
 * lesson's edition.
 */
export function transformCells(tree: Root, lang: Lang = 'en'): number {
  const found: { parent: Parent; at: number; code: Code }[] = [];
  const walk = (parent: Parent): void => {
    parent.children.forEach((child, at) => {
      if (child.type === 'code' && isCellInfo(child.lang, child.meta)) {
        found.push({ parent, at, code: child });
      } else if (isParent(child)) {
        walk(child);
      }
    });
  };
  walk(tree);
  // Whether a cell is a set-up cell depends on which other cells read it: all sources first.
  const sources = found.map((f) => f.code.value);
  found.forEach(({ parent, at, code }, index) => {
    const setup = isSetupCell(sources, index, cellMeta(code.meta));
    parent.children[at] = cellNode(code, index, setup, lang);
  });
  return found.length;
}

/** The edition of a lesson file: Japanese under `lessons/ja/`, else English. */
export function lessonFileLang(path: string | undefined): Lang {
  return path !== undefined && /(?:^|[\\/])lessons[\\/]ja[\\/][^\\/]+$/.test(path) ? 'ja' : 'en';
}

/** The remark plugin (a unified attacher): `remarkPlugins: [remarkCells]`. */
export function remarkCells(): (tree: Root, file?: { path?: string }) => void {
  return (tree, file) => {
    transformCells(tree, lessonFileLang(file?.path));
  };
}

export default remarkCells;
