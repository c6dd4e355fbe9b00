/**
 * Typed URL state from a schema: each field of a page's address (`?r=4&lr=0.01`) has a default
 * and a parser that turns the raw text into a value or refuses it. Reading never throws: a
 * missing field takes its default, a refused one takes its default and is reported (by name, with
 * the text and why), so a mangled link still opens a working page. Writing sets the schema's
 * fields and keeps every other parameter of the address (`?backend=`, `?test=`) as it was.
 *
 * Lesson cells get these as the `UrlState` built-in:
 *
 *   state = UrlState.read({r: UrlState.oneOf([1, 2, 4], 2), seed: UrlState.integer(0, 99, 0)})
 *   state.values.r   // 4 for ?r=4; 2 for ?r=3 (and state.problems says why)
 *
 * What a field accepts (`expects`) and the report of a refused value are in the page's edition
 * (`<html lang>`, text.ts; English outside a browser).
 */
import type { Lang } from '../../lib/i18n.ts';
import { kitText } from './text.ts';

/** A field of a URL-state schema: its default, and how its text becomes a value (null: refused). */
export interface UrlField<T> {
  readonly fallback: T;
  /** The value for `raw`, or null when `raw` is not an allowed value. */
  readonly parse: (raw: string) => T | null;
  /** What the field accepts, for the report of a refused value ("one of 1, 2, 4"). */
  readonly expects: string;
}

/** A schema: field name → field. */
export type UrlSchema = Readonly<Record<string, UrlField<unknown>>>;

/** The values a schema reads to. */
export type UrlValues<S extends UrlSchema> = { [K in keyof S]: S[K]['fallback'] };

/** A value of the address that was refused (and replaced by the field's default). */
export interface UrlProblem {
  readonly name: string;
  readonly raw: string;
  readonly expects: string;
}

/** What {@link readUrlState} found. */
export interface UrlReading<S extends UrlSchema> {
  readonly values: UrlValues<S>;
  /** Refused values, in schema order; each fell back to its default. */
  readonly problems: readonly UrlProblem[];
}

/** A number written in decimal (`0.5`, `-2`, `1e-3`): not blank, hex, `Infinity` or `NaN`. */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** A field whose value is one of `options` (a number however it is written in decimal: `?lr=1e-3` is 0.001). */
export function oneOf<T extends string | number | boolean>(
  options: readonly T[],
  fallback: T,
): UrlField<T> {
  return {
    fallback,
    parse: (raw) =>
      options.find(
        (o) =>
          String(o) === raw || (typeof o === 'number' && DECIMAL.test(raw) && Number(raw) === o),
      ) ?? null,
    expects: kitText().url.oneOf(options.map(String)),
  };
}

/** A field holding a finite number in [lo, hi], written in decimal. */
export function between(lo: number, hi: number, fallback: number): UrlField<number> {
  return {
    fallback,
    parse: (raw) => {
      if (!DECIMAL.test(raw)) return null;
      const v = Number(raw);
      return Number.isFinite(v) && v >= lo && v <= hi ? v : null;
    },
    expects: kitText().url.between(lo, hi),
  };
}

/** A field holding a whole number in [lo, hi], written in decimal digits. */
export function integer(lo: number, hi: number, fallback: number): UrlField<number> {
  return {
    fallback,
    parse: (raw) => {
      if (!/^-?\d{1,15}$/.test(raw)) return null;
      const v = Number(raw);
      return v >= lo && v <= hi ? v : null;
    },
    expects: kitText().url.integer(lo, hi),
  };
}

/** A field holding any text (the empty string included). */
export function text(fallback: string | null = null): UrlField<string | null> {
  return { fallback, parse: (raw) => raw, expects: kitText().url.anyText };
}

/** The values of `schema` in the query string `search` (`?a=1&b=2`, with or without `?`). */
export function readUrlState<S extends UrlSchema>(schema: S, search: string): UrlReading<S> {
  const query = new URLSearchParams(search);
  const values: Record<string, unknown> = {};
  const problems: UrlProblem[] = [];
  for (const [name, field] of Object.entries(schema)) {
    const raw = query.get(name);
    const parsed = raw === null ? null : field.parse(raw);
    if (raw !== null && parsed === null) problems.push({ name, raw, expects: field.expects });
    values[name] = parsed ?? field.fallback;
  }
  return { values: values as UrlValues<S>, problems };
}

/** What {@link writeUrlState} wrote. */
export interface UrlWriting {
  /** The query string, without `?` (`a=1&b=2`). */
  readonly search: string;
  /** Values the schema would refuse on reading: left out of the address (their default applies). */
  readonly skipped: readonly UrlProblem[];
}

/**
 * `search` with `values` written in: every other parameter is kept, in its place. A value its
 * field would refuse on reading (a reader's edit widened a slider, say) is left out of the
 * address and listed in `skipped`, so the page never writes a link it cannot read back; a null
 * value removes the field. A name the schema lacks is a RangeError (a typo, not a reader's doing).
 */
export function writeUrlState<S extends UrlSchema>(
  schema: S,
  values: Partial<UrlValues<S>>,
  search: string,
): UrlWriting {
  const query = new URLSearchParams(search);
  const skipped: UrlProblem[] = [];
  for (const [name, value] of Object.entries(values)) {
    const field = schema[name];
    if (field === undefined) throw new RangeError(`writeUrlState: "${name}" is not in the schema`);
    const raw = value === null || value === undefined ? null : String(value);
    if (raw !== null && field.parse(raw) === null) {
      skipped.push({ name, raw, expects: field.expects });
    }
    if (raw === null || field.parse(raw) === null) query.delete(name);
    else query.set(name, raw);
  }
  return { search: query.toString(), skipped };
}

/**
 * One line per refused value, for the page to show ("r=3 is not one of 1, 2, 4: using 2"), in
 * the words of `lang` (by default the page's).
 */
export function describeProblems(
  schema: UrlSchema,
  problems: readonly UrlProblem[],
  lang?: Lang,
): string[] {
  const words = kitText(lang).url;
  return problems.map((p) =>
    words.refused(p.name, p.raw, p.expects, String(schema[p.name]?.fallback)),
  );
}
