import { describe, expect, it } from 'vitest';
import {
  accuracyInterval,
  formatCorrect,
  gapInterval,
  parseCorrect,
} from '../../../scripts/lib/eval-stats.ts';
import { Rng } from '../../../src/core/rng.ts';

/** `seeds` runs over `n` sentences, each right with probability `p` (seeded). */
function simulate(seeds: number, n: number, p: number, seed: number): number[][] {
  const r = new Rng(seed);
  return Array.from({ length: seeds }, () =>
    Array.from({ length: n }, () => (r.next() < p ? 1 : 0)),
  );
}

describe('evaluation intervals', () => {
  it('round-trips correctness strings and refuses anything but 0/1', () => {
    const xs = [true, false, false, true];
    expect(parseCorrect(formatCorrect(xs))).toEqual([1, 0, 0, 1]);
    expect(() => parseCorrect('01x1')).toThrow(/only 0 and 1/);
  });

  it('gives the plain mean as the estimate and an interval around it', () => {
    const runs = [
      [1, 1, 0, 1],
      [1, 0, 0, 1],
    ];
    const ci = accuracyInterval(runs, 2000, 1);
    expect(ci.estimate).toBeCloseTo(5 / 8, 12);
    expect(ci.low).toBeLessThan(ci.estimate);
    expect(ci.high).toBeGreaterThan(ci.estimate);
  });

  it('has the binomial width for one seed on many sentences (±1.96·√(p(1−p)/n))', () => {
    const n = 2000;
    const runs = simulate(1, n, 0.85, 3);
    const ci = accuracyInterval(runs, 3000, 2);
    const p = ci.estimate;
    const half = 1.96 * Math.sqrt((p * (1 - p)) / n);
    expect((ci.high - ci.low) / 2).toBeGreaterThan(0.85 * half);
    expect((ci.high - ci.low) / 2).toBeLessThan(1.15 * half);
  });

  it('is exactly zero for two identical arms, and exact for a constant shift', () => {
    const a = simulate(3, 300, 0.8, 5);
    const gap0 = gapInterval(
      a,
      a.map((r) => [...r]),
      1000,
      4,
    );
    // Seeds are resampled separately, so identical arms still vary by seed; with identical seeds
    // (one run each) the paired gap is exactly zero.
    const one = [a[0] ?? []];
    const g1 = gapInterval(one, [[...(a[0] ?? [])]], 500, 4);
    expect([g1.low, g1.estimate, g1.high]).toEqual([0, 0, 0]);
    expect(gap0.estimate).toBe(0);
    // b is a with the first 30 right answers of every run turned wrong: a − b ≥ 0 in every replicate.
    const b = a.map((r) => {
      let left = 30;
      return r.map((x) => (x === 1 && left-- > 0 ? 0 : x));
    });
    const g = gapInterval(a, b, 1000, 4);
    expect(g.estimate).toBeCloseTo(30 / 300, 12);
    expect(g.low).toBeGreaterThan(0);
  });

  it('pairs the sentences: a gap interval is narrower than an unpaired one', () => {
    // As in real runs, sentences are easy or hard for every seed: one shared pattern of right and
    // wrong, each seed differing from it on 3% of sentences; arm b gets a fixed 5% of the
    // sentences the other way round (a systematic difference between the methods).
    const base = simulate(1, 300, 0.88, 7)[0] ?? [];
    const flip = new Rng(9);
    const jitter = (r: readonly number[], p: number): number[] =>
      r.map((x) => (flip.next() < p ? 1 - x : x));
    const a = Array.from({ length: 5 }, () => jitter(base, 0.03));
    const swapped = new Set(Array.from({ length: 15 }, (_, k) => 20 * k));
    const b = a.map((r) => r.map((x, i) => (swapped.has(i) ? 1 - x : x)));
    const wa = ((i) => i.high - i.low)(accuracyInterval(a, 2000, 1));
    const wb = ((i) => i.high - i.low)(accuracyInterval(b, 2000, 2));
    const g = gapInterval(a, b, 2000, 1);
    // Unpaired, the gap's interval would be about √(wa² + wb²) wide.
    expect(g.high - g.low).toBeLessThan(0.75 * Math.hypot(wa, wb));
    expect(g.estimate).toBeCloseTo(
      a.flat().reduce((s, x) => s + x, 0) / 1500 - b.flat().reduce((s, x) => s + x, 0) / 1500,
      12,
    );
  });

  it('refuses runs of different lengths', () => {
    expect(() => gapInterval([[1, 0]], [[1, 0, 1]])).toThrow(/2 and 3 sentences/);
    expect(() => accuracyInterval([])).toThrow(/no runs/);
  });
});
