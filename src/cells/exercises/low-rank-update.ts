/**
 * Exercises of the low-rank-update lesson: the energy share of a small spectrum by hand, the
 * effective rank as a function, and the best rank-r cut of a matrix given its SVD with its error
 * (Eckart–Young). The energy share and the effective rank are the lesson's own functions
 * (experiments/lowrank/linalg.ts, pure: ml-matrix is not loaded for them); the cut's reference is
 * checked against that module's SVD and truncation in test/cells/exercises/checks.test.ts.
 */
import { effectiveRank, energyShare } from '../../experiments/lowrank/linalg.ts';
import { add, copy, matmul, scale, transpose, type Matrix } from './matrix.ts';
import { judgeMatrix } from './matrix-check.ts';
import type { Exercise } from './types.ts';
import { callReader, notYet, right, shown } from './verdict.ts';

/** The spectrum of the first exercise: ΔW's singular values, largest first. */
export const SHARE_SPECTRUM = [4, 2, 1, 1] as const;
/** How many top directions the first exercise asks about. */
export const SHARE_TOP = 2;

/** The squared singular values of the first exercise, as a reader writes them ("16 + 4"). */
const SQUARES = SHARE_SPECTRUM.map((v) => String(v * v));
const TOP_SQUARES = SQUARES.slice(0, SHARE_TOP).join(' + ');
const ALL_SQUARES = SQUARES.join(' + ');

/** A typed-in answer worked out by hand counts as right within this gap (three decimals). */
const BY_HAND = 5e-4;

const topTwoShare: Exercise = {
  name: 'topTwoShare',
  title: 'The energy in the top two directions, by hand',
  task: 'A weight update has singular values 4, 2, 1 and 1. Return the share of its squared Frobenius norm that its top two singular directions hold, as a fraction.',
  check(value) {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      return notYet(`The cell should return a number; it returned ${shown(value)}.`);
    }
    const s = SHARE_SPECTRUM;
    const want = energyShare(s, SHARE_TOP);
    const near = (x: number) => Math.abs(value - x) < BY_HAND;
    if (near(want)) {
      return right(
        `Right: (${TOP_SQUARES}) / (${ALL_SQUARES}) = ${want.toFixed(3)}. ${String(SHARE_TOP)} of ${String(s.length)} directions hold ${(100 * want).toFixed(1)}% of the update’s energy.`,
      );
    }
    const sum = s.reduce((a, v) => a + v, 0);
    if (value === 0) return notYet('The cell still returns 0: compute the share from s.');
    if (near((s[0] + s[1]) / sum))
      return notYet(
        'That is the share of the singular values themselves. The energy is ‖ΔW‖²_F = Σσ²: square each value first.',
      );
    if (near(SHARE_TOP / s.length))
      return notYet(
        'That is the share of the directions (2 of 4), not of the energy: weigh each direction by σ².',
      );
    if (Math.abs(value / 100 - want) < BY_HAND)
      return notYet('That is a percentage; return the share as a fraction between 0 and 1.');
    if (near(1 - want))
      return notYet(
        'That is the share the other directions hold (the tail); the question asks for the top two.',
      );
    if (near(energyShare(s, 1)))
      return notYet('That is the top direction alone; add the second one.');
    if (near(Math.sqrt(want)))
      return notYet(
        'That is a ratio of norms, ‖ΔW₂‖ / ‖ΔW‖. The energy share is a ratio of squared norms: drop the square root.',
      );
    return notYet(
      `${shown(value)} is not the share. Add σ² over the top two values and divide by Σσ² over all four.`,
    );
  },
  hints: [
    'The energy of ΔW is ‖ΔW‖²_F, which is the sum of its squared singular values.',
    `Square the four values: ${SQUARES.join(', ')}.`,
    `The top two hold ${TOP_SQUARES} of the total ${ALL_SQUARES}.`,
  ],
  solution: `topTwoShare = {
  const s = [4, 2, 1, 1]; // the singular values of ΔW, largest first
  const energy = s.map((v) => v * v);
  const total = energy.reduce((a, e) => a + e, 0);
  return (energy[0] + energy[1]) / total;
}`,
};

/** The spectra the effective-rank exercise is tried on (a zero value among them). */
export const RANK_SPECTRA: readonly (readonly number[])[] = [
  [2, 2, 2, 2],
  [5, 0, 0],
  [5, 3, 2, 0.5],
  [3, 1, 1, 0],
];

/** exp of the entropy of `weights` normalised to sum to 1, with `log` for the entropy's log. */
function entropyRank(weights: readonly number[], log: (x: number) => number): number {
  const total = weights.reduce((a, v) => a + v, 0);
  let h = 0;
  for (const w of weights) if (w > 0) h -= (w / total) * log(w / total);
  return Math.exp(h);
}

