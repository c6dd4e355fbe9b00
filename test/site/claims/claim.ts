/**
 * Claims: the sentences of lesson prose that rest on this site's own results files, each with a
 * check against the file it rests on. `test/site/claims.test.ts` fails when a sentence is no
 * longer in its lesson (the prose changed: update the claim) or when its file no longer supports
 * it (the results were remade: update the prose), naming the lesson, the sentence and the number.
 *
 * Add one by copying a sentence from the lesson, exactly as written in the `.mdx` (runs of white
 * space count as one space), naming the file under `public/`, and writing a check that returns
 * `null` when the results support the sentence and otherwise says what they say instead.
 */

/** What a results file is to a check: parsed JSON, read with care (no schema is assumed). */
export type Results = Record<string, unknown>;

/** One sentence of a lesson and the results it rests on. */
export interface Claim {
  /** Words copied from the lesson's source, Markdown and all; white space may differ. */
  readonly sentence: string;
  /**
   * The same sentence in the Japanese edition (`lessons/ja/<slug>.mdx`), exactly as written there,
   * stating the same digit-numbers; checked against the same file with the same check.
   */
  readonly ja?: string;
  /**
   * The results file, relative to `public/` (e.g. `results/intrinsic/mnist.json`), or a committed
   * evidence file the site does not serve, relative to the repository (`docs/evidence/…`).
   */
  readonly file: string;
  /**
   * Further files a sentence rests on, when it compares results kept apart (e.g. two models'
   * evaluations); the check receives them after `file`'s, in this order.
   */
  readonly also?: readonly string[];
  /** `null` when `results` support the sentence; otherwise what the results say instead. */
  readonly check: (results: Results, ...also: Results[]) => string | null;
}

/** A failed claim, ready to print. */
export interface ClaimFailure {
  readonly lesson: string;
  readonly sentence: string;
  readonly file: string;
  readonly reason: string;
}

/** Collapses runs of white space, so a sentence matches however the lesson wraps it. */
export function normaliseSpace(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * Checks `claims` against a lesson's source and the results files `read` returns. Every failure
 * is reported (a missing sentence, an unreadable file, a check that says no or throws).
 */
export function checkClaims(
  lesson: string,
  source: string,
  claims: readonly Claim[],
  read: (file: string) => Results,
): ClaimFailure[] {
  const text = normaliseSpace(source);
  const failures: ClaimFailure[] = [];
  for (const claim of claims) {
    const fail = (reason: string) =>
      failures.push({ lesson, sentence: claim.sentence, file: claim.file, reason });
    if (!text.includes(normaliseSpace(claim.sentence))) {
      fail('the sentence is not in the lesson any more: update this claim with the prose');
      continue;
    }
    let results: Results;
    let also: Results[];
    try {
      results = read(claim.file);
      also = (claim.also ?? []).map(read);
    } catch (error) {
      fail(`the results file could not be read: ${(error as Error).message}`);
      continue;
    }
    try {
      const reason = claim.check(results, ...also);
      if (reason !== null) fail(reason);
    } catch (error) {
      fail(`the check threw (the file's shape changed?): ${(error as Error).message}`);
    }
  }
  return failures;
}

/** Formats failures one per line: lesson, the sentence, the file, what the file says. */
export function formatFailures(failures: readonly ClaimFailure[]): string {
  return failures
    .map((f) => `${f.lesson}: "${normaliseSpace(f.sentence)}" (${f.file}): ${f.reason}`)
    .join('\n');
}

/** Reads `path` (dot-separated keys and indexes) from parsed JSON; throws naming the path. */
export function at(results: unknown, path: string): unknown {
  let value: unknown = results;
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object' || !(key in value)) {
      throw new Error(`no ${path} (missing at "${key}")`);
    }
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** {@link at} for a finite number. */
export function num(results: unknown, path: string): number {
  const value = at(results, path);
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new Error(`${path} is not a finite number: ${JSON.stringify(value)}`);
  }
  return value;
}

/** `null` when `actual` rounds to `stated` at `decimals`, else a message naming both. */
export function rounds(what: string, actual: number, stated: number, decimals = 0): string | null {
  const f = 10 ** decimals;
  return Math.round(actual * f) / f === stated
    ? null
    : `${what}: the sentence says ${String(stated)}, the results give ${actual.toFixed(decimals + 2)}`;
}

/** `null` when every check passed, else their messages joined. */
export function all(...reasons: readonly (string | null)[]): string | null {
  const failed = reasons.filter((r): r is string => r !== null);
  return failed.length === 0 ? null : failed.join('; ');
}

/** Percent with one decimal, as the lessons print accuracies (0.8966 → 89.7). */
export function pct(x: number): number {
  return Math.round(1000 * x) / 10;
}
