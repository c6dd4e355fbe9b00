/**
 * Exercises of the first lesson, on the cells themselves and on LoRA's forward pass: a cell that
 * depends on other cells (the slider's r and the counts), a function that refuses a bad rank with
 * an error naming it (as a broken cell shows its error while the rest of the page keeps working),
 * and the forward pass h = xW₀ + (α/r)·xAB on plain arrays. The layer is the lesson's `layer`
 * cell, 768 × 768; test/cells/exercises/checks.test.ts runs that cell and checks it is this one.
 */
import { add, copy, matmul, scale, type Matrix } from './matrix.ts';
import { checkMatrixFunction } from './matrix-check.ts';
import type { Exercise, Verdict } from './types.ts';
import { notYet, right, shown } from './verdict.ts';

/** The lesson's `layer` cell. */
export const NOTEBOOK_LAYER = { dIn: 768, dOut: 768 } as const;

/** The ranks the lesson's slider offers. */
export const SLIDER_RANKS = [1, 2, 3, 4, 5, 6, 7, 8] as const;

/** LoRA's weights at rank k on the lesson's layer: k·(d_in + d_out). */
export function notebookLoraCount(k: number): number {
  return k * (NOTEBOOK_LAYER.dIn + NOTEBOOK_LAYER.dOut);
}

const FULL = NOTEBOOK_LAYER.dIn * NOTEBOOK_LAYER.dOut;

const percentTrained: Exercise = {
  name: 'percentTrained',
  title: 'A cell that depends on other cells',
  task: 'Using the cells above (the slider’s r and counts), return the percentage of the 768 × 768 layer’s weights that LoRA trains at the slider’s rank, so that it follows the slider.',
  check(value) {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      return notYet(`The cell should return a number; it returned ${shown(value)}.`);
    }
    const near = (x: number) => Math.abs(value - x) < 1e-9 * Math.max(1, Math.abs(x));
    for (const k of SLIDER_RANKS) {
      const lora = notebookLoraCount(k);
      if (near((100 * lora) / FULL)) {
        return right(
          `Right: at r = ${String(k)}, LoRA trains ${((100 * lora) / FULL).toFixed(2)}% of this layer. Drag the slider: this cell runs again by itself, because it uses r (through counts).`,
        );
      }
    }
    if (value === 0) return notYet('The cell still returns 0: compute it from counts.');
    for (const k of SLIDER_RANKS) {
      const lora = notebookLoraCount(k);
      if (near(lora / FULL))
        return notYet(
          `${shown(value)} is the share as a fraction (r = ${String(k)}); the task asks for a percentage: multiply by 100.`,
        );
      if (near(FULL / lora) || near((100 * FULL) / lora))
        return notYet(
          `${shown(value)} is upside down: divide LoRA’s count by the full count, not the other way.`,
        );
      if (near(lora))
        return notYet(
          `${shown(value)} is LoRA’s count of weights at r = ${String(k)}; divide it by the full count and multiply by 100.`,
        );
    }
    if (near(FULL))
      return notYet(
        `${shown(value)} is the full layer’s count; the task asks what share of it LoRA trains.`,
      );
    return notYet(
      `${shown(value)} is not LoRA’s share at any rank the slider offers. It is 100 · counts.lora / counts.full.`,
    );
  },
  hints: [
    'A cell can use any other cell’s value by its name: here counts.lora and counts.full.',
    'The share is LoRA’s count divided by the full count; a percentage is that times 100.',
    'return 100 * counts.lora / counts.full;',
  ],
  solution: `percentTrained = {
  // counts (above) holds {full, lora} for the slider's rank r; using it makes this cell follow r.
  return 100 * counts.lora / counts.full;
}`,
};

/** Good ranks the second exercise's function must accept. */
export const GOOD_RANKS = [1, 4, 8] as const;

/** Values that are not ranks, each with why. */
const BAD_RANKS: readonly { readonly k: unknown; readonly why: string }[] = [
  { k: 0, why: 'a rank must be at least 1' },
  { k: 2.5, why: 'a rank is a whole number' },
  { k: -3, why: 'a rank must be at least 1' },
  {
    k: '4',
    why: '"4" is text, not a number (a value typed into a box often is); refuse it rather than guess',
  },
  { k: Number.NaN, why: 'NaN is not a number of anything' },
];

