/**
 * d90: the smallest subspace dimension whose accuracy reaches a threshold (Li et al. 2018 call it
 * d_int90; Aghajanyan et al. 2020 use 90% of full fine-tuning's score as the threshold). Given a
 * sweep over a grid of d and several seeds, this reports the grid answer on the seed-mean curve, a
 * linear interpolation between the two grid points that straddle the threshold, and each seed's
 * own answer with their spread.
 */
import { SubspaceError } from '../../core/subspace/errors.ts';

/** One trained point of a sweep. */
export interface SweepPoint {
  /** Subspace dimension. */
  readonly d: number;
  /** Seed of the run (init, projection and batch order). */
  readonly seed: number;
  /** Test accuracy (or any score where higher is better). */
  readonly accuracy: number;
}

/** The answer of {@link findD90}. */
export interface D90Result {
  /** The threshold used. */
  readonly threshold: number;
  /** Grid of d, ascending. */
  readonly grid: number[];
  /** Mean accuracy over seeds at each grid point. */
  readonly mean: number[];
  /** Standard deviation over seeds at each grid point (0 with one seed). */
  readonly std: number[];
  /** Smallest grid d whose mean reaches the threshold (null: none does). */
  readonly d90: number | null;
  /** d where the mean curve crosses the threshold, linearly interpolated between grid points. */
  readonly interpolated: number | null;
  /** Each seed's smallest grid d reaching the threshold and its interpolated crossing (null: none). */
  readonly perSeed: { seed: number; d90: number | null; interpolated: number | null }[];
  /** Mean, sample standard deviation, min and max of the per-seed grid answers (null: none). */
  readonly spread: Spread | null;
  /** The same over the per-seed interpolated crossings: the finer measure of seed-to-seed spread. */
  readonly interpolatedSpread: Spread | null;
}

/** Summary of a few numbers. */
export interface Spread {
  readonly mean: number;
  readonly std: number;
  readonly min: number;
  readonly max: number;
  readonly n: number;
}

function meanStd(xs: readonly number[]): { mean: number; std: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const v = xs.length > 1 ? xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1) : 0;
  return { mean, std: Math.sqrt(v) };
}

/** Smallest grid d with `acc ≥ threshold`, and the linear crossing from the point before it. */
function crossing(
  grid: readonly number[],
  acc: readonly (number | null)[],
  threshold: number,
): { d90: number | null; interpolated: number | null } {
  const idx = acc.findIndex((a) => a !== null && a >= threshold);
  if (idx < 0) return { d90: null, interpolated: null };
  const d1 = grid[idx] ?? 0;
  const a1 = acc[idx] ?? 0;
  const a0 = idx > 0 ? acc[idx - 1] : null;
  if (a0 === null || a0 === undefined || !(a1 > a0)) return { d90: d1, interpolated: d1 };
  const d0 = grid[idx - 1] ?? 0;
  return { d90: d1, interpolated: d0 + ((threshold - a0) / (a1 - a0)) * (d1 - d0) };
}

function spreadOf(xs: readonly number[]): Spread | null {
  return xs.length > 0
    ? { ...meanStd(xs), min: Math.min(...xs), max: Math.max(...xs), n: xs.length }
    : null;
}

/** Finds d90 in a sweep (see the module comment). */
export function findD90(points: readonly SweepPoint[], threshold: number): D90Result {
  if (points.length === 0) throw new SubspaceError('points.length', 0, 'needs at least one point');
  if (!Number.isFinite(threshold))
    throw new SubspaceError('threshold', threshold, 'must be finite');
  points.forEach((p, i) => {
    if (!(Number.isInteger(p.d) && p.d > 0))
      throw new SubspaceError(`points[${i}].d`, p.d, 'must be a positive integer');
    if (!Number.isFinite(p.accuracy))
      throw new SubspaceError(`points[${i}].accuracy`, p.accuracy, 'must be finite');
  });
  const grid = [...new Set(points.map((p) => p.d))].sort((a, b) => a - b);
  const stats = grid.map((d) => meanStd(points.filter((p) => p.d === d).map((p) => p.accuracy)));
  const mean = stats.map((s) => s.mean);
  const std = stats.map((s) => s.std);
  const { d90, interpolated } = crossing(grid, mean, threshold);
  const seeds = [...new Set(points.map((p) => p.seed))].sort((a, b) => a - b);
  const perSeed = seeds.map((seed) => {
    const acc = grid.map((d) => {
      const mine = points.filter((p) => p.seed === seed && p.d === d).map((p) => p.accuracy);
      return mine.length > 0 ? meanStd(mine).mean : null;
    });
    return { seed, ...crossing(grid, acc, threshold) };
  });
  const spread = spreadOf(perSeed.flatMap((s) => (s.d90 === null ? [] : [s.d90])));
  const interpolatedSpread = spreadOf(
    perSeed.flatMap((s) => (s.interpolated === null ? [] : [s.interpolated])),
  );
  return { threshold, grid, mean, std, d90, interpolated, perSeed, spread, interpolatedSpread };
}
