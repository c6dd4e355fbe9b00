/**
 * Compiles one cell's Observable JavaScript into definitions for @observablehq/runtime 6:
 * parse (with @observablehq/parser) → rewrite references to `viewof x` / `mutable x` → guard
 * every loop (see loop-guard.ts) → build the function with `new Function`.
 *
 * The generated function keeps the cell's line numbers (text before the body is blanked, not
 * removed, and guard calls are inserted without newlines) and carries a `//# sourceURL`, so an
 * error's stack frame gives the line in the reader's cell (`errorLine`).
 *
 * Syntax errors never throw: they produce a cell whose definition rejects with a CellSyntaxError
 * carrying the 1-based line and column, under the cell's name (so dependents see it failed).
 */
import { parseCell, peekId, walk as observableWalk, type CellNode } from '@observablehq/parser';
import { simple } from 'acorn-walk';
import type { Node } from 'acorn';
import { Mutable, input } from './generators.ts';
import { createLoopGuard, DEFAULT_LOOP_LIMIT_MS, type LoopGuard } from './loop-guard.ts';
import { applyEdits, blank, type SourceEdit } from './source-edits.ts';
import { cellsText } from './text.ts';

/** A cell's syntax error, with its position in the cell (1-based line and column). */
export class CellSyntaxError extends SyntaxError {
  constructor(
    message: string,
    readonly line: number | null,
    readonly column: number | null,
  ) {
    super(line === null ? message : cellsText().syntaxAt(message, line, column ?? 1));
    this.name = 'SyntaxError';
  }
}

/** One runtime variable to define for a cell. */
export interface CellDefinition {
  /** Runtime name: "x", "viewof x", "mutable x", or null for an anonymous cell. */
  readonly name: string | null;
  /** Runtime names of the inputs, in the order of the definition's parameters. */
  readonly inputs: readonly string[];
  readonly definition: (...args: never[]) => unknown;
  /** Whether this variable's value is what the cell shows (the others are plumbing). */
  readonly display: boolean;
}

/** A compiled cell. */
export interface CompiledCell {
  readonly source: string;
  /** Observable name ("r" for `r = …`, `viewof r = …` and `mutable r = …`), or null. */
  readonly name: string | null;
  readonly kind: 'expression' | 'viewof' | 'mutable';
  /** Runtime names the cell's code reads (deduplicated, in order of first use). */
  readonly inputs: readonly string[];
  readonly async: boolean;
  readonly generator: boolean;
  /** What to define in the runtime (two variables for `viewof`/`mutable`). */
  readonly definitions: readonly CellDefinition[];
  /** Set when the cell does not parse; its definitions then reject with this error. */
  readonly error: CellSyntaxError | null;
  /** The `//# sourceURL` of the generated code, for locating runtime errors. */
  readonly sourceUrl: string;
  /** The loop guard the cell's code calls (cancel it when the cell is stopped or redefined). */
  readonly guard: LoopGuard;
}

export interface CompileOptions {
  /** Distinguishes cells in stack traces: `cell-${id}.js`. */
  readonly id?: string | number;
  /** Loop guard limit (ms) for a synchronous run; default DEFAULT_LOOP_LIMIT_MS. */
  readonly loopLimitMs?: number;
  /** A guard to use instead of a new one (tests). */
  readonly guard?: LoopGuard;
}

interface AnyNode extends Node {
  readonly id?: (Node & { readonly name: string }) | null;
  readonly name?: string;
  readonly body?: Node;
}
type Definition = (...args: never[]) => unknown;

const GUARD = '__cellLoopGuard';
const LOOP_TYPES = [
  'ForStatement',
  'ForInStatement',
  'ForOfStatement',
  'WhileStatement',
  'DoWhileStatement',
] as const;

/** The parameter name standing for a runtime input inside the generated function. */
function paramName(input: string): string {
  if (input.startsWith('viewof ')) return `$viewof_${input.slice(7)}`;
  if (input.startsWith('mutable ')) return `$mutable_${input.slice(8)}`;
  return input;
}

