/**
 * The query string of an embed, `/embed/<lesson>/<cell>/?r=8&seed=3&code=hide&theme=dark`: one
 * typed table of display options (`code`, `controls`, `theme`) and the cell's inputs by name,
 * with parsing that never throws (every bad value becomes a message for the reader and a safe
 * default), coercion of a raw value to the type of the input it sets, and the reverse, building a
 * query from values. Pure: no DOM.
 *
 * URL parameters only ever carry values (numbers, strings, booleans); code never comes from a URL.
 * The messages are in the language given (English by default; the embed passes its page's).
 */
import type { Lang } from '../lib/i18n.ts';
import type { ParamValue } from './embed-cells.ts';
import { cellsText, type CellsText } from './text.ts';

type Words = CellsText['params'];

/** How the embedded cell's code is shown. */
export type CodeMode = 'show' | 'fold' | 'hide';
/** Whether the inputs the cell depends on are shown above it. */
export type ControlsMode = 'show' | 'hide';
export type Theme = 'light' | 'dark';

export interface EmbedOptions {
  /** `show` (default): the code above the output; `fold`: behind a "Code" disclosure; `hide`. */
  readonly code: CodeMode;
  /** `show` (default) or `hide` the controls (inputs) the cell depends on. */
  readonly controls: ControlsMode;
  /** Forced theme; null follows the reader's system setting. */
  readonly theme: Theme | null;
}

export interface EmbedParams {
  readonly options: EmbedOptions;
  /** Input name → raw value, in URL order (the first of repeated names). */
  readonly inputs: ReadonlyMap<string, string>;
  /** What was wrong with the query, one sentence each, for the reader. */
  readonly problems: readonly string[];
}

export const DEFAULT_OPTIONS: EmbedOptions = { code: 'show', controls: 'show', theme: null };

/** Parameters that are not inputs: the display options and the site-wide `test`/`backend`. */
export const RESERVED_PARAMS: ReadonlySet<string> = new Set([
  'code',
  'controls',
  'theme',
  'test',
  'backend',
]);

/** Longest raw value accepted (longer ones are refused, not truncated). */
export const MAX_VALUE_LENGTH = 200;
/** Most input parameters read from one URL. */
export const MAX_INPUTS = 32;

const NAME = /^[A-Za-z_$][\w$]{0,63}$/;

function choice<T extends string>(
  raw: string | null,
  allowed: readonly T[],
  fallback: T,
  name: string,
  problems: string[],
  words: Words,
): T {
  if (raw === null) return fallback;
  const found = allowed.find((a) => a === raw.trim().toLowerCase());
  if (found !== undefined) return found;
  problems.push(words.notOneOf(`${name}=${clip(raw)}`, allowed, fallback));
  return fallback;
}

/** A value shortened for a message. */
export function clip(raw: string, max = 40): string {
  return raw.length > max ? `${raw.slice(0, max)}…` : raw;
}

/** Cells longer than this (lines) embed with their code folded unless `code=show` is asked. */
export const FOLD_CODE_LINES = 25;

/**
 * How a cell's code is shown when the URL does not say: folded behind "Code" for a cell of more
 * than FOLD_CODE_LINES lines (the training panel's 139 lines put its Start button 7,000 px down
 * a phone-wide frame), shown otherwise.
 */
export function defaultCodeMode(source: string): CodeMode {
  return source.split('\n').length > FOLD_CODE_LINES ? 'fold' : 'show';
}

/**
 * Parses an embed's query string (`location.search`, with or without `?`). Never throws.
 * `codeDefault` is the code mode when the query gives none (defaultCodeMode of the cell); the
 * problems are in `lang`.
 */
export function parseEmbedParams(
  search: string | URLSearchParams,
  codeDefault: CodeMode = 'show',
  lang: Lang = 'en',
): EmbedParams {
  const words = cellsText(lang).params;
  const query = typeof search === 'string' ? new URLSearchParams(search) : search;
  const problems: string[] = [];
  const code = choice(
    query.get('code'),
    ['show', 'fold', 'hide'],
    codeDefault,
    'code',
    problems,
    words,
  );
  const controls = choice(
    query.get('controls'),
    ['show', 'hide'],
    'show',
    'controls',
    problems,
    words,
  );
  const themeRaw = query.get('theme');
  const theme =
    themeRaw === null || themeRaw.trim().toLowerCase() === 'auto'
      ? null
      : choice(themeRaw, ['light', 'dark'], 'light', 'theme', problems, words);
  const inputs = new Map<string, string>();
  const refused = new Set<string>();
  for (const [name, raw] of query) {
    if (RESERVED_PARAMS.has(name) || inputs.has(name) || refused.has(name)) continue;
    refused.add(name);
    if (!NAME.test(name)) {
      problems.push(words.notAName(clip(name)));
    } else if (raw.length > MAX_VALUE_LENGTH) {
      problems.push(words.tooLong(name, raw.length, MAX_VALUE_LENGTH));
    } else if (inputs.size >= MAX_INPUTS) {
      problems.push(words.tooMany(MAX_INPUTS, name));
    } else {
      refused.delete(name);
      inputs.set(name, raw);
    }
  }
  return { options: { code, controls, theme }, inputs, problems };
}