const effectiveRankOf: Exercise = {
  name: 'effectiveRankOf',
  title: 'Write the effective rank',
  task: 'Write a function that takes a list of singular values and returns their effective rank as the lesson defines it (Roy & Vetterli): exp of the entropy of the values normalised to sum to one.',
  check(value) {
    if (typeof value !== 'function') {
      return notYet(
        `The cell should return a function (s) => number; it returned ${shown(value)}.`,
      );
    }
    for (const s of RANK_SPECTRA) {
      const got = callReader('Your function', () => (value as (s: number[]) => unknown)([...s]));
      if (!got.ok) return got.verdict;
      const v = got.value;
      const want = effectiveRank(s);
      if (typeof v === 'number' && Math.abs(v - want) < 1e-9) continue;
      const where = `For s = ${shown(s)} you return ${shown(v)}; the effective rank is ${want.toFixed(4)}.`;
      const near = (x: number) => typeof v === 'number' && Math.abs(v - x) < 1e-9;
      if (typeof v === 'number' && Number.isNaN(v) && s.includes(0))
        return notYet(
          `${where} A zero singular value gives 0·log 0, which is NaN in JavaScript; its term is 0 (leave it out of the sum).`,
        );
      if (near(-Math.log(want)) || near(Math.log(want)))
        return notYet(`${where} That is the entropy itself; the effective rank is exp of it.`);
      if (
        near(
          entropyRank(
            s.map((x) => x * x),
            Math.log,
          ),
        )
      )
        return notYet(
          `${where} You normalised the squares σ²; this effective rank normalises the values σ themselves: p_i = σ_i / Σσ.`,
        );
      if (near(entropyRank(s, Math.log2)))
        return notYet(
          `${where} With log₂ in the entropy, undo it with 2^H, not exp(H): or use the natural log throughout.`,
        );
      if (near(s.filter((x) => x > 0).length))
        return notYet(
          `${where} That is the rank (how many values are above 0). The effective rank weighs each direction by its size.`,
        );
      return notYet(
        `${where} Normalise p_i = σ_i / Σσ, take H = −Σ p_i·ln p_i over the non-zero p_i, return exp(H).`,
      );
    }
    return right(
      'Right: four equal values give 4, a single non-zero value gives 1, and a spread-out spectrum lands in between.',
    );
  },
  hints: [
    'First make the values a probability distribution: p_i = σ_i / (σ_1 + … + σ_k).',
    'The entropy is H = −Σ p_i·ln p_i (Math.log is the natural log). A p_i of 0 adds nothing.',
    'Return Math.exp(H).',
  ],
  solution: `effectiveRankOf = (s) => {
  const total = s.reduce((a, v) => a + v, 0);
  let h = 0;
  for (const v of s) {
    const p = v / total;
    if (p > 0) h -= p * Math.log(p); // a zero value adds nothing (0·log 0 = 0)
  }
  return Math.exp(h);
}`,
};

/** The SVD the third exercise cuts: M = U·diag(s)·Vᵀ, U 4 × 3 and V 3 × 3 with orthonormal columns. */
export const CUT_CASE = {
  U: [
    [0.5, 0.5, 0.5],
    [0.5, -0.5, 0.5],
    [0.5, 0.5, -0.5],
    [0.5, -0.5, -0.5],
  ],
  s: [3, 1, 0.5],
  V: [
    [2 / 3, -2 / 3, 1 / 3],
    [2 / 3, 1 / 3, -2 / 3],
    [1 / 3, 2 / 3, 2 / 3],
  ],
} as const;

/** The ranks the third exercise asks for. */
export const CUT_RANKS = [1, 2] as const;

/** Σ_{t < r} w_t·u_t·v_tᵀ, with u_t and v_t the columns t of U and V. */
function weightedSum(U: Matrix, w: readonly number[], V: Matrix, r: number): number[][] {
  const k = Math.min(r, w.length);
  const Ur = U.map((row) => row.slice(0, k).map((u, t) => u * (w[t] ?? 0)));
  return matmul(Ur, transpose(V.map((row) => row.slice(0, k))));
}

/** The best rank-r approximation U_r·diag(s_r)·V_rᵀ, and its Frobenius error √(Σ_{t ≥ r} s_t²). */
export function referenceCut(
  c: { U: Matrix; s: readonly number[]; V: Matrix },
  r: number,
): { approx: number[][]; error: number } {
  return {
    approx: weightedSum(c.U, c.s, c.V, r),
    error: Math.sqrt(c.s.slice(r).reduce((a, v) => a + v * v, 0)),
  };
}

