/** Small statistics: t quantiles against tables and paired differences against hand computations. */
import { describe, expect, it } from 'vitest';
import { meanSd, pairedDifference, tQuantile975 } from '../../src/core/stats.ts';

describe('tQuantile975', () => {
  it('gives the tabulated values and continues smoothly past the table', () => {
    expect(tQuantile975(1)).toBe(12.706);
    expect(tQuantile975(4)).toBe(2.776);
    expect(tQuantile975(30)).toBe(2.042);
    // Exact values: t(0.975; 40) = 2.0211, t(0.975; 120) = 1.9799, and 1.96 in the limit.
    expect(tQuantile975(40)).toBeCloseTo(2.0211, 3);
    expect(tQuantile975(120)).toBeCloseTo(1.9799, 3);
    expect(tQuantile975(1e6)).toBeCloseTo(1.96, 3);
    for (let df = 31; df < 200; df++) expect(tQuantile975(df)).toBeLessThan(tQuantile975(df - 1));
  });

  it('refuses a df that is not a whole number ≥ 1, naming it', () => {
    expect(() => tQuantile975(0)).toThrow(/got 0/);
    expect(() => tQuantile975(2.5)).toThrow(/got 2.5/);
  });
});

describe('pairedDifference', () => {
  it('is the mean, sd and t interval of the per-pair differences', () => {
    const a = [0.8, 0.85, 0.83, 0.9, 0.82];
    const b = [0.78, 0.86, 0.8, 0.86, 0.8];
    const d = pairedDifference(a, b);
    const diffs = [0.02, -0.01, 0.03, 0.04, 0.02];
    const m = meanSd(diffs);
    expect(d.n).toBe(5);
    expect(d.mean).toBeCloseTo(0.02, 12);
    expect(d.sd).toBeCloseTo(m.sd, 12);
    expect(d.halfWidth).toBeCloseTo((2.776 * m.sd) / Math.sqrt(5), 12);
  });

  it('sees through a shift that the seeds share: identical differences give a zero-width interval', () => {
    const b = [0.7, 0.9, 0.75, 0.95];
    const d = pairedDifference(
      b.map((x) => x + 0.01),
      b,
    );
    expect(d.mean).toBeCloseTo(0.01, 12);
    expect(d.halfWidth).toBeCloseTo(0, 12);
  });

  it('has no interval for one pair and refuses unpaired lengths', () => {
    expect(pairedDifference([1], [0]).halfWidth).toBeNaN();
    expect(() => pairedDifference([1, 2], [1])).toThrow(/2 values against 1/);
  });
});
