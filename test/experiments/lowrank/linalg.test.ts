/**
 * The low-rank lesson's linear algebra against known answers: the SVD of matrices built with a
 * chosen spectrum, energy shares and effective rank of known spectra, Eckart–Young (the rank-r
 * truncation's error is the tail of the singular values), the overlap φ of identical, nested,
 * orthogonal and random subspaces, and the amplification factor of constructed cases.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng.ts';
import {
  amplification,
  effectiveRank,
  energyShare,
  frobenius,
  gaussianLike,
  mat,
  randomOrthonormal,
  singularValues,
  stableRank,
  subspaceOverlap,
  subtract,
  svd,
  times,
  transposeTimes,
  truncate,
  type Mat,
} from '../../../src/experiments/lowrank/linalg.ts';

/** U·diag(s)·Vᵀ with U, V random orthonormal (rows×k, cols×k). */
function withSpectrum(rows: number, cols: number, s: readonly number[], seed: number): Mat {
  const rng = new Rng(seed);
  const U = randomOrthonormal(rows, s.length, rng);
  const V = randomOrthonormal(cols, s.length, rng);
  const US = mat(
    rows,
    s.length,
    Array.from(U.data, (x, i) => x * (s[i % s.length] ?? 0)),
  );
  const Vt = mat(
    s.length,
    cols,
    Array.from(
      { length: s.length * cols },
      (_, i) => V.data[(i % cols) * s.length + Math.floor(i / cols)] ?? 0,
    ),
  );
  return times(US, Vt);
}

const identity = (n: number): Mat =>
  mat(
    n,
    n,
    Array.from({ length: n * n }, (_, i) => (i % (n + 1) === 0 ? 1 : 0)),
  );

describe('svd', () => {
  it('recovers a chosen spectrum, tall and wide, with orthonormal vectors', async () => {
    const s = [5, 3, 2, 0.5, 0.1];
    for (const [rows, cols] of [
      [20, 12],
      [12, 20],
    ] as const) {
      const m = withSpectrum(rows, cols, s, 1);
      const d = await svd(m);
      expect(d.s).toHaveLength(12);
      s.forEach((v, i) => {
        expect(d.s[i]).toBeCloseTo(v, 9);
      });
      for (const v of d.s.slice(5)) expect(v).toBeLessThan(1e-9);
      // UᵀU = I on the leading 5 columns; the product rebuilds M.
      const k = transposeTimes(d.U, d.U);
      for (let i = 0; i < 5; i++) expect(k.data[i * 12 + i]).toBeCloseTo(1, 9);
      expect(frobenius(subtract(truncate(d, 12), m))).toBeLessThan(1e-9);
    }
  });

  it('singularValues (no vectors) gives the same values as the full SVD', async () => {
    for (const [rows, cols] of [
      [20, 12],
      [12, 20],
    ] as const) {
      const m = withSpectrum(rows, cols, [4, 2, 1], 12);
      const full = (await svd(m)).s;
      const values = await singularValues(m);
      expect(values).toHaveLength(12);
      values.forEach((v, i) => {
        expect(v).toBeCloseTo(full[i] ?? Number.NaN, 9);
      });
    }
  });

  it('gives descending values and ‖M‖_F² = Σσ²', async () => {
    const m = gaussianLike(16, 24, 3, new Rng(2));
    const d = await svd(m);
    for (let i = 1; i < d.s.length; i++) expect(d.s[i]).toBeLessThanOrEqual(d.s[i - 1] ?? 0);
    expect(Math.sqrt(d.s.reduce((a, v) => a + v * v, 0))).toBeCloseTo(3, 9);
  });
});

describe('spectrum summaries', () => {
  it('energy share: the top r squared singular values over all', () => {
    expect(energyShare([3, 4], 1)).toBeCloseTo(9 / 25, 12);
    expect(energyShare([3, 4, 0], 2)).toBe(1);
    expect(energyShare([1, 1, 1, 1], 0)).toBe(0);
    expect(energyShare([2, 1], 5)).toBe(1);
  });

  it('effective rank (Roy & Vetterli 2007): 1 for rank one, k for k equal values, in between', () => {
    expect(effectiveRank([7, 0, 0])).toBeCloseTo(1, 12);
    expect(effectiveRank([2, 2, 2, 2])).toBeCloseTo(4, 12);
    const e = effectiveRank([4, 2, 1]);
    expect(e).toBeGreaterThan(1);
    expect(e).toBeLessThan(3);
    // exp(H(p)) with p = (4, 2, 1)/7, by hand.
    const p = [4 / 7, 2 / 7, 1 / 7];
    expect(e).toBeCloseTo(Math.exp(-p.reduce((a, x) => a + x * Math.log(x), 0)), 12);
    expect(effectiveRank([0, 0])).toBe(0);
  });

  it('stable rank Σσ²/σ₁²', () => {
    expect(stableRank([2, 2])).toBeCloseTo(2, 12);
    expect(stableRank([3, 0])).toBe(1);
  });

  it('a Gaussian matrix has a high effective rank; a rank-2 one has at most 2', async () => {
    const g = await svd(gaussianLike(64, 64, 1, new Rng(3)));
    expect(effectiveRank(g.s)).toBeGreaterThan(40);
    const low = await svd(withSpectrum(64, 64, [1, 1], 4));
    expect(effectiveRank(low.s)).toBeLessThan(2.01);
  });
});

