/**
 * Exercises of the training-run lesson: the adapters' size for another configuration, a merged
 * hot-swap, and the PEFT file layout. The count comes from tiny-encoder.ts, checked against the
 * core's accounting in the tests.
 */
import { add, copy, matmul, maxGap, scale, transpose, type Matrix } from './matrix.ts';
import { checkMatrixFunction } from './matrix-check.ts';
import { tinyAdapterWeights } from './tiny-encoder.ts';
import type { Exercise } from './types.ts';
import { callReader, isMatrix, notYet, right, shapeOf, shown } from './verdict.ts';

const COUNT_MODULES = ['query', 'value', 'intermediate.dense'] as const;
const COUNT_RANK = 4;

const adapterCount: Exercise = {
  name: 'adapterCount',
  title: 'How many weights does another configuration train?',
  task: 'Return the number of adapter weights (without the classifier) of LoRA at r = 4 on query, value and intermediate.dense in every layer of the lesson’s encoder.',
  check(value) {
    const want = tinyAdapterWeights(COUNT_MODULES, COUNT_RANK);
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      return notYet(`The cell should return a number; it returned ${shown(value)}.`);
    }
    if (value === want) {
      return right(
        `Right: ${want.toLocaleString('en-US')} adapter weights, 2 layers × (1,024 + 1,024 + 2,560).`,
      );
    }
    if (value === 2048)
      return notYet(
        '2,048 is the lesson’s default run (r = 2 on query and attention output); count the configuration of this exercise.',
      );
    if (value === want / 2)
      return notYet(`${shown(value)} is one layer’s adapters; the encoder has 2 layers.`);
    if (value === 2 * 3 * COUNT_RANK * 256) {
      return notYet(
        `${shown(value)} treats intermediate.dense as 128 → 128; it goes from 128 to 512 (the feed-forward width).`,
      );
    }
    if (value > want && value - want > 10_000)
      return notYet(
        `${shown(value)} is too large: count only the adapters’ A and B, not the classifier or the frozen weights.`,
      );
    return notYet(
      `${shown(value)} is not it. Each adapted module from d_in to d_out adds r·(d_in + d_out) weights, in each of the 2 layers.`,
    );
  },
  hints: [
    'Each adapted module adds A (d_in × r) and B (r × d_out).',
    'query and value are 128 → 128; intermediate.dense is 128 → 512. There are 2 layers.',
    '2 · 4 · ((128 + 128) + (128 + 128) + (128 + 512)).',
  ],
  solution: `adapterCount = {
  const r = 4, layers = 2;
  const modules = [[128, 128], [128, 128], [128, 512]]; // query, value, intermediate.dense
  return layers * modules.reduce((n, [dIn, dOut]) => n + r * (dIn + dOut), 0);
}`,
};

const SWAP_CASE = {
  W: [
    [0.5, -0.2, 0.1],
    [0.3, 0.8, -0.4],
  ],
  from: {
    A: [[0.2], [-0.5]],
    B: [[0.4, 0.1, -0.3]],
    s: 2,
  },
  to: {
    A: [[-0.1], [0.3]],
    B: [[0.2, -0.6, 0.5]],
    s: 0.5,
  },
} as const;

/** The merged weight after swapping adapter `from` (merged into W) for `to`. */
export function referenceSwap(
  W: Matrix,
  from: { A: Matrix; B: Matrix; s: number },
  to: { A: Matrix; B: Matrix; s: number },
): number[][] {
  return add(add(W, scale(matmul(from.A, from.B), -from.s)), scale(matmul(to.A, to.B), to.s));
}

const swapMerged: Exercise = {
  name: 'swapMerged',
  title: 'Swap one merged adapter for another',
  task: 'W holds the frozen weight with adapter “from” merged in. Write the function that swaps it for adapter “to”, as the merged hot-swap does.',
  check(value) {
    const c = SWAP_CASE;
    const fresh = (a: { A: Matrix; B: Matrix; s: number }) => ({
      A: copy(a.A),
      B: copy(a.B),
      s: a.s,
    });
    const fromAB = matmul(c.from.A, c.from.B);
    const toAB = matmul(c.to.A, c.to.B);
    return checkMatrixFunction(value, {
      signature: '(W, from, to) => W',
      call: (f) => f(copy(c.W), fresh(c.from), fresh(c.to)),
      rows: 2,
      cols: 3,
      wrongShape: (shape) => `The result must have W’s shape, 2 × 3; yours is ${shape}.`,
      want: referenceSwap(c.W, c.from, c.to),
      right:
        'Right: subtract s·AB of the adapter that was merged, add s·AB of the new one; swapping back gives the first weight again (up to rounding).',
      mistakes: [
        { matrix: c.W, message: 'You returned W unchanged: “to” is not merged in yet.' },
        {
          matrix: add(c.W, scale(toAB, c.to.s)),
          message:
            'You added the new adapter but left the old one in: W already holds “from”, so subtract its s·AB first.',
        },
        {
          matrix: add(add(c.W, scale(fromAB, -1)), toAB),
          message: 'Each adapter carries its own scale s: subtract from.s·AB and add to.s·AB.',
        },
        {
          matrix: add(add(c.W, scale(fromAB, c.from.s)), scale(toAB, -c.to.s)),
          message: 'The signs are the wrong way round: remove “from”, add “to”.',
        },
      ],
      otherwise:
        'Not the swapped weight. It should be W − from.s·(from.A·from.B) + to.s·(to.A·to.B).',
    });
  },
  hints: [
    'A merged adapter is W₀ + s·AB. To swap, first get W₀ back.',
    'W₀ = W − from.s·(from.A · from.B).',
    'Then add to.s·(to.A · to.B).',
  ],
  solution: `swapMerged = {
  const matmul = (P, Q) => P.map((row) => Q[0].map((_, j) => row.reduce((a, v, k) => a + v * Q[k][j], 0)));
  return (W, from, to) => {
    const out = matmul(from.A, from.B);
    const inn = matmul(to.A, to.B);
    return W.map((row, i) => row.map((w, j) => w - from.s * out[i][j] + to.s * inn[i][j]));
  };
}`,
};

