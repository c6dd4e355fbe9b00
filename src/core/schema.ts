/**
 * A small validator for JSON files the site ships (a model's manifest, its evaluation, the
 * precomputed results): each schema is a function that checks a parsed value and returns it typed,
 * or throws a {@link SchemaError} naming the field and the value — instead of an `as` cast that
 * lets a wrong file through. Objects may carry more fields than a schema names (they pass through
 * untouched, so a writer can add a field without breaking readers).
 *
 *     const Point = obj({ x: num, label: optional(str) });
 *     type Point = Infer<typeof Point>;
 *     const p = parse(Point, JSON.parse(text), 'point.json');
 */

/** Thrown when a value does not fit its schema: `path` names the field, `value` is what was there. */
export class SchemaError extends Error {
  override readonly name = 'SchemaError';
  constructor(
    /** Where the value is, e.g. `eval.json: runs[3].seed`. */
    readonly path: string,
    readonly value: unknown,
    /** What the schema expected, in words. */
    readonly expected: string,
  ) {
    super(`${path} = ${preview(value)}: expected ${expected}`);
  }
}

function preview(value: unknown): string {
  if (value === undefined) return 'undefined (missing)';
  if (typeof value === 'number' || typeof value === 'boolean' || value === null)
    return String(value);
  if (typeof value === 'string')
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (Array.isArray(value)) return `an array of ${value.length}`;
  return 'an object';
}

/** A schema: checks `value` (found at `path`) and returns it typed, or throws {@link SchemaError}. */
export type Schema<T> = (value: unknown, path: string) => T;

/** The type a schema accepts. */
export type Infer<S> = S extends Schema<infer T> ? T : never;

/** Checks `value` against `schema`; `name` (e.g. the file) starts every error's path. */
export function parse<T>(schema: Schema<T>, value: unknown, name: string): T {
  return schema(value, name);
}

/** A finite number. */
export const num: Schema<number> = (v, path) => {
  if (typeof v !== 'number' || !Number.isFinite(v))
    throw new SchemaError(path, v, 'a finite number');
  return v;
};

/** An integer. */
export const int: Schema<number> = (v, path) => {
  if (!Number.isInteger(v)) throw new SchemaError(path, v, 'an integer');
  return v as number;
};

/** A string. */
export const str: Schema<string> = (v, path) => {
  if (typeof v !== 'string') throw new SchemaError(path, v, 'a string');
  return v;
};

/** A boolean. */
export const bool: Schema<boolean> = (v, path) => {
  if (typeof v !== 'boolean') throw new SchemaError(path, v, 'true or false');
  return v;
};

/** A number in `[lo, hi]`. */
export function between(lo: number, hi: number): Schema<number> {
  return (v, path) => {
    const x = num(v, path);
    if (x < lo || x > hi) throw new SchemaError(path, v, `a number in [${lo}, ${hi}]`);
    return x;
  };
}

/** A string matching `re` (described as `what`). */
export function matching(re: RegExp, what: string): Schema<string> {
  return (v, path) => {
    const s = str(v, path);
    if (!re.test(s)) throw new SchemaError(path, v, what);
    return s;
  };
}

/** A SHA-256 in hex (64 lower-case hex digits). */
export const sha256String = matching(/^[0-9a-f]{64}$/, 'a SHA-256 (64 hex digits)');

/** One of the listed literal values. */
export function oneOf<const L extends readonly (string | number | boolean)[]>(
  ...values: L
): Schema<L[number]> {
  return (v, path) => {
    if (!values.includes(v as L[number]))
      throw new SchemaError(path, v, `one of ${values.map((x) => JSON.stringify(x)).join(', ')}`);
    return v as L[number];
  };
}

/** `null` or a value of `schema`. */
export function nullable<T>(schema: Schema<T>): Schema<T | null> {
  return (v, path) => (v === null ? null : schema(v, path));
}

/** Either schema (the first that fits). */
export function either<A, B>(a: Schema<A>, b: Schema<B>, what: string): Schema<A | B> {
  return (v, path) => {
    try {
      return a(v, path);
    } catch {
      try {
        return b(v, path);
      } catch {
        throw new SchemaError(path, v, what);
      }
    }
  };
}

/** An array whose every element fits `item` (at least `min` of them; default 0). */
export function arr<T>(item: Schema<T>, min = 0): Schema<T[]> {
  return (v, path) => {
    if (!Array.isArray(v)) throw new SchemaError(path, v, 'an array');
    if (v.length < min) throw new SchemaError(path, v, `an array of at least ${min}`);
    v.forEach((x, i) => item(x, `${path}[${i}]`));
    return v as T[];
  };
}

/** A JSON object (not an array, not null). */
function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** An object whose every value fits `value` (e.g. a file name → its hash). */
export function record<T>(value: Schema<T>): Schema<Record<string, T>> {
  return (v, path) => {
    if (!isObject(v)) throw new SchemaError(path, v, 'an object');
    for (const [k, x] of Object.entries(v)) value(x, `${path}.${k}`);
    return v as Record<string, T>;
  };
}

/** Marks a field of {@link obj} as optional (absent is fine; present must fit). */
export interface Optional<T> {
  readonly optional: Schema<T>;
}

/** An optional field of {@link obj}. */
export function optional<T>(schema: Schema<T>): Optional<T> {
  return { optional: schema };
}

type Fields = Record<string, Schema<unknown> | Optional<unknown>>;
type Shape<F extends Fields> = {
  -readonly [K in keyof F as F[K] extends Optional<unknown> ? never : K]: F[K] extends Schema<
    infer T
  >
    ? T
    : never;
} & {
  -readonly [K in keyof F as F[K] extends Optional<unknown> ? K : never]?: F[K] extends Optional<
    infer T
  >
    ? T
    : never;
};

/** An object with (at least) these fields. */
export function obj<F extends Fields>(fields: F): Schema<Shape<F>> {
  return (v, path) => {
    if (!isObject(v)) throw new SchemaError(path, v, 'an object');
    for (const [k, f] of Object.entries(fields)) {
      const at = `${path}.${k}`;
      if (typeof f === 'function') f(v[k], at);
      else if (k in v) f.optional(v[k], at);
    }
    return v as Shape<F>;
  };
}
