/**
 * Exercises of the adapter-placement lesson: what LoRA adds to one layer, the largest rank a
 * budget allows on the tiny encoder, and merging the branch into the weight. The counts come
 * from tiny-encoder.ts, checked against the core's accounting in the tests.
 */
import { add, copy, matmul, scale, type Matrix } from './matrix.ts';
import { checkMatrixFunction } from './matrix-check.ts';
import { loraWeights, tinyAdapterWeights } from './tiny-encoder.ts';
import type { Exercise } from './types.ts';
import { callReader, notYet, right, shown } from './verdict.ts';

const PER_MODULE_CASES = [
  [128, 128, 8],
  [128, 512, 4],
  [768, 3072, 1],
] as const;

const loraPerModule: Exercise = {
  name: 'loraPerModule',
  title: 'What LoRA adds to one layer',
  task: 'Write a function of d_in, d_out and the rank r that returns how many weights LoRA adds to one linear layer.',
  check(value) {
    if (typeof value !== 'function') {
      return notYet(
        `The cell should return a function (dIn, dOut, r) => number; it returned ${shown(value)}.`,
      );
    }
    for (const [dIn, dOut, r] of PER_MODULE_CASES) {
      const got = callReader('Your function', () =>
        (value as (a: number, b: number, c: number) => unknown)(dIn, dOut, r),
      );
      if (!got.ok) return got.verdict;
      const v = got.value;
      const want = loraWeights(dIn, dOut, r);
      if (v === want) continue;
      const where = `For d_in = ${String(dIn)}, d_out = ${String(dOut)}, r = ${String(r)} you return ${shown(v)}; the answer is ${shown(want)}.`;
      if (v === r * dIn * dOut)
        return notYet(
          `${where} That is r full-size matrices. LoRA’s two factors are thin: A is d_in × r, B is r × d_out.`,
        );
      if (v === dIn * dOut)
        return notYet(`${where} That is the weight W itself, which stays frozen.`);
      if (v === r * dIn || v === r * dOut)
        return notYet(`${where} That is one factor; count both A (d_in × r) and B (r × d_out).`);
      return notYet(`${where} A has d_in × r entries and B has r × d_out.`);
    }
    return right('Right: r·(d_in + d_out), which grows with the layer’s width, not with its area.');
  },
  hints: [
    'LoRA adds two matrices to the layer: A and B, with the frozen W left as it is.',
    'A is d_in × r and B is r × d_out.',
    'The count is d_in·r + r·d_out.',
  ],
  solution: `loraPerModule = (dIn, dOut, r) => r * dIn + r * dOut`,
};

const ALL_SIX = [
  'query',
  'key',
  'value',
  'attention.output.dense',
  'intermediate.dense',
  'output.dense',
];

const RANK_CASES: readonly { readonly modules: readonly string[]; readonly budget: number }[] = [
  { modules: ['query', 'value'], budget: 5000 },
  // "output.dense" also matches attention.output.dense (PEFT's suffix rule).
  { modules: ['intermediate.dense', 'output.dense'], budget: 6000 },
  { modules: ['key'], budget: 512 },
  { modules: ALL_SIX, budget: 4000 },
];

/** The largest whole r ≥ 1 whose adapters fit `budget` (0 when even r = 1 does not). */
export function referenceLargestRank(modules: readonly string[], budget: number): number {
  return Math.floor(budget / tinyAdapterWeights(modules, 1));
}

/** The count a reader gets who takes "output.dense" for the feed-forward's output alone. */
function exactNameCount(modules: readonly string[]): number {
  const layer: Readonly<Record<string, readonly [number, number]>> = {
    query: [128, 128],
    key: [128, 128],
    value: [128, 128],
    'attention.output.dense': [128, 128],
    'intermediate.dense': [128, 512],
    'output.dense': [512, 128],
  };
  return 2 * modules.reduce((n, m) => n + (layer[m] ? layer[m][0] + layer[m][1] : 0), 0);
}

