/**
 * Exercises of the initialisation lesson: which starts are no-ops, which factor moves first, a
 * start that is not a no-op (and what it breaks), and the step-0 gradients by hand. The checks
 * compute the answers from the lesson's formulas on plain matrices.
 */
import type { Exercise } from './types.ts';
import { copy, matmul, maxAbs, maxGap, scale, transpose, type Matrix } from './matrix.ts';
import { callReader, isMatrix, notYet, right, shapeOf, shown } from './verdict.ts';

const SCHEME_IDS = ['default', 'zero-both', 'random-both', 'a-zero-b-random', 'gated'] as const;
const NO_OPS = ['default', 'zero-both', 'a-zero-b-random', 'gated'];

const noOpStarts: Exercise = {
  name: 'noOpStarts',
  title: 'Which starts leave the model unchanged?',
  task: 'List the ids of the schemes with which the adapted model computes exactly what the base model computes before the first training step.',
  check(value) {
    if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
      return notYet(
        `The cell should return an array of scheme ids (strings); it returned ${shown(value)}.`,
      );
    }
    const got = new Set(value);
    const unknown = [...got].filter((id) => !(SCHEME_IDS as readonly string[]).includes(id));
    if (unknown.length > 0) {
      return notYet(
        `${unknown.map((u) => `“${u}”`).join(', ')} is not a scheme id; the ids are ${SCHEME_IDS.join(', ')}.`,
      );
    }
    if (got.has('random-both')) {
      return notYet(
        '“random-both” is not a no-op: with A and B both random, s·xAB is noise added to the base model’s output from the start.',
      );
    }
    const missing = NO_OPS.filter((id) => !got.has(id));
    if (missing.includes('gated')) {
      return notYet(
        '“gated” is missing: A and B are random, but the gate g = 0 multiplies the whole adapter term, so it adds nothing at step 0.',
      );
    }
    if (missing.includes('a-zero-b-random')) {
      return notYet(
        '“a-zero-b-random” is missing: with A = 0 the product AB is zero whatever B holds.',
      );
    }
    if (missing.length > 0) {
      return notYet(
        `Still missing: ${missing.join(', ')}. A start is a no-op when the adapter term s·xAB (times the gate, if any) is zero.`,
      );
    }
    return right(
      'Right: four of the five start as the base model; only “both random” changes the output before training.',
    );
  },
  hints: [
    'A start is a no-op when the adapter’s term s·xAB is exactly zero for every input.',
    'A product is zero when either factor is zero — or when a zero gate multiplies it.',
    'Only one scheme has neither a zero factor nor a zero gate.',
  ],
  solution: `noOpStarts = ["default", "zero-both", "a-zero-b-random", "gated"]`,
};

const MOVES: Readonly<Record<(typeof SCHEME_IDS)[number], readonly string[]>> = {
  default: ['B'],
  'zero-both': [],
  'random-both': ['A', 'B'],
  'a-zero-b-random': ['A'],
  gated: ['gate'],
};

const WHY: Readonly<Record<(typeof SCHEME_IDS)[number], string>> = {
  default:
    'with B = 0, ∂L/∂A = s·xᵀG·Bᵀ = 0, while ∂L/∂B = s·(xA)ᵀG is not zero because A is random',
  'zero-both': 'with A = B = 0 both gradients are zero: the origin is a stationary point',
  'random-both': 'with A and B both random, both gradients are non-zero',
  'a-zero-b-random': 'with A = 0, ∂L/∂B = s·(xA)ᵀG = 0, while ∂L/∂A = s·xᵀG·Bᵀ is not zero',
  gated:
    'with the gate g = 0, both factor gradients carry the factor g and vanish; the gate’s own gradient does not',
};

