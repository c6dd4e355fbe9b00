import { describe, expect, it } from 'vitest';
import { lengthGroupedBatches } from '../../../src/core/train/batches.ts';
import { Rng } from '../../../src/core/rng.ts';

describe('lengthGroupedBatches', () => {
  const lengths = Array.from({ length: 103 }, (_, i) => (i * 37) % 29);

  it('covers every row once, in batches no larger than batchSize', () => {
    const batches = lengthGroupedBatches(lengths, 8, new Rng(1));
    const seen = batches.flat().sort((a, b) => a - b);
    expect(seen).toEqual(Array.from({ length: 103 }, (_, i) => i));
    expect(batches.every((b) => b.length >= 1 && b.length <= 8)).toBe(true);
  });

  it('groups similar lengths: each batch spans less than random batches do', () => {
    const spread = (bs: number[][]): number =>
      bs.reduce((s, b) => {
        const ls = b.map((r) => lengths[r] ?? 0);
        return s + Math.max(...ls) - Math.min(...ls);
      }, 0) / bs.length;
    const grouped = lengthGroupedBatches(lengths, 8, new Rng(2));
    const shuffled = new Rng(2).shuffle(Array.from({ length: 103 }, (_, i) => i));
    const random = Array.from({ length: 13 }, (_, k) => shuffled.slice(8 * k, 8 * k + 8));
    expect(spread(grouped)).toBeLessThan(spread(random) / 2);
    // Within a chunk the rows are sorted, so every batch is sorted by length.
    for (const b of grouped) {
      const ls = b.map((r) => lengths[r] ?? 0);
      expect(ls).toEqual([...ls].sort((x, y) => x - y));
    }
  });

  it('is a function of the rng state: same seed, same batches; another seed, others', () => {
    expect(lengthGroupedBatches(lengths, 8, new Rng(3))).toEqual(
      lengthGroupedBatches(lengths, 8, new Rng(3)),
    );
    expect(lengthGroupedBatches(lengths, 8, new Rng(3))).not.toEqual(
      lengthGroupedBatches(lengths, 8, new Rng(4)),
    );
  });

  it('refuses a batch size that is not a positive integer, naming it', () => {
    expect(() => lengthGroupedBatches(lengths, 0, new Rng(0))).toThrow(/batchSize = 0/);
  });
});