/** Calls f(k), telling a return from a throw (callReader turns both into one verdict). */
function attempt(
  f: (k: unknown) => unknown,
  k: unknown,
): { threw: false; value: unknown } | { threw: true; error: unknown } {
  try {
    return { threw: false, value: f(k) };
  } catch (error) {
    return { threw: true, error };
  }
}

function messageOf(error: unknown): string | null {
  if (error instanceof Error) return error.message;
  if (typeof error === 'object' && error !== null && 'message' in error) {
    const m = error.message;
    return typeof m === 'string' ? m : null;
  }
  return null;
}

const checkedCount: Exercise = {
  name: 'checkedCount',
  title: 'An error that says what is wrong',
  task: 'Write a function of a rank k that returns LoRA’s count of weights on the lesson’s layer, and throws an Error naming k when k is not a whole number of at least 1.',
  check(value): Verdict {
    if (typeof value !== 'function') {
      return notYet(
        `The cell should return a function (k) => number; it returned ${shown(value)}.`,
      );
    }
    const f = value as (k: unknown) => unknown;
    for (const k of GOOD_RANKS) {
      const got = attempt(f, k);
      const want = notebookLoraCount(k);
      if (got.threw)
        return notYet(
          `checkedCount(${String(k)}) threw “${messageOf(got.error) ?? String(got.error)}”; a good rank must still give its count, ${shown(want)}.`,
        );
      if (got.value !== want)
        return notYet(
          `checkedCount(${String(k)}) returned ${shown(got.value)}; it should be ${String(k)} · (${String(NOTEBOOK_LAYER.dIn)} + ${String(NOTEBOOK_LAYER.dOut)}) = ${shown(want)}. Use layer.dIn and layer.dOut.`,
        );
    }
    for (const { k, why } of BAD_RANKS) {
      const call = `checkedCount(${typeof k === 'string' ? JSON.stringify(k) : String(k)})`;
      const got = attempt(f, k);
      if (!got.threw)
        return notYet(
          `${call} returned ${shown(got.value)} without complaint, but ${why}: throw an Error that says so.`,
        );
      const message = messageOf(got.error);
      if (message === null)
        return notYet(
          `${call} threw ${shown(got.error)}, not an Error: write throw new Error("…"), so the page shows it under the cell with its line.`,
        );
      if (!message.includes(String(k)))
        return notYet(
          `${call} threw “${message}”, which does not name the value it got. Put k in the message (for example \`rank \${k} is not a whole number ≥ 1\`), so whoever reads it knows what to fix.`,
        );
    }
    return right(
      'Right: good ranks give their count, and a bad one stops with an error that names it. Try it: write checkedCount(0) in another cell, see the error appear under that cell while the cells that do not use it keep working, then press Reset.',
    );
  },
  hints: [
    'Test k first: Number.isInteger(k) is false for 2.5, NaN and the text "4", and k < 1 catches 0 and negatives.',
    'throw new Error(…) stops the function; the page shows the message under the cell.',
    'if (!Number.isInteger(k) || k < 1) throw new Error(`rank ${k} is not a whole number ≥ 1`);',
  ],
  solution: `checkedCount = (k) => {
  if (!Number.isInteger(k) || k < 1) {
    throw new Error(\`rank \${k} (a \${typeof k}) is not a whole number ≥ 1\`);
  }
  return k * (layer.dIn + layer.dOut);
}`,
};

/** The forward-pass cases: A and B of rank 3 (not the slider's 2), then of rank 1. */
export const FORWARD_CASES = [
  {
    x: [
      [1, 0, -1],
      [2, 1, 0],
    ],
    W0: [
      [0.5, -1],
      [1, 0.5],
      [-0.5, 2],
    ],
    A: [
      [0.2, -0.1, 0.3],
      [0.4, 0.1, -0.2],
      [-0.3, 0.2, 0.1],
    ],
    B: [
      [1, 0],
      [0, 1],
      [1, -1],
    ],
    alpha: 4,
  },
  {
    x: [
      [0.5, -1, 2],
      [1, 1, 1],
    ],
    W0: [
      [1, 0],
      [0, 1],
      [1, 1],
    ],
    A: [[1], [0], [-1]],
    B: [[0.5, -0.5]],
    alpha: 2,
  },
] as const;