const firstMovers: Exercise = {
  name: 'firstMovers',
  title: 'What moves at step 0?',
  task: 'For each scheme, list which of "A", "B" and "gate" get a non-zero gradient at the first step.',
  check(value) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return notYet(
        `The cell should return an object {scheme: [...]}; it returned ${shown(value)}.`,
      );
    }
    const answer = value as Record<string, unknown>;
    for (const id of SCHEME_IDS) {
      const got = answer[id];
      if (!Array.isArray(got))
        return notYet(`“${id}” should map to an array such as ["B"]; it is ${shown(got)}.`);
      const have = [...new Set(got.map(String))].sort();
      const want = [...MOVES[id]].sort();
      if (have.join() !== want.join()) {
        return notYet(`“${id}”: you list ${shown(have)}. Look again: ${WHY[id]}.`);
      }
    }
    return right(
      'Right: LoRA’s start moves B first, the mirror start moves A first, both-zero never moves, both-random moves everything, and the gate opens first.',
    );
  },
  hints: [
    'Use the two formulas: ∂L/∂B = s·(xA)ᵀG and ∂L/∂A = s·xᵀG·Bᵀ.',
    'A factor’s gradient is zero when the other factor is zero.',
    'For the gated start, every factor gradient is multiplied by g = 0; only ∂L/∂g = s·Σ(xAB)⊙G survives.',
  ],
  solution: `firstMovers = ({
  "default": ["B"],
  "zero-both": [],
  "random-both": ["A", "B"],
  "a-zero-b-random": ["A"],
  "gated": ["gate"]
})`,
};

const BREAKS = ['output', 'A', 'nothing-moves'] as const;

const notANoOp: Exercise = {
  name: 'notANoOp',
  title: 'A start that is not a no-op',
  task: 'Change A (6 × 2) and B (2 × 4) so that the adapter changes the model before training, and predict what that breaks: "output", "A" (A gets no gradient) or "nothing-moves".',
  check(value) {
    if (typeof value !== 'object' || value === null) {
      return notYet(`The cell should return {A, B, breaks}; it returned ${shown(value)}.`);
    }
    const { A, B, breaks } = value as Record<string, unknown>;
    if (!isMatrix(A, 6, 2))
      return notYet(`A should be 6 × 2 (6 rows of 2 numbers); it is ${shapeOf(A)}.`);
    if (!isMatrix(B, 2, 4))
      return notYet(`B should be 2 × 4 (2 rows of 4 numbers); it is ${shapeOf(B)}.`);
    const ab = matmul(A, B);
    if (maxAbs(ab) < 1e-9) {
      if (maxAbs(B) === 0)
        return notYet(
          'B is still all zeros, so AB = 0: this is LoRA’s own no-op start. Put some non-zero numbers in B.',
        );
      if (maxAbs(A) === 0)
        return notYet('A is all zeros, so AB = 0 whatever B holds: still a no-op.');
      return notYet(
        'Neither A nor B is zero, but their product AB is: the adapter still adds nothing. Try other numbers.',
      );
    }
    if (typeof breaks !== 'string' || !(BREAKS as readonly string[]).includes(breaks)) {
      return notYet(
        `Your start changes the output. Now predict: breaks should be one of ${BREAKS.map((b) => `"${b}"`).join(', ')}; it is ${shown(breaks)}.`,
      );
    }
    if (breaks === 'A') {
      return notYet(
        'With B ≠ 0, A’s gradient s·xᵀG·Bᵀ is not zero: A moves from the first step. What is lost is something else.',
      );
    }
    if (breaks === 'nothing-moves') {
      return notYet(
        'Both factors are non-zero, so both gradients are too: everything moves. Only A = B = 0 (or a closed gate) freezes the adapter.',
      );
    }
    return right(
      `Right: the adapter adds s·xAB ≠ 0 (its largest entry of AB is ${maxAbs(ab).toFixed(3)}), so the model no longer starts as the base model: training first has to undo that noise.`,
    );
  },
  hints: [
    'The adapter adds s·xAB. To change the output, AB must not be the zero matrix.',
    'A is already random; B is all zeros. Give B some non-zero numbers.',
    'With both factors non-zero, both gradients flow; what you lose is the guarantee that step 0 equals the base model.',
  ],
  solution: `notANoOp = {
  // A is 6 × 2 and B is 2 × 4 (d_in = 6, rank r = 2, d_out = 4), as arrays of rows.
  const A = [[0.3, -0.1], [0.2, 0.4], [-0.5, 0.1], [0.1, 0.1], [0.0, -0.3], [0.2, 0.2]];
  const B = [[0.1, -0.2, 0.05, 0.3], [-0.1, 0.2, 0.1, 0.0]];
  // What goes wrong at step 0: "output", "A" (A gets no gradient) or "nothing-moves".
  const breaks = "output";
  return {A, B, breaks};
}`,
};

/** The fixed inputs the gradient exercise is checked on (2 rows, d_in 3, r 2, d_out 4). */
const GRAD_CASE = {
  x: [
    [0.5, -1.0, 2.0],
    [1.5, 0.25, -0.5],
  ],
  A: [
    [0.2, -0.4],
    [0.7, 0.1],
    [-0.3, 0.6],
  ],
  B: [
    [0.5, -0.2, 0.1, 0.3],
    [-0.4, 0.8, 0.2, -0.1],
  ],
  G: [
    [0.1, -0.3, 0.2, 0.05],
    [-0.2, 0.4, 0.1, -0.15],
  ],
  s: 2,
} as const;

