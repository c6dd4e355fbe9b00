/**
 * Exercises of the intrinsic-dimension lesson: count D, size the sparse projection, and find d90
 * from measured points. Each check computes the answer itself (the parameter count as the core's
 * accounting does; test/cells/exercises.test.ts checks that both agree).
 */
import type { Exercise } from './types.ts';
import { callReader, notYet, right, shown } from './verdict.ts';

/** Weights and biases of a fully connected network with `sizes` units per layer. */
export function mlpParameterCount(sizes: readonly number[]): number {
  let total = 0;
  for (let i = 0; i + 1 < sizes.length; i++) total += ((sizes[i] ?? 0) + 1) * (sizes[i + 1] ?? 0);
  return total;
}

/** The sizes of the network's tensors in order: each layer's weight matrix, then its bias. */
export function mlpTensorSizes(sizes: readonly number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i + 1 < sizes.length; i++) {
    out.push((sizes[i] ?? 0) * (sizes[i + 1] ?? 0), sizes[i + 1] ?? 0);
  }
  return out;
}

/** Expected non-zero entries of the core's sparse P: each column holds about √n per tensor of n. */
export function expectedStoredEntries(sizes: readonly number[], d: number): number {
  return d * mlpTensorSizes(sizes).reduce((a, n) => a + Math.sqrt(n), 0);
}

const COUNT_SIZES = [784, 100, 10] as const;

const countD: Exercise = {
  name: 'countD',
  title: 'Count the weights of a small network',
  task: 'Return D, the number of trainable numbers of the fully connected network 784 → 100 → 10 with a bias on every layer.',
  check(value) {
    const want = mlpParameterCount(COUNT_SIZES);
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      return notYet(`The cell should return a number; it returned ${shown(value)}.`);
    }
    if (value === want) {
      return right(
        `Right: D = ${shown(want)} (78,400 + 100 in the first layer, 1,000 + 10 in the second).`,
      );
    }
    if (value === 0) return notYet('The cell still returns 0: add up each layer’s numbers.');
    if (value === 784 * 100 + 100 * 10) {
      return notYet(
        `${shown(value)} counts the weight matrices but not the biases: each layer also has one bias per output unit.`,
      );
    }
    if (value === 784 * 100 || value === 784 * 100 + 100) {
      return notYet(
        `${shown(value)} is only the first layer; the second layer (100 → 10) counts too.`,
      );
    }
    if (value === 784 + 100 + 10) {
      return notYet(
        'That is the number of units, not of weights: a layer from n to m units has n·m weights.',
      );
    }
    return notYet(
      `${shown(value)} is not D. A layer from n units to m units holds n·m weights and m biases; add both layers.`,
    );
  },
  hints: [
    'A layer from n inputs to m outputs multiplies by an n × m matrix and adds m biases.',
    'There are two layers: 784 → 100 and 100 → 10.',
    'D = (784 + 1)·100 + (100 + 1)·10.',
  ],
  solution: `countD = {
  // The network 784 → 100 → 10, with a bias on every layer.
  const sizes = [784, 100, 10];
  let count = 0;
  for (let i = 0; i + 1 < sizes.length; i++) {
    count += sizes[i] * sizes[i + 1] + sizes[i + 1]; // weights and biases of layer i
  }
  return count;
}`,
};

const CASES: readonly { readonly sizes: readonly number[]; readonly d: number }[] = [
  { sizes: [784, 200, 200, 10], d: 750 },
  { sizes: [8, 6, 3], d: 4 },
  { sizes: [64, 16, 10], d: 100 },
];

const storedEntries: Exercise = {
  name: 'storedEntries',
  title: 'How big is the sparse projection?',
  task: 'Write a function of the layer sizes and d that returns how many non-zero numbers the sparse projection P is expected to hold.',
  check(value) {
    if (typeof value !== 'function') {
      return notYet(
        `The cell should return a function (sizes, d) => number; it returned ${shown(value)}.`,
      );
    }
    const f = value as (sizes: number[], d: number) => unknown;
    for (const { sizes, d } of CASES) {
      const got = callReader(
        `Your function, called with ([${sizes.join(', ')}], ${String(d)}),`,
        () => f([...sizes], d),
      );
      if (!got.ok) return got.verdict;
      const want = expectedStoredEntries(sizes, d);
      const v = got.value;
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        return notYet(
          `For ([${sizes.join(', ')}], ${String(d)}) your function returned ${shown(v)}, not a number.`,
        );
      }
      if (Math.abs(v - want) <= 1e-6 * want) continue;
      const D = mlpParameterCount(sizes);
      const close = (x: number): boolean => Math.abs(v - x) <= 1e-6 * Math.max(1, x);
      const where = `For sizes [${sizes.join(', ')}] and d = ${String(d)} you get ${v.toFixed(1)}, expected ${want.toFixed(1)}.`;
      if (close(d * Math.sqrt(D))) {
        return notYet(
          `${where} You treated θ as one tensor of D numbers; P is drawn tensor by tensor, each with its own n.`,
        );
      }
      if (close(want / d)) return notYet(`${where} That is one column; P has d columns.`);
      if (close(d * D))
        return notYet(
          `${where} That is a dense P: every entry stored. Only about 1/√n of a tensor’s n entries are non-zero.`,
        );
      const weightsOnly =
        d *
        mlpTensorSizes(sizes)
          .filter((_, i) => i % 2 === 0)
          .reduce((a, n) => a + Math.sqrt(n), 0);
      if (close(weightsOnly))
        return notYet(
          `${where} The biases are tensors too: each adds about √n entries per column.`,
        );
      return notYet(
        `${where} A tensor of n numbers gives each column about n · (1/√n) = √n non-zero entries.`,
      );
    }
    const big = expectedStoredEntries([784, 200, 200, 10], 750);
    return right(
      `Right: for the lesson's network at d = 750, about ${Math.round(big).toLocaleString('en-US')} stored numbers, against ${(mlpParameterCount([784, 200, 200, 10]) * 750).toLocaleString('en-US')} for a dense P.`,
    );
  },
  hints: [
    'The network’s tensors are each layer’s weight matrix and its bias vector.',
    'In a tensor of n numbers, each entry of a column is non-zero with probability 1/√n: about n/√n = √n of them.',
    'Add √n over all tensors, then multiply by d, the number of columns.',
  ],
  solution: `storedEntries = (sizes, d) => {
  // The tensors: each layer's weight matrix (n_in · n_out numbers) and its bias (n_out).
  let perColumn = 0;
  for (let i = 0; i + 1 < sizes.length; i++) {
    perColumn += Math.sqrt(sizes[i] * sizes[i + 1]) + Math.sqrt(sizes[i + 1]);
  }
  return d * perColumn;
}`,
};

