import { describe, expect, it } from 'vitest';
import { intParam } from '../../src/bench/params.ts';

describe('bench URL parameters', () => {
  const read = (query: string, key = 'n') => intParam(new URLSearchParams(query), key, 8, 1, 100);

  it('takes an integer within bounds', () => {
    expect(read('n=12')).toBe(12);
  });

  it('clamps any number outside the bounds (a huge one cannot allocate gigabytes)', () => {
    expect(read('n=1e9')).toBe(100);
    expect(read('n=-5')).toBe(1);
    expect(read('n=0')).toBe(1);
  });

  it('falls back on anything that is not an integer', () => {
    for (const q of ['', 'n=', 'n=%20', 'n=abc', 'n=2.5', 'n=NaN', 'n=Infinity', 'm=3']) {
      expect(read(q), q).toBe(8);
    }
  });
});
