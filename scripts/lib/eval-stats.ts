/**
 * Confidence intervals for fine-tuning evaluations (scripts/pretrain-eval.ts).
 *
 * Two sources of noise make an accuracy uncertain: the seed (initialisation, batch order, dropout)
 * and the finite test set (another 300 sentences would score differently). A bootstrap that
 * resamples both, seeds and test sentences, covers both (Efron & Tibshirani 1993, ch. 13; the
 * two-level resampling of Bouthillier et al. 2021, "Accounting for variance in machine learning
 * benchmarks"). A gap between two arms evaluated on the same sentences is resampled *paired*: the
 * same sentences for both, which removes the sentences both get right or both get wrong from the
 * noise — the interval of a difference is much narrower than the two intervals side by side.
 */
import { Rng } from '../../src/core/rng.ts';

/** Per-seed correctness on the test set: `runs[s][i]` is 1 when seed s got sentence i right. */
export type Correctness = readonly (readonly number[])[];

/** A 95% interval with its point estimate. */
export interface Interval {
  readonly estimate: number;
  readonly low: number;
  readonly high: number;
}

/** Parses the '0'/'1' string stored per run (`testCorrect`) into numbers. */
export function parseCorrect(s: string): number[] {
  if (!/^[01]*$/.test(s))
    throw new Error(`correctness string: expected only 0 and 1, got ${s.slice(0, 20)}…`);
  return Array.from(s, (c) => (c === '1' ? 1 : 0));
}

/** Writes per-sentence correctness as a compact '0'/'1' string. */
export function formatCorrect(xs: readonly boolean[]): string {
  return xs.map((x) => (x ? '1' : '0')).join('');
}

function checkShape(runs: Correctness, what: string): number {
  const n = runs[0]?.length ?? 0;
  if (runs.length === 0 || n === 0) throw new Error(`${what}: no runs or no sentences`);
  for (const r of runs)
    if (r.length !== n) throw new Error(`${what}: runs score ${r.length} and ${n} sentences`);
  return n;
}

const meanAcc = (runs: Correctness, seeds: readonly number[], items: readonly number[]): number => {
  let s = 0;
  for (const k of seeds) {
    const r = runs[k] ?? [];
    for (const i of items) s += r[i] ?? 0;
  }
  return s / (seeds.length * items.length);
};

function percentile(sorted: readonly number[], q: number): number {
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return (sorted[lo] ?? NaN) + ((sorted[hi] ?? NaN) - (sorted[lo] ?? NaN)) * (pos - lo);
}

/**
 * 95% percentile-bootstrap interval around `estimate`: `reps` replicates of `draw` (each draws its
 * resample from the seeded stream it closes over, so the same inputs give the same interval).
 */
function percentileInterval(estimate: number, reps: number, draw: () => number): Interval {
  const draws: number[] = [];
  for (let b = 0; b < reps; b++) draws.push(draw());
  draws.sort((x, y) => x - y);
  return { estimate, low: percentile(draws, 0.025), high: percentile(draws, 0.975) };
}

const indices = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/** `n` indices drawn with replacement from `0…n−1`. */
const resample = (rng: Rng, n: number): number[] => Array.from({ length: n }, () => rng.int(n));

/** Mean test accuracy over seeds with its 95% interval (seeds and sentences resampled). */
export function accuracyInterval(runs: Correctness, reps = 4000, seed = 0): Interval {
  const n = checkShape(runs, 'accuracyInterval');
  const rng = new Rng(seed).fork('bootstrap');
  return percentileInterval(meanAcc(runs, indices(runs.length), indices(n)), reps, () => {
    const seeds = resample(rng, runs.length);
    return meanAcc(runs, seeds, resample(rng, n));
  });
}

/**
 * Gap `mean accuracy of a − mean accuracy of b` with its paired 95% interval: both arms are
 * scored on the same resampled sentences; each arm's seeds are resampled on their own (the arms'
 * seeds are independent runs, not pairs).
 */
export function gapInterval(a: Correctness, b: Correctness, reps = 4000, seed = 0): Interval {
  const n = checkShape(a, 'gapInterval (a)');
  if (checkShape(b, 'gapInterval (b)') !== n)
    throw new Error(`gapInterval: the arms were scored on ${n} and ${b[0]?.length ?? 0} sentences`);
  const estimate =
    meanAcc(a, indices(a.length), indices(n)) - meanAcc(b, indices(b.length), indices(n));
  const rng = new Rng(seed).fork('paired-bootstrap');
  return percentileInterval(estimate, reps, () => {
    const items = resample(rng, n);
    const sa = resample(rng, a.length);
    const sb = resample(rng, b.length);
    return meanAcc(a, sa, items) - meanAcc(b, sb, items);
  });
}
