/** Small helpers for writing exercise checks (types.ts) that never throw. */
import type { Lang } from '../../lib/i18n.ts';
import type { Verdict } from './types.ts';

/**
 * An edition's words: `tr('Right: …', '正解：…')` gives the English or the Japanese text, as
 * `tr.lang` says. Each exercise is written once with both texts side by side, so a message cannot
 * lack its translation (the compiler asks for both).
 */
export interface Tr {
  (en: string, ja: string): string;
  readonly lang: Lang;
}

/** The words of the edition `lang`. */
export function translator(lang: Lang): Tr {
  return Object.assign((en: string, ja: string) => (lang === 'ja' ? ja : en), { lang });
}

/** A right answer, with what it shows. */
export function right(message: string): Verdict {
  return { right: true, message };
}

/** A wrong answer, with what is wrong. */
export function notYet(message: string): Verdict {
  return { right: false, message };
}

/** A value as a reader would write it, short (for messages such as "your cell returned 12"). */
export function shown(value: unknown, lang: Lang = 'en'): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'function') return lang === 'ja' ? '関数' : 'a function';
  if (typeof value === 'number')
    return Number.isInteger(value) ? value.toLocaleString('en-US') : String(value);
  try {
    const text = JSON.stringify(value);
    return text.length > 80 ? `${text.slice(0, 77)}…` : text;
  } catch {
    return lang === 'ja' ? `${typeof value}型の値` : `a value of type ${typeof value}`;
  }
}

/**
 * Calls a reader's function and returns its result, or a verdict naming the error it threw (the
 * loop guard's "ran for more than 5 s" among them: a reader's loop stays guarded here too), in
 * the words of `lang` (`what` is in them already).
 */
export function callReader<T>(
  what: string,
  f: () => T,
  lang: Lang = 'en',
): { readonly ok: true; readonly value: T } | { readonly ok: false; readonly verdict: Verdict } {
  try {
    return { ok: true, value: f() };
  } catch (error) {
    const why = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return {
      ok: false,
      verdict: notYet(
        lang === 'ja' ? `${what}がエラーを投げました：${why}` : `${what} threw an error: ${why}.`,
      ),
    };
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
export function shapeOf(x: unknown, lang: Lang = 'en'): string {
  const ja = lang === 'ja';
  if (!Array.isArray(x))
    return ja ? `配列ではない値（${shown(x, lang)}）` : `not an array (${shown(x)})`;
  const first: unknown = x[0];
  if (Array.isArray(first)) return `${String(x.length)} × ${String(first.length)}`;
  return ja ? `長さ${String(x.length)}の1次元配列` : `${String(x.length)} (flat)`;
}
