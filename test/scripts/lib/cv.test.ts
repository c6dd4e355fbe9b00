import { describe, expect, it } from 'vitest';
import { assignFolds, foldSplit } from '../../../scripts/lib/cv.ts';
import { readUciSplit } from '../../../scripts/lib/uci.ts';

const shipped = readUciSplit();
const all = [...shipped.train, ...shipped.validation, ...shipped.test];

describe('cross-validation folds of the UCI sentences', () => {
  const folds = assignFolds(all, 10);

  it('puts every sentence in one fold, the folds within one sentence per stratum of each other', () => {
    expect(folds.size).toBe(all.length);
    const sizes = Array.from(
      { length: 10 },
      (_, k) => all.filter((e) => folds.get(e) === k).length,
    );
    expect(sizes.reduce((s, x) => s + x, 0)).toBe(all.length);
    // Six strata (3 sites × 2 labels), each dealt round-robin: sizes differ by at most 6.
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(6);
    for (const k of [0, 5, 9]) {
      const f = all.filter((e) => folds.get(e) === k);
      const pos = f.filter((e) => e.label === 1).length;
      expect(Math.abs(pos - f.length / 2)).toBeLessThanOrEqual(3);
    }
  });

  it('tests fold k, validates on fold k+1, trains on the rest; the passes cover every sentence once', () => {
    const tested = new Set<string>();
    for (let k = 0; k < 10; k++) {
      const s = foldSplit(all, folds, 10, k);
      expect(s.train.length + s.validation.length + s.test.length).toBe(all.length);
      const test = new Set(s.test.map((e) => e.text));
      expect(s.train.some((e) => test.has(e.text))).toBe(false);
      expect(s.validation.some((e) => test.has(e.text))).toBe(false);
      expect(s.validation.every((e) => folds.get(e) === (k + 1) % 10)).toBe(true);
      for (const e of s.test) tested.add(e.text);
    }
    expect(tested.size).toBe(all.length);
  });

  it('depends only on the sentences, not their order', () => {
    const again = assignFolds([...all].reverse(), 10);
    expect(all.every((e) => again.get(e) === folds.get(e))).toBe(true);
  });

  it('refuses a bad fold count or index, naming it', () => {
    expect(() => assignFolds(all, 2)).toThrow(/folds: expected a whole number ≥ 3, got 2/);
    expect(() => foldSplit(all, folds, 10, 10)).toThrow(/fold: expected 0…9, got 10/);
  });
});