function refName(node: AnyNode): string {
  const id = node.id;
  if (node.type === 'ViewExpression' && id) return `viewof ${id.name}`;
  if (node.type === 'MutableExpression' && id) return `mutable ${id.name}`;
  return String(node.name);
}

/** Edits that make every loop body start with a guard check. */
export function loopGuardEdits(body: Node, guard = GUARD): SourceEdit[] {
  const edits: SourceEdit[] = [];
  const call = `${guard}.n-- > 0 || ${guard}.check();`;
  const visit = (loop: Node): void => {
    const inner = (loop as AnyNode).body;
    if (!inner) return;
    if (inner.type === 'BlockStatement') {
      edits.push({ start: inner.start + 1, end: inner.start + 1, text: call });
    } else {
      edits.push({ start: inner.start, end: inner.start, text: `{${call}` });
      edits.push({ start: inner.end, end: inner.end, text: '}' });
    }
  };
  const visitors = Object.fromEntries(LOOP_TYPES.map((t) => [t, visit]));
  simple(body, visitors, observableWalk as never);
  return edits;
}

let lineOffset: number | null | undefined;

/** Lines the Function constructor adds before the body, measured once from a probe's stack. */
function functionLineOffset(): number | null {
  if (lineOffset !== undefined) return lineOffset;
  lineOffset = null;
  try {
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- measuring how Function reports lines
    const make = new Function(
      `'use strict'; return function () {\nthrow new Error('probe');\n};\n//# sourceURL=cell-probe.js`,
    ) as () => () => void;
    make()();
  } catch (error) {
    const m = /cell-probe\.js:(\d+):\d+/.exec(error instanceof Error ? (error.stack ?? '') : '');
    if (m) lineOffset = Number(m[1]) - 2;
  }
  return lineOffset;
}

/**
 * The 1-based line, in the cell's source, where `error` was thrown by (or passed through) the
 * cell's code, read from its stack; null when the stack does not say.
 */
export function errorLine(
  error: unknown,
  cell: Pick<CompiledCell, 'sourceUrl' | 'source' | 'error'>,
): number | null {
  if (error === cell.error) return cell.error?.line ?? null;
  if (error instanceof CellSyntaxError) return error.line;
  const stack = error instanceof Error ? error.stack : undefined;
  const offset = functionLineOffset();
  if (stack === undefined || offset === null) return null;
  const escaped = cell.sourceUrl.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const m = new RegExp(`${escaped}:(\\d+):\\d+`).exec(stack);
  if (!m) return null;
  const line = Number(m[1]) - offset - 1;
  const lines = cell.source.split('\n').length;
  return line >= 1 && line <= lines ? line : null;
}

function syntaxError(error: unknown): CellSyntaxError {
  const e = error as { message?: string; loc?: { line: number; column: number } };
  const message = (e.message ?? String(error)).replace(/\s*\(\d+:\d+\)$/, '');
  return new CellSyntaxError(message, e.loc?.line ?? null, e.loc ? e.loc.column + 1 : null);
}

const MODIFIER = /^\s*(viewof|mutable)\s/;

/** A cell that does not compile: it rejects with `error` under the name it seems to define. */
function rejected(
  source: string,
  error: CellSyntaxError,
  sourceUrl: string,
  guard: LoopGuard = createLoopGuard(),
): CompiledCell {
  const name = peekId(source) ?? null;
  const modifier = MODIFIER.exec(source)?.[1];
  const fail = (): never => {
    throw error;
  };
  const definitions: CellDefinition[] =
    name !== null && modifier !== undefined
      ? [
          {
            name: `${modifier} ${name}`,
            inputs: [],
            definition: fail,
            display: modifier === 'viewof',
          },
          { name, inputs: [], definition: fail, display: modifier === 'mutable' },
        ]
      : [{ name, inputs: [], definition: fail, display: true }];
  return {
    source,
    name,
    kind: modifier === 'viewof' ? 'viewof' : modifier === 'mutable' ? 'mutable' : 'expression',
    inputs: [],
    async: false,
    generator: false,
    definitions,
    error,
    sourceUrl,
    guard,
  };
}

