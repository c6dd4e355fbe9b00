/**
 * Block-wise quantisation: NF4 levels against the published table, round-trip error bounds,
 * idempotence, exact bytes against QLoRA's closed forms, and clear errors for bad input.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  blockConstants,
  createNormalMap,
  dequantize,
  NF4_LEVELS,
  nf4Code,
  normalCdf,
  normalPpf,
  QuantError,
  quantize,
  quantizedBytes,
  type QuantKind,
} from '../../../src/core/quant/index.ts';
import { Rng } from '../../../src/core/rng.ts';
import { must } from '../helpers.ts';

/**
 * The 16 NF4 values as published: bitsandbytes `csrc/kernels.cu` (`dDequantizeNF4`) and
 * `bitsandbytes/functional.py` (`get_4bit_type('nf4')`), also QLoRA's Appendix E.
 */
const PUBLISHED_NF4 = [
  -1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453, -0.28444138169288635,
  -0.18477343022823334, -0.09105003625154495, 0.0, 0.07958029955625534, 0.16093020141124725,
  0.24611230194568634, 0.33791524171829224, 0.44070982933044434, 0.5626170039176941,
  0.7229568362236023, 1.0,
];

function gaussian(n: number, seed: number, scale = 0.02): Float32Array {
  return new Rng(seed).normalArray(n, scale);
}

describe('normal distribution and NF4 levels', () => {
  it('Φ and Φ⁻¹ hit textbook values', () => {
    expect(normalCdf(0)).toBe(0.5);
    expect(normalCdf(1.959963984540054)).toBeCloseTo(0.975, 14);
    expect(normalPpf(0.975)).toBeCloseTo(1.959963984540054, 12);
    expect(normalPpf(0.5)).toBe(0);
    expect(() => normalPpf(1)).toThrow(/p = 1/);
  });

  it('the derived levels match the published NF4 table to float32 precision', () => {
    const derived = createNormalMap();
    expect(derived.length).toBe(16);
    for (let i = 0; i < 16; i++) {
      // bitsandbytes computes in float32 (torch.linspace), so agreement is to ~1e-7, not 1e-15.
      expect(Math.abs(must(derived[i]) - must(PUBLISHED_NF4[i]))).toBeLessThan(2e-7);
    }
    expect(derived[7]).toBe(0);
    // A different offset gives different levels (the derivation is not a stored table).
    expect(Math.abs(must(createNormalMap(0.99)[14]) - must(PUBLISHED_NF4[14]))).toBeGreaterThan(
      0.01,
    );
  });
});