describe('truncate (Eckart–Young)', () => {
  it('the rank-r error is the tail √Σ_{i>r} σ_i², and r = 0 is the zero matrix', async () => {
    const s = [6, 4, 3, 1, 0.5];
    const m = withSpectrum(15, 10, s, 5);
    const d = await svd(m);
    for (let r = 0; r <= 5; r++) {
      const err = frobenius(subtract(m, truncate(d, r)));
      const tail = Math.sqrt(s.slice(r).reduce((a, v) => a + v * v, 0));
      expect(err).toBeCloseTo(tail, 9);
    }
    expect(frobenius(truncate(d, 0))).toBe(0);
  });

  it('no other rank-r matrix tried does better', async () => {
    const m = gaussianLike(12, 9, 1, new Rng(6));
    const d = await svd(m);
    const best = frobenius(subtract(m, truncate(d, 2)));
    const rng = new Rng(7);
    for (let t = 0; t < 20; t++) {
      const other = times(gaussianLike(12, 2, 1, rng), gaussianLike(2, 9, 1, rng));
      // The best multiple of a random rank-2 matrix is still no better than the SVD's.
      const c = transposeTimesTrace(other, m) / frobenius(other) ** 2;
      const scaled = mat(
        12,
        9,
        Array.from(other.data, (x) => x * c),
      );
      expect(frobenius(subtract(m, scaled))).toBeGreaterThanOrEqual(best - 1e-12);
    }
  });
});

/** ⟨A, B⟩ = trace(AᵀB). */
function transposeTimesTrace(a: Mat, b: Mat): number {
  let s = 0;
  for (let i = 0; i < a.data.length; i++) s += (a.data[i] ?? 0) * (b.data[i] ?? 0);
  return s;
}

describe('subspace overlap φ (Hu et al. 2021, eq. 4)', () => {
  it('is 1 for identical and nested subspaces, 0 for orthogonal ones', () => {
    const I = identity(10);
    expect(subspaceOverlap(I, I, 3, 3)).toBeCloseTo(1, 12);
    expect(subspaceOverlap(I, I, 2, 7)).toBeCloseTo(1, 12); // span of 2 ⊂ span of 7
    const Q = randomOrthonormal(10, 6, new Rng(8));
    expect(subspaceOverlap(Q, Q, 4, 6)).toBeCloseTo(1, 12);
    // e1..e3 against e4..e6.
    const shifted = mat(
      10,
      3,
      Array.from({ length: 30 }, (_, k) => (Math.floor(k / 3) === (k % 3) + 3 ? 1 : 0)),
    );
    expect(subspaceOverlap(I, shifted, 3, 3)).toBe(0);
  });

  it('averages max(i, j)/d for random subspaces', () => {
    const d = 64;
    const rng = new Rng(9);
    for (const [i, j] of [
      [1, 1],
      [4, 16],
      [8, 8],
    ] as const) {
      let sum = 0;
      const trials = 200;
      for (let t = 0; t < trials; t++)
        sum += subspaceOverlap(randomOrthonormal(d, i, rng), randomOrthonormal(d, j, rng), i, j);
      expect(sum / trials).toBeCloseTo(Math.max(i, j) / d, 2);
    }
  });
});

describe('amplification factor (Hu et al. 2021, §7.3)', () => {
  it("ΔW along W's own top directions: ‖UᵀWV‖ is W's top-r norm", async () => {
    // W = diag(10, 5, 1, 0.1…); ΔW = 0.5·e1e1ᵀ lies on W's strongest direction: factor 0.5/10.
    const n = 8;
    const W = mat(
      n,
      n,
      Array.from({ length: n * n }, (_, k) =>
        k % (n + 1) === 0 ? ([10, 5, 1][k / (n + 1)] ?? 0.1) : 0,
      ),
    );
    const dW = mat(
      n,
      n,
      Array.from({ length: n * n }, (_, k) => (k === 0 ? 0.5 : 0)),
    );
    const a = await amplification(W, dW, 1, new Rng(10));
    expect(a.onDelta).toBeCloseTo(10, 9);
    expect(a.onW).toBeCloseTo(10, 9);
    expect(a.factor).toBeCloseTo(0.05, 9);
    expect(a.deltaNorm).toBeCloseTo(0.5, 12);
  });

  it('ΔW along a direction W barely uses is amplified', async () => {
    const n = 8;
    const W = mat(
      n,
      n,
      Array.from({ length: n * n }, (_, k) =>
        k % (n + 1) === 0 ? ([10, 5, 1][k / (n + 1)] ?? 0.1) : 0,
      ),
    );
    // ΔW = 2·e8e8ᵀ: W's weight there is 0.1, so the factor is 2/0.1 = 20.
    const dW = mat(
      n,
      n,
      Array.from({ length: n * n }, (_, k) => (k === n * n - 1 ? 2 : 0)),
    );
    const a = await amplification(W, dW, 1, new Rng(11));
    expect(a.onDelta).toBeCloseTo(0.1, 9);
    expect(a.factor).toBeCloseTo(20, 6);
    expect(a.onRandom).toBeLessThanOrEqual(a.onW + 1e-12);
  });

  it('refuses mismatched shapes and a rank beyond the matrix', async () => {
    const W = identity(4);
    await expect(amplification(W, identity(3), 1, new Rng(1))).rejects.toThrow(/must match/);
    await expect(amplification(W, W, 5, new Rng(1))).rejects.toThrow(/r = 5/);
  });
});
