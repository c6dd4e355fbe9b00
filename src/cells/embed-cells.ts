/**
 * What an embed needs to know about a lesson's cells, read from their sources without running
 * them: which cells a cell depends on (transitively), which cells are inputs (`viewof x = …`), and
 * which are plain literal values (`alpha = 4`) that a URL parameter may replace. Pure.
 */
import { parseCell } from '@observablehq/parser';
import { compileCell } from './compile.ts';

/** A value a URL parameter can carry. */
export type ParamValue = number | string | boolean;

/** A cell whose whole body is one literal: `name = 4`, `name = -0.5`, `name = "zeros"`, `true`. */
export interface LiteralCell {
  readonly index: number;
  readonly name: string;
  readonly value: ParamValue;
}

/** The names a cell defines and reads. */
interface CellNames {
  readonly name: string | null;
  readonly kind: 'expression' | 'viewof' | 'mutable';
  readonly defines: readonly string[];
  readonly reads: readonly string[];
}

/** Names by source: a page asks for every cell's dependencies, each needing all cells' names. */
const namesCache = new Map<string, CellNames>();
const NAMES_CACHE_LIMIT = 1000;

function namesOf(source: string): CellNames {
  const cached = namesCache.get(source);
  if (cached) return cached;
  const names = compileNames(source);
  if (namesCache.size >= NAMES_CACHE_LIMIT) namesCache.clear();
  namesCache.set(source, names);
  return names;
}

function compileNames(source: string): CellNames {
  const compiled = compileCell(source);
  return {
    name: compiled.name,
    kind: compiled.kind,
    defines: compiled.definitions.flatMap((d) => (d.name === null ? [] : [d.name])),
    reads: compiled.inputs,
  };
}

/**
 * The indices of the cells that cell `index` reads, directly or through other cells (not
 * including itself), in lesson order.
 */
export function cellDependencies(sources: readonly string[], index: number): number[] {
  if (!Number.isInteger(index) || index < 0 || index >= sources.length) {
    throw new RangeError(
      `cellDependencies: no cell ${String(index)} (the lesson has ${String(sources.length)})`,
    );
  }
  const cells = sources.map(namesOf);
  const definedBy = new Map<string, number>();
  cells.forEach((cell, i) => {
    for (const name of cell.defines) if (!definedBy.has(name)) definedBy.set(name, i);
  });
  const seen = new Set<number>([index]);
  const queue = [index];
  for (let next = queue.pop(); next !== undefined; next = queue.pop()) {
    for (const name of cells[next]?.reads ?? []) {
      const owner = definedBy.get(name);
      if (owner !== undefined && !seen.has(owner)) {
        seen.add(owner);
        queue.push(owner);
      }
    }
  }
  seen.delete(index);
  return [...seen].sort((a, b) => a - b);
}

/** The `viewof` cells of a lesson: input name → cell index. */
export function inputCells(sources: readonly string[]): Map<string, number> {
  const found = new Map<string, number>();
  sources.forEach((source, i) => {
    const cell = namesOf(source);
    if (cell.kind === 'viewof' && cell.name !== null) found.set(cell.name, i);
  });
  return found;
}

interface LiteralNode {
  readonly type: string;
  readonly value?: unknown;
  readonly operator?: string;
  readonly argument?: LiteralNode;
}

function literalValue(node: LiteralNode | null | undefined): ParamValue | null {
  if (!node) return null;
  if (node.type === 'Literal') {
    const v = node.value;
    if (typeof v === 'number' && Number.isFinite(v)) return v;
    if (typeof v === 'string' || typeof v === 'boolean') return v;
    return null;
  }
  if (node.type === 'UnaryExpression' && (node.operator === '-' || node.operator === '+')) {
    const v = literalValue(node.argument);
    if (typeof v !== 'number') return null;
    return node.operator === '-' ? -v : v;
  }
  return null;
}