/** h = x·W₀ + (α/r)·x·A·B, with r the number of columns of A. */
export function referenceForward(c: {
  x: Matrix;
  W0: Matrix;
  A: Matrix;
  B: Matrix;
  alpha: number;
}): number[][] {
  const r = c.A[0]?.length ?? 1;
  return add(matmul(c.x, c.W0), scale(matmul(matmul(c.x, c.A), c.B), c.alpha / r));
}

const loraForward: Exercise = {
  name: 'loraForward',
  title: 'LoRA’s forward pass by hand',
  task: 'Write the forward pass of a LoRA layer on plain arrays: given x, W₀, A, B and α, return h = xW₀ + (α/r)·xAB, with r the rank of A and B.',
  check(value) {
    for (const c of FORWARD_CASES) {
      const r = c.A[0].length;
      const base = matmul(c.x, c.W0);
      const xab = matmul(matmul(c.x, c.A), c.B);
      const withScale = (s: number) => add(base, scale(xab, s));
      const sliderScales = SLIDER_RANKS.filter((k) => k !== r).map((k) => ({
        matrix: withScale(c.alpha / k),
        message: `You scaled by α/${String(k)}. Here r is the rank of this A and B, A’s number of columns (${String(r)}): read it from A, not from the slider’s r.`,
      }));
      const verdict = checkMatrixFunction(value, {
        signature: '(x, W0, A, B, alpha) => h',
        call: (f) => f(copy(c.x), copy(c.W0), copy(c.A), copy(c.B), c.alpha),
        rows: 2,
        cols: 2,
        wrongShape: (shape) =>
          `h must have one row per input and one column per output, 2 × 2; yours is ${shape}.`,
        want: referenceForward(c),
        right: 'Right',
        mistakes: [
          {
            matrix: base,
            message: 'That is xW₀, the frozen layer alone: add the correction (α/r)·xAB.',
          },
          {
            matrix: scale(xab, c.alpha / r),
            message: 'That is the correction alone: h also holds the frozen layer’s xW₀.',
          },
          {
            matrix: withScale(1),
            message: 'The correction is scaled: add (α/r)·xAB, not xAB.',
          },
          ...(c.alpha !== c.alpha / r
            ? [{ matrix: withScale(c.alpha), message: 'The scale is α/r, not α.' }]
            : []),
          { matrix: withScale(r / c.alpha), message: 'The scale is α/r, not r/α.' },
          ...sliderScales,
        ],
        otherwise:
          'Not h. Multiply x by W₀; multiply x by A and that by B, scale it by α/r; add the two.',
      });
      if (!verdict.right) return verdict;
    }
    return right(
      'Right: h = xW₀ + (α/r)·xAB, the one formula the course is about. With B all zeros the correction vanishes, which is why LoRA starts as a no-op.',
    );
  },
  hints: [
    'Write a small matrix product first: (P, Q) => P.map((row) => Q[0].map((_, j) => …)).',
    'r is the number of columns of A: A[0].length.',
    'h[i][j] = (xW₀)[i][j] + (α / r)·(xAB)[i][j], with r = A[0].length.',
  ],
  solution: `loraForward = {
  const matmul = (P, Q) => P.map((row) => Q[0].map((_, j) => row.reduce((a, v, k) => a + v * Q[k][j], 0)));
  return (x, W0, A, B, alpha) => {
    const rank = A[0].length; // the rank of this A and B, not the slider's r
    const base = matmul(x, W0);
    const update = matmul(matmul(x, A), B);
    return base.map((row, i) => row.map((v, j) => v + (alpha / rank) * update[i][j]));
  };
}`,
};

/** The lesson's exercises, easy to hard. */
export const howTheseNotebooksWorkExercises: readonly Exercise[] = [
  percentTrained,
  checkedCount,
  loraForward,
];
