/** Small helpers for writing exercise checks (types.ts) that never throw. */
import type { Verdict } from './types.ts';

/** A right answer, with what it shows. */
export function right(message: string): Verdict {
  return { right: true, message };
}

/** A wrong answer, with what is wrong. */
export function notYet(message: string): Verdict {
  return { right: false, message };
}

/** A value as a reader would write it, short (for messages such as "your cell returned 12"). */
export function shown(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'number')
    return Number.isInteger(value) ? value.toLocaleString('en-US') : String(value);
  try {
    const text = JSON.stringify(value);
    return text.length > 80 ? `${text.slice(0, 77)}…` : text;
  } catch {
    return `a value of type ${typeof value}`;
  }
}

/**
 * Calls a reader's function and returns its result, or a verdict naming the error it threw (the
 * loop guard's "ran for more than 5 s" among them: a reader's loop stays guarded here too).
 */
export function callReader<T>(
  what: string,
  f: () => T,
): { readonly ok: true; readonly value: T } | { readonly ok: false; readonly verdict: Verdict } {
  try {
    return { ok: true, value: f() };
  } catch (error) {
    const why = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return { ok: false, verdict: notYet(`${what} threw an error: ${why}.`) };
  }
}

/** Whether `x` is a matrix (an array of equally long arrays of finite numbers) of the given shape. */
export function isMatrix(x: unknown, rows: number, cols: number): x is number[][] {
  return (
    Array.isArray(x) &&
    x.length === rows &&
    x.every(
      (row) =>
        Array.isArray(row) &&
        row.length === cols &&
        row.every((v) => typeof v === 'number' && Number.isFinite(v)),
    )
  );
}

/** The shape of a nested array as text ("3 × 4"), or a description of what it is instead. */
export function shapeOf(x: unknown): string {
  if (!Array.isArray(x)) return `not an array (${shown(x)})`;
  const first: unknown = x[0];
  return Array.isArray(first)
    ? `${String(x.length)} × ${String(first.length)}`
    : `${String(x.length)} (flat)`;
}