/** Limits a numeric input may have (from its range/number control). */
export interface NumberBounds {
  readonly min?: number | undefined;
  readonly max?: number | undefined;
  /** Values are min + k·step (or k·step without a min). */
  readonly step?: number | undefined;
}

/**
 * Bounds for a literal cell (`alpha = 4`), which has no control to read them from: within
 * ±max(1000, 100·|value|) of zero, and whole numbers only when the lesson wrote a whole number.
 * So an address cannot set `steps = 1e12` on a cell that loops that many times.
 */
export function literalBounds(current: number): NumberBounds {
  const limit = Math.max(1000, 100 * Math.abs(current));
  return Number.isInteger(current)
    ? { min: -limit, max: limit, step: 1 }
    : { min: -limit, max: limit };
}

export type Coerced =
  | { readonly ok: true; readonly value: ParamValue; readonly note: string | null }
  | { readonly ok: false; readonly message: string };

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;
const TRUE = new Set(['true', '1', 'yes', 'on']);
const FALSE = new Set(['false', '0', 'no', 'off']);

function describe(value: unknown, words: Words): string {
  if (value === null) return words.kind('null');
  if (Array.isArray(value)) return words.kind('list');
  if (typeof value === 'object') return words.kind('object');
  return words.kind(typeof value);
}

/** Rounds away float noise from a snapped value (0.1 + 0.2 → 0.3), keeping the step's decimals. */
function tidy(value: number, step: number): number {
  const decimals = Math.min(15, Math.max(0, -Math.floor(Math.log10(step)) + 2));
  return Number(value.toFixed(decimals));
}

/** Clamps a number into bounds and snaps it to the step; says what changed (in `lang`), if anything. */
export function clampNumber(
  name: string,
  value: number,
  bounds: NumberBounds = {},
  lang: Lang = 'en',
): { value: number; note: string | null } {
  const words = cellsText(lang).params;
  const { min, max, step } = bounds;
  let v = value;
  const notes: string[] = [];
  if (min !== undefined && Number.isFinite(min) && v < min) {
    v = min;
    notes.push(words.belowMin(min));
  } else if (max !== undefined && Number.isFinite(max) && v > max) {
    v = max;
    notes.push(words.aboveMax(max));
  }
  if (step !== undefined && Number.isFinite(step) && step > 0) {
    const origin = min !== undefined && Number.isFinite(min) ? min : 0;
    let snapped = tidy(origin + Math.round((v - origin) / step) * step, step);
    if (max !== undefined && Number.isFinite(max) && snapped > max) snapped -= step;
    snapped = tidy(snapped, step);
    if (snapped !== v) {
      if (notes.length === 0) notes.push(words.notMultiple(step));
      v = snapped;
    }
  }
  return {
    value: v,
    note: notes.length === 0 ? null : words.clamped(`${name}=${String(value)}`, notes, v),
  };
}

/**
 * Converts a raw URL value to the type of the input's current value: a number (finite, clamped
 * to `bounds`), a boolean (true/false, 1/0, yes/no, on/off) or a string. Anything else (an
 * object, a list, a function) cannot be set from a URL. Messages are in `lang`.
 */
export function coerceParam(
  name: string,
  raw: string,
  current: unknown,
  bounds: NumberBounds = {},
  lang: Lang = 'en',
): Coerced {
  const words = cellsText(lang).params;
  const text = raw.trim();
  if (typeof current === 'number') {
    const value = NUMBER.test(text) ? Number(text) : Number.NaN;
    if (!Number.isFinite(value)) {
      return { ok: false, message: words.notNumber(`${name}=${clip(raw)}`, String(current)) };
    }
    const clamped = clampNumber(name, value, bounds, lang);
    return { ok: true, value: clamped.value, note: clamped.note };
  }
  if (typeof current === 'boolean') {
    const lower = text.toLowerCase();
    if (TRUE.has(lower)) return { ok: true, value: true, note: null };
    if (FALSE.has(lower)) return { ok: true, value: false, note: null };
    return { ok: false, message: words.notBoolean(`${name}=${clip(raw)}`, String(current)) };
  }
  if (typeof current === 'string') return { ok: true, value: raw, note: null };
  return { ok: false, message: words.notSettable(name, describe(current, words)) };
}

/** Builds an embed's query string (with `?`, or '' when empty): inputs first, then options. */
export function embedQuery(
  inputs: Readonly<Record<string, ParamValue>>,
  options: Partial<EmbedOptions> = {},
): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(inputs)) {
    if (RESERVED_PARAMS.has(name) || !NAME.test(name)) {
      throw new RangeError(`embedQuery: “${name}” cannot be an input parameter`);
    }
    if (typeof value === 'number' && !Number.isFinite(value)) {
      throw new RangeError(`embedQuery: input “${name}” is ${String(value)}, not a finite number`);
    }
    query.set(name, String(value));
  }
  if (options.code !== undefined && options.code !== DEFAULT_OPTIONS.code) {
    query.set('code', options.code);
  }
  if (options.controls !== undefined && options.controls !== DEFAULT_OPTIONS.controls) {
    query.set('controls', options.controls);
  }
  if (options.theme) query.set('theme', options.theme);
  const text = query.toString();
  return text === '' ? '' : `?${text}`;
}