describe('block-wise quantisation', () => {
  it('int8 absmax: every value within half a step, c / 254, of its block', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 700 }),
        fc.integer({ min: 1, max: 100 }),
        fc.integer({ min: 0, max: 1e6 }),
        fc.boolean(),
        (n, blockSize, seed, dq) => {
          const x = gaussian(n, seed, 1);
          const q = quantize(x, { kind: 'int8', blockSize });
          const xh = dequantize(q);
          const c = must(q.absmax);
          for (let i = 0; i < n; i++) {
            const cb = must(c[Math.floor(i / blockSize)]);
            expect(Math.abs(must(x[i]) - must(xh[i]))).toBeLessThanOrEqual(
              cb / 127 / 2 + 1e-6 * cb,
            );
          }
          // Double quantisation changes the constants, not the codes.
          const q2 = quantize(x, { kind: 'int8', blockSize, doubleQuant: dq });
          expect(q2.codes).toEqual(q.codes);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('nf4: every value maps to the nearest level of x / c', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 500 }), fc.integer({ min: 0, max: 1e6 }), (n, seed) => {
        const x = gaussian(n, seed);
        const q = quantize(x, { kind: 'nf4' });
        const c = must(q.absmax);
        for (let i = 0; i < n; i++) {
          const v = must(x[i]) / must(c[Math.floor(i / 64)]);
          const code = nf4Code(q.codes as Uint8Array, i);
          const best = Math.min(...Array.from(NF4_LEVELS, (l) => Math.abs(v - l)));
          expect(Math.abs(v - must(NF4_LEVELS[code]))).toBeLessThanOrEqual(best + 1e-12);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('a block’s absmax value is reproduced exactly and a zero block stays zero', () => {
    const x = new Float32Array(128);
    x[5] = -3;
    x[6] = 1.5;
    for (const kind of ['int8', 'nf4'] as const) {
      const xh = dequantize(quantize(x, { kind }));
      expect(xh[5]).toBe(-3);
      expect(Array.from(xh.subarray(64))).toEqual(new Array<number>(64).fill(0));
    }
  });

  it('quantise ∘ dequantise is idempotent (same codes, same values)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2000 }),
        fc.constantFrom<QuantKind>('int8', 'nf4'),
        fc.boolean(),
        fc.integer({ min: 0, max: 1e6 }),
        (n, kind, doubleQuant, seed) => {
          const opts = { kind, doubleQuant, doubleQuantBlockSize: 4 };
          const q1 = quantize(gaussian(n, seed), opts);
          const x1 = dequantize(q1);
          const q2 = quantize(x1, opts);
          expect(q2.codes).toEqual(q1.codes);
          const x2 = dequantize(q2);
          // Without double quantisation the values repeat to float32 rounding; with it the
          // constants are re-quantised (a new mean), so a value may move by up to half a
          // second-level step (|NF4 level| and |code / 127| are ≤ 1).
          const step = doubleQuant
            ? Math.max(...must(q1.doubleQuant).scales, ...must(q2.doubleQuant).scales) / 254
            : 0;
          for (let i = 0; i < n; i++) {
            expect(Math.abs(must(x2[i]) - must(x1[i]))).toBeLessThanOrEqual(
              step + 1e-6 * Math.abs(must(x1[i])) + 1e-9,
            );
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('double quantisation: constants within half a second-level step of the true absmax', () => {
    const x = gaussian(64 * 1000, 7);
    const plain = must(quantize(x, { kind: 'nf4' }).absmax);
    const q = quantize(x, { kind: 'nf4', doubleQuant: true });
    const dq = must(q.doubleQuant);
    const rec = blockConstants(q);
    expect(rec.length).toBe(plain.length);
    for (let b = 0; b < plain.length; b++) {
      const s = must(dq.scales[Math.floor(b / 256)]);
      expect(Math.abs(must(rec[b]) - must(plain[b]))).toBeLessThanOrEqual(s / 254 + 1e-7);
    }
    // With double quantisation the NF4 reconstruction error grows only slightly (measured here).
    const err = (y: Float32Array) => {
      let s = 0;
      for (let i = 0; i < x.length; i++) s += (must(x[i]) - must(y[i])) ** 2;
      return Math.sqrt(s / x.length);
    };
    const e1 = err(dequantize(quantize(x, { kind: 'nf4' })));
    const e2 = err(dequantize(q));
    expect(e2).toBeGreaterThanOrEqual(e1 * 0.99);
    expect(e2).toBeLessThan(e1 * 1.05);
    // NF4 on N(0, σ²) data: RMS error a small fraction of σ = 0.02, int8 far smaller still.
    expect(e1 / 0.02).toBeLessThan(0.15);
    expect(err(dequantize(quantize(x, { kind: 'int8' }))) / e1).toBeLessThan(0.2);
  });
});

describe('bytes held', () => {
  // n a multiple of 64 · 256, so the closed forms of QLoRA §3 hold exactly.
  const n = 64 * 256 * 3;
  const x = gaussian(n, 1);

  it('nf4 without double quant: 4 + 32/64 bits per parameter', () => {
    const b = quantizedBytes(quantize(x, { kind: 'nf4' }));
    expect(b).toEqual({
      codes: n / 2,
      constants: (4 * n) / 64,
      secondLevel: 0,
      total: n / 2 + n / 16,
    });
    expect((8 * b.total) / n).toBe(4 + 32 / 64);
  });

  it('nf4 with double quant: 4 + 8/64 + 32/(64·256) bits per parameter, plus the 4-byte mean', () => {
    const b = quantizedBytes(quantize(x, { kind: 'nf4', doubleQuant: true }));
    expect(b.codes).toBe(n / 2);
    expect(b.constants).toBe(n / 64);
    expect(b.secondLevel).toBe((4 * n) / (64 * 256) + 4);
    expect((8 * (b.total - 4)) / n).toBeCloseTo(4 + 8 / 64 + 32 / (64 * 256), 12);
  });

  it('int8: 8 + 32/64 bits; odd lengths round the packed codes up', () => {
    expect((8 * quantizedBytes(quantize(x, { kind: 'int8' })).total) / n).toBe(8.5);
    const odd = quantizedBytes(quantize(gaussian(65, 2), { kind: 'nf4' }));
    expect(odd).toEqual({ codes: 33, constants: 8, secondLevel: 0, total: 41 });
  });
});

describe('errors name the field and value', () => {
  const x = new Float32Array(8);
  it.each([
    [{ kind: 'nf4' as const, blockSize: 0 }, /blockSize = 0/],
    [{ kind: 'nf4' as const, blockSize: 2.5 }, /blockSize = 2.5/],
    [
      { kind: 'int8' as const, doubleQuant: true, doubleQuantBlockSize: -1 },
      /doubleQuantBlockSize = -1/,
    ],
    [{ kind: 'fp4' as unknown as QuantKind }, /kind = "fp4"/],
  ])('%o', (opts, re) => {
    expect(() => quantize(x, opts)).toThrow(QuantError);
    expect(() => quantize(x, opts)).toThrow(re);
  });

  it('non-finite values and wrong shapes', () => {
    const bad = new Float32Array([0, 1, Number.NaN]);
    expect(() => quantize(bad, { kind: 'nf4' })).toThrow(/x\[2\] = NaN: must be finite/);
    bad[2] = Infinity;
    expect(() => quantize(bad, { kind: 'int8' })).toThrow(/x\[2\] = Infinity/);
    expect(() => quantize(x, { kind: 'nf4' }, [3, 3])).toThrow(
      /shape = \[3, 3\]: holds 9 values, the data 8/,
    );
  });
});