const PEFT_CASE = {
  A: [
    [0.2, -0.1],
    [0.4, 0.3],
    [-0.5, 0.2],
  ],
  B: [
    [0.1, 0.2, -0.3, 0.4],
    [-0.2, 0.1, 0.5, 0.3],
  ],
  s: 2,
} as const;

/** PEFT's layout: lora_A = Aᵀ (r × d_in), lora_B = Bᵀ (d_out × r), ΔW = s·lora_B·lora_A (d_out × d_in). */
export function referencePeft(c: { A: Matrix; B: Matrix; s: number }): {
  loraA: number[][];
  loraB: number[][];
  delta: number[][];
} {
  const loraA = transpose(c.A);
  const loraB = transpose(c.B);
  return { loraA, loraB, delta: scale(matmul(loraB, loraA), c.s) };
}

const toPeft: Exercise = {
  name: 'toPeft',
  title: 'The adapter in PEFT’s layout',
  task: 'Convert our A (d_in × r) and B (r × d_out) to PEFT’s lora_A and lora_B, and return the weight change ΔW as PyTorch stores a linear layer’s weight (d_out × d_in).',
  check(value) {
    if (typeof value !== 'function') {
      return notYet(
        `The cell should return a function ({A, B, s}) => ({loraA, loraB, delta}); it returned ${shown(value)}.`,
      );
    }
    const c = PEFT_CASE;
    const got = callReader('Your function', () =>
      (value as (x: unknown) => unknown)({ A: copy(c.A), B: copy(c.B), s: c.s }),
    );
    if (!got.ok) return got.verdict;
    const { loraA, loraB, delta } = (got.value ?? {}) as Record<string, unknown>;
    const want = referencePeft(c);
    const tol = 1e-9;
    if (!isMatrix(loraA, 2, 3)) {
      return notYet(
        isMatrix(loraA, 3, 2)
          ? 'loraA has our A’s shape, 3 × 2. PEFT stores lora_A as r × d_in: transpose it.'
          : `loraA should be r × d_in = 2 × 3; it is ${shapeOf(loraA)}.`,
      );
    }
    if (!isMatrix(loraB, 4, 2)) {
      return notYet(
        isMatrix(loraB, 2, 4)
          ? 'loraB has our B’s shape, 2 × 4. PEFT stores lora_B as d_out × r: transpose it.'
          : `loraB should be d_out × r = 4 × 2; it is ${shapeOf(loraB)}.`,
      );
    }
    if (maxGap(loraA, want.loraA) >= tol || maxGap(loraB, want.loraB) >= tol) {
      return notYet(
        'The shapes are right but the numbers are not: lora_A[k][i] = A[i][k] and lora_B[j][k] = B[k][j].',
      );
    }
    if (!isMatrix(delta, 4, 3)) {
      return notYet(
        isMatrix(delta, 2, 2)
          ? 'delta is r × r: that is lora_A · lora_B. The weight change is lora_B · lora_A (d_out × d_in).'
          : `delta should be d_out × d_in = 4 × 3; it is ${shapeOf(delta)}.`,
      );
    }
    if (maxGap(delta, want.delta) < tol) {
      return right(
        'Right: ΔW = s·lora_B·lora_A = (s·AB)ᵀ, the update PEFT adds to a PyTorch weight (d_out × d_in) when it merges.',
      );
    }
    if (maxGap(delta, scale(want.delta, 1 / c.s)) < tol)
      return notYet('delta is missing the scale s = α/r.');
    return notYet('delta is not s·lora_B·lora_A. It should equal the transpose of s·A·B.');
  },
  hints: [
    'PyTorch stores a linear layer’s weight as d_out × d_in, the transpose of our x·W convention.',
    'lora_A is Aᵀ (r × d_in) and lora_B is Bᵀ (d_out × r).',
    'ΔW = s · lora_B · lora_A, which is (s·A·B)ᵀ.',
  ],
  solution: `toPeft = {
  const matmul = (P, Q) => P.map((row) => Q[0].map((_, j) => row.reduce((a, v, k) => a + v * Q[k][j], 0)));
  const transpose = (P) => P[0].map((_, j) => P.map((row) => row[j]));
  return ({A, B, s}) => {
    const loraA = transpose(A); // r × d_in
    const loraB = transpose(B); // d_out × r
    const delta = matmul(loraB, loraA).map((row) => row.map((v) => s * v)); // d_out × d_in
    return {loraA, loraB, delta};
  };
}`,
};

/** The lesson's exercises, easy to hard. */
export const trainingRunExercises: readonly Exercise[] = [adapterCount, swapMerged, toPeft];