const cutToRank: Exercise = {
  name: 'cutToRank',
  title: 'Cut a matrix to rank r, and the error it leaves',
  task: 'Given a matrix’s SVD {U, s, V} (singular vectors as columns) and a rank r, return its best rank-r approximation and the Frobenius norm of what the cut leaves out.',
  check(value) {
    if (typeof value !== 'function') {
      return notYet(
        `The cell should return a function ({U, s, V}, r) => ({approx, error}); it returned ${shown(value)}.`,
      );
    }
    const c = CUT_CASE;
    const full = weightedSum(c.U, c.s, c.V, c.s.length);
    for (const r of CUT_RANKS) {
      const got = callReader('Your function', () =>
        (value as (svd: unknown, r: number) => unknown)(
          { U: copy(c.U), s: [...c.s], V: copy(c.V) },
          r,
        ),
      );
      if (!got.ok) return got.verdict;
      const { approx, error } = (got.value ?? {}) as Record<string, unknown>;
      const want = referenceCut(c, r);
      const at = `At r = ${String(r)}: `;
      const matrix = judgeMatrix(approx, {
        rows: 4,
        cols: 3,
        wrongShape: (shape) =>
          `${at}approx must have the matrix’s shape, 4 × 3; yours is ${shape}.`,
        want: want.approx,
        right: 'Right',
        mistakes: [
          {
            matrix: full,
            message: `${at}approx is the whole matrix: keep only the r largest directions.`,
          },
          {
            matrix: add(full, scale(want.approx, -1)),
            message: `${at}approx holds the directions after the first r, the smallest ones: keep the first r, where the largest singular values are.`,
          },
          {
            matrix: weightedSum(c.U, c.s, transpose(c.V), r),
            message: `${at}you took the rows of V as directions. The singular vectors are V’s columns: v_t[j] = V[j][t].`,
          },
          {
            matrix: weightedSum(
              c.U,
              c.s.map((x) => x * x),
              c.V,
              r,
            ),
            message: `${at}each direction enters with σ_t, not σ_t²: M_r = Σ_{t<r} σ_t·u_t·v_tᵀ.`,
          },
          {
            matrix: weightedSum(
              c.U,
              c.s.map(() => 1),
              c.V,
              r,
            ),
            message: `${at}each direction u_t·v_tᵀ must be scaled by its singular value σ_t.`,
          },
          { matrix: scale(full, 0), message: `${at}approx is all zeros.` },
        ],
        otherwise: `${at}approx is not U_r·diag(s_r)·V_rᵀ. Entry (i, j) is Σ_{t<r} U[i][t]·s[t]·V[j][t].`,
      });
      if (!matrix.right) return matrix;
      if (typeof error !== 'number' || !Number.isFinite(error))
        return notYet(`${at}approx is right; error should be a number, and it is ${shown(error)}.`);
      if (Math.abs(error - want.error) < 1e-9) continue;
      const tail = c.s.slice(r);
      const near = (x: number) => Math.abs(error - x) < 1e-9;
      const where = `${at}approx is right, but error is ${shown(error)} and should be ${want.error.toFixed(4)}.`;
      if (near(want.error ** 2))
        return notYet(`${where} That is the squared error: take its square root.`);
      if (near(tail.reduce((a, v) => a + v, 0)))
        return notYet(
          `${where} Square the dropped singular values before adding them, then take the root.`,
        );
      if (near(Math.sqrt(c.s.slice(0, r).reduce((a, v) => a + v * v, 0))))
        return notYet(
          `${where} That is the size of what you kept; the error is the size of what the cut drops.`,
        );
      return notYet(
        `${where} By Eckart–Young it is √(Σ_{t≥r} σ_t²), the singular values the cut drops.`,
      );
    }
    return right(
      'Right: M_r keeps the r largest directions, and what it leaves out has norm √(Σ_{t≥r} σ_t²) — no rank-r matrix comes closer (Eckart–Young).',
    );
  },
  hints: [
    'M = Σ_t σ_t·u_t·v_tᵀ over all directions, with u_t the column t of U and v_t the column t of V.',
    'Keep the first r terms of that sum: entry (i, j) of M_r is Σ_{t<r} U[i][t]·s[t]·V[j][t].',
    'The error ‖M − M_r‖_F is the norm of the dropped terms: √(s[r]² + … + s[k−1]²).',
  ],
  solution: `cutToRank = ({U, s, V}, r) => {
  const approx = U.map((Ui) => V.map((Vj) => {
    let sum = 0;
    for (let t = 0; t < r; t++) sum += Ui[t] * s[t] * Vj[t]; // σ_t·u_t·v_tᵀ, entry (i, j)
    return sum;
  }));
  const error = Math.sqrt(s.slice(r).reduce((a, v) => a + v * v, 0));
  return {approx, error};
}`,
};

/** The lesson's exercises, easy to hard. */
export const lowRankUpdateExercises: readonly Exercise[] = [
  topTwoShare,
  effectiveRankOf,
  cutToRank,
];