/** The step-0 gradients of the adapter: ∂L/∂A = s·xᵀG·Bᵀ and ∂L/∂B = s·(xA)ᵀG. */
export function referenceGradients(c: { x: Matrix; A: Matrix; B: Matrix; G: Matrix; s: number }): {
  dA: number[][];
  dB: number[][];
} {
  return {
    dA: scale(matmul(matmul(transpose(c.x), c.G), transpose(c.B)), c.s),
    dB: scale(matmul(transpose(matmul(c.x, c.A)), c.G), c.s),
  };
}

const adapterGradients: Exercise = {
  name: 'adapterGradients',
  title: 'The gradients of A and B, by hand',
  task: 'Complete the function that returns ∂L/∂A and ∂L/∂B of h = xW₀ + s·xAB, given x, A, B, G = ∂L/∂h and s.',
  check(value) {
    if (typeof value !== 'function') {
      return notYet(
        `The cell should return a function ({x, A, B, G, s}) => ({dA, dB}); it returned ${shown(value)}.`,
      );
    }
    const c = GRAD_CASE;
    const got = callReader('Your function', () =>
      (value as (c: unknown) => unknown)({
        x: copy(c.x),
        A: copy(c.A),
        B: copy(c.B),
        G: copy(c.G),
        s: c.s,
      }),
    );
    if (!got.ok) return got.verdict;
    const out = got.value as { dA?: unknown; dB?: unknown } | null;
    const want = referenceGradients(c);
    const { dA, dB } = out ?? {};
    if (!isMatrix(dB, 2, 4))
      return notYet(`dB should have B’s shape, 2 × 4; yours is ${shapeOf(dB)}.`);
    if (!isMatrix(dA, 3, 2))
      return notYet(`dA should have A’s shape, 3 × 2; yours is ${shapeOf(dA)}.`);
    const tol = 1e-9;
    const okA = maxGap(dA, want.dA) < tol;
    const okB = maxGap(dB, want.dB) < tol;
    if (okA && okB)
      return right(
        'Right: ∂L/∂B = s·(xA)ᵀG and ∂L/∂A = s·xᵀG·Bᵀ, matching the lesson’s derivation.',
      );
    if (maxAbs(dA) === 0 && maxAbs(dB) === 0)
      return notYet('Both gradients are still zeros: compute them from x, A, B, G and s.');
    const unscaled = referenceGradients({ ...c, s: 1 });
    if ((okA || maxGap(dA, unscaled.dA) < tol) && (okB || maxGap(dB, unscaled.dB) < tol)) {
      return notYet(
        'Off by a factor of s: the adapter’s term is s·xAB, so both gradients carry s.',
      );
    }
    if (!okB) return notYet('dB is wrong. B sees xA as its input: ∂L/∂B = s·(xA)ᵀG.');
    return notYet('dB is right; dA is wrong. A sits between x and B: ∂L/∂A = s·xᵀ·G·Bᵀ.');
  },
  hints: [
    'For a linear map y = u·M, the gradient with respect to M is uᵀ·(∂L/∂y).',
    'B’s input is u = xA, scaled by s. For A, the gradient flowing back to xA is G·Bᵀ.',
    'dB = s·(xA)ᵀG; dA = s·xᵀ(G·Bᵀ). Use the matmul and transpose helpers.',
  ],
  solution: `adapterGradients = {
  // Plain matrices (arrays of rows) and two helpers.
  const matmul = (P, Q) => P.map((row) => Q[0].map((_, j) => row.reduce((a, v, k) => a + v * Q[k][j], 0)));
  const transpose = (P) => P[0].map((_, j) => P.map((row) => row[j]));
  return ({x, A, B, G, s}) => {
    const dA = matmul(matmul(transpose(x), G), transpose(B)).map((row) => row.map((v) => s * v));
    const dB = matmul(transpose(matmul(x, A)), G).map((row) => row.map((v) => s * v));
    return {dA, dB};
  };
}`,
};

/** The lesson's exercises, easy to hard. */
export const initialisationExercises: readonly Exercise[] = [
  noOpStarts,
  firstMovers,
  notANoOp,
  adapterGradients,
];