/** Compiles a cell. Never throws for bad cell code (see `error`). */
export function compileCell(source: string, options: CompileOptions = {}): CompiledCell {
  const sourceUrl = `cell-${String(options.id ?? 'anonymous')}.js`;
  let cell: CellNode;
  try {
    cell = parseCell(source);
  } catch (error) {
    return rejected(source, syntaxError(error), sourceUrl);
  }
  const body = cell.body;
  if (body?.type === 'ImportDeclaration') {
    return rejected(source, new CellSyntaxError(cellsText().noImport, 1, 1), sourceUrl);
  }

  const inputs: string[] = [];
  const edits: SourceEdit[] = [];
  for (const ref of cell.references as AnyNode[]) {
    const name = refName(ref);
    if (!inputs.includes(name)) inputs.push(name);
    if (ref.type === 'ViewExpression') {
      edits.push({ start: ref.start, end: ref.end, text: paramName(name) });
    } else if (ref.type === 'MutableExpression') {
      edits.push({ start: ref.start, end: ref.end, text: `${paramName(name)}.value` });
    }
  }

  let text = '';
  const isBlock = body?.type === 'BlockStatement';
  if (body) {
    edits.push(...loopGuardEdits(body));
    edits.push(blank(source, 0, body.start), blank(source, body.end, source.length));
    if (isBlock) {
      edits.push({ start: body.start, end: body.start + 1, text: ' ' });
      edits.push({ start: body.end - 1, end: body.end, text: ' ' });
    }
    text = applyEdits(source, edits);
  }

  const params = inputs.map(paramName).join(', ');
  const head = `${cell.async ? 'async ' : ''}function${cell.generator ? '*' : ''}(${params})`;
  const code =
    `'use strict'; return ${head} { ${GUARD}.enter();` +
    (body === null ? `\n}` : isBlock ? `\n${text}\n}` : ` return (\n${text}\n);\n}`) +
    `\n//# sourceURL=${sourceUrl}`;

  const guard = options.guard ?? createLoopGuard(options.loopLimitMs ?? DEFAULT_LOOP_LIMIT_MS);
  let fn: Definition;
  try {
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- compiling the reader's cell is the point
    fn = (new Function(GUARD, code) as (g: LoopGuard) => Definition)(guard);
  } catch (error) {
    // The parser accepted what the engine refuses (rare): report it as a syntax error.
    return rejected(source, syntaxError(error), sourceUrl, guard);
  }

  const id = cell.id as AnyNode | null;
  const kind =
    id?.type === 'ViewExpression'
      ? 'viewof'
      : id?.type === 'MutableExpression'
        ? 'mutable'
        : 'expression';
  const name = id === null ? null : kind === 'expression' ? String(id.name) : String(id.id?.name);

  let definitions: CellDefinition[];
  if (kind === 'viewof' && name !== null) {
    definitions = [
      { name: `viewof ${name}`, inputs, definition: fn, display: true },
      { name, inputs: [`viewof ${name}`], definition: input as Definition, display: false },
    ];
  } else if (kind === 'mutable' && name !== null) {
    const initial = function (this: unknown, ...args: never[]): unknown {
      const value = fn.apply(this, args);
      return value instanceof Promise
        ? value.then((v: unknown) => new Mutable(v))
        : new Mutable(value);
    };
    definitions = [
      { name: `mutable ${name}`, inputs, definition: initial, display: false },
      {
        name,
        inputs: [`mutable ${name}`],
        definition: ((m: Mutable<unknown>) => m.generator) as Definition,
        display: true,
      },
    ];
  } else {
    definitions = [{ name, inputs, definition: fn, display: true }];
  }

  return {
    source,
    name,
    kind,
    inputs,
    async: cell.async,
    generator: cell.generator,
    definitions,
    error: null,
    sourceUrl,
    guard,
  };
}