/** The reference d90: the smallest d whose accuracy reaches 90% of the baseline, else null. */
export function referenceD90(
  points: readonly { readonly d: number; readonly accuracy: number }[],
  baseline: number,
): number | null {
  const bar = 0.9 * baseline;
  const reached = points.filter((p) => p.accuracy >= bar).map((p) => p.d);
  return reached.length === 0 ? null : Math.min(...reached);
}

const D90_CASES: readonly {
  readonly points: readonly { readonly d: number; readonly accuracy: number }[];
  readonly baseline: number;
}[] = [
  // The relative bar (0.9 · 0.98 = 0.882) is reached at d = 500; 90% accuracy only at 1000.
  {
    points: [
      { d: 100, accuracy: 0.71 },
      { d: 250, accuracy: 0.85 },
      { d: 500, accuracy: 0.89 },
      { d: 1000, accuracy: 0.93 },
    ],
    baseline: 0.98,
  },
  // Not sorted by d.
  {
    points: [
      { d: 800, accuracy: 0.8 },
      { d: 200, accuracy: 0.76 },
      { d: 400, accuracy: 0.74 },
      { d: 50, accuracy: 0.4 },
    ],
    baseline: 0.82,
  },
  // Never reached.
  {
    points: [
      { d: 10, accuracy: 0.2 },
      { d: 20, accuracy: 0.3 },
    ],
    baseline: 0.9,
  },
];

const d90: Exercise = {
  name: 'findD90',
  title: 'Find d90 from measured points',
  task: 'Write a function that takes measured points {d, accuracy} and the baseline accuracy and returns d90 as the lesson defines it (null when no point reaches the bar).',
  check(value) {
    if (typeof value !== 'function') {
      return notYet(
        `The cell should return a function (points, baseline) => d; it returned ${shown(value)}.`,
      );
    }
    const f = value as (points: unknown, baseline: number) => unknown;
    for (const [k, c] of D90_CASES.entries()) {
      const got = callReader('Your function', () =>
        f(
          c.points.map((p) => ({ ...p })),
          c.baseline,
        ),
      );
      if (!got.ok) return got.verdict;
      const want = referenceD90(c.points, c.baseline);
      const v = got.value === undefined ? undefined : got.value;
      if (v === want) continue;
      const listed = c.points.map((p) => `(${String(p.d)}, ${String(p.accuracy)})`).join(', ');
      const where = `For points ${listed} and baseline ${String(c.baseline)} you return ${shown(v)}; the answer is ${shown(want)}.`;
      const absolute = c.points.filter((p) => p.accuracy >= 0.9).map((p) => p.d);
      if (k === 0 && v === (absolute.length ? Math.min(...absolute) : null)) {
        return notYet(
          `${where} You used an absolute bar of 90% accuracy; the lesson’s d90 is relative: 90% of the baseline (here 0.9 × 0.98 = 0.882).`,
        );
      }
      if (c.points.some((p) => p.accuracy === v)) {
        return notYet(`${where} That is an accuracy; return the point’s d.`);
      }
      if (k === 1 && typeof v === 'number' && c.points.some((p) => p.d === v)) {
        return notYet(
          `${where} The points are not sorted by d: look for the smallest d that reaches the bar, not the first in the list.`,
        );
      }
      if (k === 2) {
        return notYet(
          `${where} When no point reaches the bar, return null (there is no d90 in the range measured).`,
        );
      }
      return notYet(
        `${where} The bar is 0.9 × baseline; d90 is the smallest d whose accuracy is at least the bar.`,
      );
    }
    return right(
      'Right: the smallest d that reaches 90% of the baseline, whatever the order of the points, and null when none does.',
    );
  },
  hints: [
    'The bar is relative: 90% of the baseline accuracy, not 90% accuracy.',
    'Keep the points whose accuracy is at least the bar; the answer is the smallest d among them.',
    'If no point is kept, return null.',
  ],
  solution: `findD90 = (points, baseline) => {
  const bar = 0.9 * baseline;
  const reached = points.filter((p) => p.accuracy >= bar).map((p) => p.d);
  return reached.length === 0 ? null : Math.min(...reached);
}`,
};

/** The lesson's exercises, easy to hard. */
export const intrinsicDimensionExercises: readonly Exercise[] = [countD, storedEntries, d90];