/** The cell's literal value when its source is `name = <literal>`; otherwise null. */
export function literalCell(source: string, index: number): LiteralCell | null {
  let cell;
  try {
    cell = parseCell(source);
  } catch {
    return null;
  }
  if (cell.id?.type !== 'Identifier' || typeof cell.id.name !== 'string') return null;
  const value = literalValue(cell.body);
  return value === null ? null : { index, name: cell.id.name, value };
}

/** Every literal cell of a lesson, by name. */
export function literalCells(sources: readonly string[]): Map<string, LiteralCell> {
  const found = new Map<string, LiteralCell>();
  sources.forEach((source, i) => {
    const literal = literalCell(source, i);
    if (literal) found.set(literal.name, literal);
  });
  return found;
}

interface SyntaxNode {
  readonly type: string;
  readonly callee?: SyntaxNode;
  readonly object?: SyntaxNode;
  readonly property?: SyntaxNode;
  readonly name?: string;
  readonly value?: unknown;
  readonly arguments?: readonly SyntaxNode[];
  readonly properties?: readonly (SyntaxNode & { key?: SyntaxNode; computed?: boolean })[];
}

/**
 * The field names of `viewof x = Inputs.form({a: …, b: …})` (each a URL parameter of an embed),
 * read from the source; [] for any other cell.
 */
export function formFields(source: string): string[] {
  let cell;
  try {
    cell = parseCell(source);
  } catch {
    return [];
  }
  if (cell.id?.type !== 'ViewExpression') return [];
  const body = cell.body as SyntaxNode | null;
  const callee = body?.type === 'CallExpression' ? body.callee : undefined;
  const isForm =
    callee?.type === 'MemberExpression' &&
    callee.object?.name === 'Inputs' &&
    callee.property?.name === 'form';
  const arg = body?.arguments?.[0];
  if (!isForm || arg?.type !== 'ObjectExpression') return [];
  return (arg.properties ?? []).flatMap((p) => {
    if (p.type !== 'Property' || p.computed === true || !p.key) return [];
    if (p.key.type === 'Identifier' && typeof p.key.name === 'string') return [p.key.name];
    return typeof p.key.value === 'string' ? [p.key.value] : [];
  });
}

/**
 * Names a cell's code uses to put something on the page: tagged templates, figures, inputs,
 * elements it makes, and generators (which show a value that changes).
 */
const DISPLAYS =
  /\b(?:html|svg|md|tex|Plotly|Inputs|progress|DOM)\b|\byield\b|\bcreateElement(?:NS)?\s*\(/;

/** A set-up cell found by the rule is this short at most (lines); longer ones compute results. */
export const SETUP_MAX_LINES = 12;

/**
 * Whether cell `index` only sets things up for other cells, so an instructor would not embed it
 * alone: /instructors/ does not list it and lesson pages offer no Copy embed for it (its embed
 * page still exists). The lesson decides with a word in the fence (```` ```js cell setup ```` or
 * ```` ```js cell embed ````); otherwise the rule: a named cell, not an input, that other cells
 * read, whose code makes nothing to show (no `html`/`svg`/`md`, Plotly, Inputs, elements,
 * `yield`) in at most SETUP_MAX_LINES lines — a site path, a lock, a worker handle, a constant, a
 * `mutable`.
 */
export function isSetupCell(
  sources: readonly string[],
  index: number,
  meta: readonly string[] = [],
): boolean {
  if (meta.includes('setup')) return true;
  if (meta.includes('embed')) return false;
  const source = sources[index];
  if (source === undefined) return false;
  const names = namesOf(source);
  if (names.name === null || names.kind === 'viewof') return false;
  if (DISPLAYS.test(source) || source.split('\n').length > SETUP_MAX_LINES) return false;
  const defines = new Set(names.defines);
  return sources.some(
    (other, i) => i !== index && namesOf(other).reads.some((n) => defines.has(n)),
  );
}
