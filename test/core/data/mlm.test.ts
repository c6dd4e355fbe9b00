import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng.ts';
import { SPECIAL_IDS, makeMlmBatch } from '../../../src/core/data/index.ts';

const V = 1000;
const seg = (n: number, start: number) =>
  Int32Array.from({ length: n }, (_, i) => 5 + ((start + i) % (V - 5)));

describe('makeMlmBatch', () => {
  it('lays out <s> words </s> <pad> with the mask, and labels hold the original ids', () => {
    const rng = new Rng(1);
    const segs = [seg(10, 0), seg(3, 100)];
    const b = makeMlmBatch(segs, { maxLen: 16, vocabSize: V, rand: () => rng.next() });
    expect(b.inputIds[0]).toBe(SPECIAL_IDS.bos);
    expect(b.inputIds[11]).toBe(SPECIAL_IDS.eos);
    expect(b.inputIds[16 + 4]).toBe(SPECIAL_IDS.eos);
    expect(Array.from(b.attentionMask.subarray(16, 32))).toEqual([
      1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    ]);
    b.maskedPositions.forEach((p, i) => {
      const row = Math.floor(p / 16);
      const t = p % 16;
      expect(t).toBeGreaterThanOrEqual(1); // never <s>, </s> or padding
      expect(t).toBeLessThanOrEqual(segs[row]?.length ?? 0);
      expect(b.maskedLabels[i]).toBe(segs[row]?.[t - 1]);
    });
    // every row has at least one prediction target
    expect(new Set(Array.from(b.maskedPositions, (p) => Math.floor(p / 16))).size).toBe(2);
  });

  it('chooses ~15% of positions and corrupts them 80/10/10', () => {
    const rng = new Rng(2);
    const segs = Array.from({ length: 400 }, (_, i) => seg(46, i * 7));
    const b = makeMlmBatch(segs, { maxLen: 48, vocabSize: V, rand: () => rng.next() });
    const n = b.maskedPositions.length;
    const words = 400 * 46;
    expect(Math.abs(n / words - 0.15)).toBeLessThan(4 * Math.sqrt((0.15 * 0.85) / words)); // 4 sd
    let mask = 0;
    let same = 0;
    b.maskedPositions.forEach((p, i) => {
      if (b.inputIds[p] === SPECIAL_IDS.mask) mask++;
      else if (b.inputIds[p] === b.maskedLabels[i]) same++;
    });
    const sd = (q: number) => 4 * Math.sqrt((q * (1 - q)) / n);
    expect(Math.abs(mask / n - 0.8)).toBeLessThan(sd(0.8));
    // unchanged: 10% kept + 10%·(1/995) random draws of the same id
    expect(Math.abs(same / n - 0.1)).toBeLessThan(sd(0.1));
  });

  it('is reproducible from the seed and rejects bad options', () => {
    const make = () => {
      const rng = new Rng(3);
      return makeMlmBatch([seg(20, 1)], { maxLen: 24, vocabSize: V, rand: () => rng.next() });
    };
    expect(make()).toEqual(make());
    const rand = () => 0.5;
    expect(() => makeMlmBatch([seg(2, 0)], { maxLen: 2, vocabSize: V, rand })).toThrow(/maxLen/);
    expect(() => makeMlmBatch([seg(2, 0)], { maxLen: 8, vocabSize: V, maskProb: 1, rand })).toThrow(
      /maskProb/,
    );
    expect(() => makeMlmBatch([new Int32Array(0)], { maxLen: 8, vocabSize: V, rand })).toThrow(
      /segments\[0\]/,
    );
  });
});
