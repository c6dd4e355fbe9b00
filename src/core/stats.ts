/** Small statistics for reporting runs over seeds. */

/** Mean and sample standard deviation (n − 1; 0 for a single value; NaN for none). */
export function meanSd(values: readonly number[]): { mean: number; sd: number; n: number } {
  const n = values.length;
  if (n === 0) return { mean: Number.NaN, sd: Number.NaN, n };
  const mean = values.reduce((s, v) => s + v, 0) / n;
  const ss = values.reduce((s, v) => s + (v - mean) ** 2, 0);
  return { mean, sd: n > 1 ? Math.sqrt(ss / (n - 1)) : 0, n };
}

/** The median (NaN for none). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? (s[m] ?? Number.NaN) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
}

/**
 * The mean of the last `fraction` of `values` (default 10%; NaN when that is none): a run's final
 * loss, steadier than its last step's.
 */
export function tailMean(values: readonly number[], fraction = 0.1): number {
  const tail = values.slice(Math.floor(values.length * (1 - fraction)));
  return tail.length > 0 ? tail.reduce((a, b) => a + b, 0) / tail.length : Number.NaN;
}
