/**
 * Finds the live cells in a lesson's Markdown/MDX source: fenced blocks whose info string is
 * `js cell`. Pure (no DOM, no Node APIs), so the remark plugin, the Node cell tests and anything
 * else see exactly the same cells, in the same order, with the same source.
 *
 * Fences follow CommonMark: up to three spaces of indentation, three or more backticks or tildes,
 * a closing fence of the same character at least as long, content lines de-indented by the opening
 * fence's indentation. Cell-like fences nested inside another fence (e.g. a ````md example) are
 * not cells.
 */
import { peekId } from '@observablehq/parser';

/** One live cell found in a lesson. */
export interface ExtractedCell {
  /** 0-based position among the lesson's cells. */
  readonly index: number;
  /** The cell's Observable name (`r = 4` → "r", `viewof r = …` → "r"), or null if anonymous. */
  readonly name: string | null;
  /** The cell's source, exactly as it runs. */
  readonly source: string;
  /** 1-based line of the opening fence in the lesson file. */
  readonly line: number;
  /** The words after `cell` in the fence's info string (```` ```js cell setup ```` → `['setup']`). */
  readonly meta: readonly string[];
}

/** The words after `cell` in a cell fence's meta string. */
export function cellMeta(meta: string | null | undefined): string[] {
  return (meta ?? '').trim().split(/\s+/).slice(1).filter(Boolean);
}

/** Whether a fenced block's info string marks a live cell (`js cell`, maybe followed by more words). */
export function isCellInfo(
  lang: string | null | undefined,
  meta: string | null | undefined,
): boolean {
  if (lang !== 'js') return false;
  const words = (meta ?? '').trim().split(/\s+/);
  return words[0] === 'cell';
}

/** The Observable name of a cell, as the runtime will see it (null for anonymous cells). */
export function cellName(source: string): string | null {
  return peekId(source) ?? null;
}

/** The value of the `data-cell` attribute for a cell: its name, else its index. */
export function cellKey(cell: { readonly name: string | null; readonly index: number }): string {
  return cell.name ?? String(cell.index);
}

const OPEN = /^( {0,3})(`{3,}|~{3,})(.*)$/;

/** Extracts the live cells from a lesson's source text, in document order. */
export function extractCells(markdown: string): ExtractedCell[] {
  const lines = markdown.replace(/\r\n?/g, '\n').split('\n');
  const cells: ExtractedCell[] = [];
  let i = 0;
  while (i < lines.length) {
    const open = OPEN.exec(lines[i] ?? '');
    if (!open) {
      i++;
      continue;
    }
    const indent = open[1]?.length ?? 0;
    const fence = open[2] ?? '```';
    const info = (open[3] ?? '').trim();
    if (fence.startsWith('`') && info.includes('`')) {
      i++; // Not a fence: backtick fences may not have backticks in their info string.
      continue;
    }
    const closing = new RegExp(
      `^ {0,3}${fence.startsWith('`') ? '`' : '~'}{${String(fence.length)},}\\s*$`,
    );
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && !closing.test(lines[j] ?? '')) {
      body.push(stripIndent(lines[j] ?? '', indent));
      j++;
    }
    const [lang = '', ...rest] = info.split(/\s+/);
    if (isCellInfo(lang, rest.join(' '))) {
      const source = body.join('\n');
      cells.push({
        index: cells.length,
        name: cellName(source),
        source,
        line: i + 1,
        meta: cellMeta(rest.join(' ')),
      });
    }
    i = j + 1;
  }
  return cells;
}

function stripIndent(line: string, indent: number): string {
  let k = 0;
  while (k < indent && line[k] === ' ') k++;
  return line.slice(k);
}