const largestRank: Exercise = {
  name: 'largestRank',
  title: 'The largest rank a budget allows',
  task: 'Write a function that, for a list of target module names (PEFT’s rule, in every layer of the tiny encoder) and a budget of adapter weights, returns the largest rank r that fits (0 when none does).',
  check(value) {
    if (typeof value !== 'function') {
      return notYet(
        `The cell should return a function (modules, budget) => r; it returned ${shown(value)}.`,
      );
    }
    for (const { modules, budget } of RANK_CASES) {
      const got = callReader('Your function', () =>
        (value as (m: string[], b: number) => unknown)([...modules], budget),
      );
      if (!got.ok) return got.verdict;
      const v = got.value;
      const want = referenceLargestRank(modules, budget);
      if (v === want) continue;
      const where = `For ${shown(modules)} and a budget of ${budget.toLocaleString('en-US')} you return ${shown(v)}; the answer is ${String(want)}.`;
      const perRank = tinyAdapterWeights(modules, 1);
      if (v === Math.floor(budget / (perRank / 2)))
        return notYet(`${where} The encoder has two layers, and each gets its own adapters.`);
      if (modules.includes('output.dense') && v === Math.floor(budget / exactNameCount(modules))) {
        return notYet(
          `${where} With PEFT’s rule, "output.dense" adapts every module whose name ends with “.output.dense”: the feed-forward output and attention.output.dense too.`,
        );
      }
      if (typeof v === 'number' && v === want + 1) {
        return notYet(
          `${where} r = ${String(v)} needs ${tinyAdapterWeights(modules, v).toLocaleString('en-US')} weights, over the budget: round down.`,
        );
      }
      if (want === 0)
        return notYet(
          `${where} Even r = 1 needs ${perRank.toLocaleString('en-US')} weights: return 0 when nothing fits.`,
        );
      return notYet(
        `${where} At rank r, a module from d_in to d_out adds r·(d_in + d_out) weights in each of the two layers.`,
      );
    }
    return right(
      'Right: the cost grows linearly in r, so the largest rank is the budget divided by the cost of rank 1, rounded down — with each name adapting every module it matches.',
    );
  },
  hints: [
    'At rank r each adapted module adds r·(d_in + d_out) weights, in each of the 2 layers.',
    'A name adapts every module whose name is it or ends with “.” and it: "output.dense" matches two modules per layer.',
    'Add up d_in + d_out over the matched modules of both layers (the cost of rank 1); the answer is ⌊budget / that⌋.',
  ],
  solution: `largestRank = {
  // Every layer's linear modules: [d_in, d_out]. A target name adapts each module whose name is
  // the target or ends with "." + the target (PEFT's rule).
  const modules = {
    "attention.self.query": [128, 128], "attention.self.key": [128, 128],
    "attention.self.value": [128, 128], "attention.output.dense": [128, 128],
    "intermediate.dense": [128, 512], "output.dense": [512, 128]
  };
  const layers = 2;
  return (targets, budget) => {
    let perRank = 0;
    for (const [name, [dIn, dOut]] of Object.entries(modules)) {
      if (targets.some((t) => name === t || name.endsWith("." + t))) perRank += layers * (dIn + dOut);
    }
    return Math.floor(budget / perRank);
  };
}`,
};

const MERGE_CASE = {
  W: [
    [0.5, -0.2, 0.1, 0.0],
    [0.3, 0.8, -0.4, 0.2],
    [-0.6, 0.1, 0.7, -0.3],
  ],
  A: [
    [0.2, -0.1],
    [0.4, 0.3],
    [-0.5, 0.2],
  ],
  B: [
    [0.1, 0.2, -0.3, 0.4],
    [-0.2, 0.1, 0.5, 0.3],
  ],
  alpha: 4,
  r: 2,
} as const;

/** W' = W + (α/r)·A·B. */
export function referenceMerge(
  W: Matrix,
  A: Matrix,
  B: Matrix,
  alpha: number,
  r: number,
): number[][] {
  return add(W, scale(matmul(A, B), alpha / r));
}

const mergeWeight: Exercise = {
  name: 'mergeWeight',
  title: 'Merge the branch into the weight',
  task: 'Write a function that merges a LoRA branch into its frozen weight, so that the merged layer computes what the layer and its branch computed together.',
  check(value) {
    const c = MERGE_CASE;
    const ab = matmul(c.A, c.B);
    return checkMatrixFunction(value, {
      signature: '(W, A, B, alpha, r) => merged W',
      call: (f) => f(copy(c.W), copy(c.A), copy(c.B), c.alpha, c.r),
      rows: 3,
      cols: 4,
      wrongShape: (shape) => `The merged weight must have W’s shape, 3 × 4; yours is ${shape}.`,
      want: referenceMerge(c.W, c.A, c.B, c.alpha, c.r),
      right:
        'Right: W′ = W + (α/r)·AB, so x·W′ = x·W + (α/r)·xAB for every input x: no extra cost at inference.',
      mistakes: [
        { matrix: c.W, message: 'You returned W unchanged; add the branch’s product AB, scaled.' },
        {
          matrix: add(c.W, ab),
          message:
            'The branch is scaled: the layer computes xW + (α/r)·xAB, so add (α/r)·AB, not AB.',
        },
        {
          matrix: add(c.W, scale(ab, c.alpha)),
          message: 'The scale is α/r, not α (here 4/2 = 2).',
        },
        {
          matrix: add(c.W, scale(ab, c.r / c.alpha)),
          message: 'The scale is α/r, not r/α (here 4/2 = 2).',
        },
        { matrix: scale(c.W, 0), message: 'Your merged weight is all zeros; start from W.' },
      ],
      otherwise:
        'Not the merged weight. Check each entry: W′[i][j] = W[i][j] + (α/r)·Σ_k A[i][k]·B[k][j].',
    });
  },
  hints: [
    'The layer computes xW + (α/r)·xAB = x·(W + (α/r)·AB).',
    'AB has W’s shape: A is d_in × r and B is r × d_out.',
    'Multiply A by B, scale by α/r, add W entry by entry.',
  ],
  solution: `mergeWeight = (W, A, B, alpha, r) =>
  W.map((row, i) => row.map((w, j) =>
    w + (alpha / r) * A[i].reduce((sum, a, k) => sum + a * B[k][j], 0)))`,
};

/** The lesson's exercises, easy to hard. */
export const adapterPlacementExercises: readonly Exercise[] = [
  loraPerModule,
  largestRank,
  mergeWeight,
];
