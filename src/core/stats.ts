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

/** Student's t 0.975 quantiles for 1 to 30 degrees of freedom (standard tables). */
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145,
  2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048,
  2.045, 2.042,
];

/**
 * The 0.975 quantile of Student's t with `df` degrees of freedom: the multiplier of a two-sided
 * 95% interval. From the table up to 30, beyond it the Cornish–Fisher expansion around the normal
 * quantile (within 0.001 of the exact value there). Throws a RangeError naming `df` unless it is a
 * whole number ≥ 1.
 */
export function tQuantile975(df: number): number {
  if (!Number.isInteger(df) || df < 1)
    throw new RangeError(`tQuantile975: df must be a whole number ≥ 1, got ${String(df)}`);
  const fromTable = T975[df - 1];
  if (fromTable !== undefined) return fromTable;
  const z = 1.959964;
  return z + (z ** 3 + z) / (4 * df) + (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * df ** 2);
}

/**
 * Paired comparison of two methods run on the same seeds: the mean and sample standard deviation
 * of the differences `a[i] − b[i]` and the half-width of their 95% interval (t with n − 1 degrees
 * of freedom; NaN for fewer than two pairs). Pairing removes what the two runs of a seed share
 * (initialisation, batch order), so it resolves smaller differences than comparing the two means.
 * Throws a RangeError when the lengths differ.
 */
export function pairedDifference(
  a: readonly number[],
  b: readonly number[],
): { mean: number; sd: number; n: number; halfWidth: number } {
  if (a.length !== b.length)
    throw new RangeError(
      `pairedDifference: ${String(a.length)} values against ${String(b.length)}; pair them by seed`,
    );
  const d = meanSd(a.map((x, i) => x - (b[i] ?? Number.NaN)));
  const halfWidth = d.n > 1 ? (tQuantile975(d.n - 1) * d.sd) / Math.sqrt(d.n) : Number.NaN;
  return { ...d, halfWidth };
}
