/**
 * Exercises of the intrinsic-dimension lesson: count D, size the sparse projection, and find d90
 * from measured points. Each check computes the answer itself (the parameter count as the core's
 * accounting does; test/cells/exercises.test.ts checks that both agree).
 */
import type { Lang } from '../../lib/i18n.ts';
import type { Exercise } from './types.ts';
import { callReader, notYet, right, shown, translator, type Tr } from './verdict.ts';

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

const countD = (tr: Tr): Exercise => ({
  name: 'countD',
  title: tr('Count the weights of a small network', '小さなネットワークの重みを数える'),
  task: tr(
    'Return D, the number of trainable numbers of the fully connected network 784 → 100 → 10 with a bias on every layer.',
    'すべての層にバイアスがある全結合ネットワーク784 → 100 → 10の、学習可能な数の個数Dを返してください。',
  ),
  check(value) {
    const want = mlpParameterCount(COUNT_SIZES);
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      return notYet(
        tr(
          `The cell should return a number; it returned ${shown(value)}.`,
          `セルは数値を返す必要がありますが、${shown(value, tr.lang)}が返されました。`,
        ),
      );
    }
    if (value === want) {
      return right(
        tr(
          `Right: D = ${shown(want)} (78,400 + 100 in the first layer, 1,000 + 10 in the second).`,
          `正解：D = ${shown(want, tr.lang)}（1層目が78,400 + 100、2層目が1,000 + 10）。`,
        ),
      );
    }
    if (value === 0)
      return notYet(
        tr(
          'The cell still returns 0: add up each layer’s numbers.',
          'セルはまだ0を返しています。各層の数を足し合わせてください。',
        ),
      );
    if (value === 784 * 100 + 100 * 10) {
      return notYet(
        tr(
          `${shown(value)} counts the weight matrices but not the biases: each layer also has one bias per output unit.`,
          `${shown(value)}は重み行列だけを数えていて、バイアスが入っていません。各層には出力ユニット1つにつき1つのバイアスもあります。`,
        ),
      );
    }
    if (value === 784 * 100 || value === 784 * 100 + 100) {
      return notYet(
        tr(
          `${shown(value)} is only the first layer; the second layer (100 → 10) counts too.`,
          `${shown(value)}は1層目だけです。2層目（100 → 10）も数に入ります。`,
        ),
      );
    }
    if (value === 784 + 100 + 10) {
      return notYet(
        tr(
          'That is the number of units, not of weights: a layer from n to m units has n·m weights.',
          'それはユニットの数で、重みの数ではありません。n個のユニットからm個のユニットへの層にはn·m個の重みがあります。',
        ),
      );
    }
    return notYet(
      tr(
        `${shown(value)} is not D. A layer from n units to m units holds n·m weights and m biases; add both layers.`,
        `${shown(value)}はDではありません。n個のユニットからm個のユニットへの層は、n·m個の重みとm個のバイアスを持ちます。両方の層を足してください。`,
      ),
    );
  },
  hints: [
    tr(
      'A layer from n inputs to m outputs multiplies by an n × m matrix and adds m biases.',
      '入力n個から出力m個への層は、n × mの行列を掛けてm個のバイアスを足します。',
    ),
    tr(
      'There are two layers: 784 → 100 and 100 → 10.',
      '層は2つあります：784 → 100と100 → 10です。',
    ),
    tr('D = (784 + 1)·100 + (100 + 1)·10.', 'D = (784 + 1)·100 + (100 + 1)·10です。'),
  ],
  solution: `countD = {
  // ${tr('The network 784 → 100 → 10, with a bias on every layer.', 'ネットワーク 784 → 100 → 10。すべての層にバイアスがある。')}
  const sizes = [784, 100, 10];
  let count = 0;
  for (let i = 0; i + 1 < sizes.length; i++) {
    count += sizes[i] * sizes[i + 1] + sizes[i + 1]; // ${tr('weights and biases of layer i', '層 i の重みとバイアス')}
  }
  return count;
}`,
});

const CASES: readonly { readonly sizes: readonly number[]; readonly d: number }[] = [
  { sizes: [784, 200, 200, 10], d: 750 },
  { sizes: [8, 6, 3], d: 4 },
  { sizes: [64, 16, 10], d: 100 },
];

const storedEntries = (tr: Tr): Exercise => ({
  name: 'storedEntries',
  title: tr('How big is the sparse projection?', '疎な射影はどれくらいの大きさか'),
  task: tr(
    'Write a function of the layer sizes and d that returns how many non-zero numbers the sparse projection P is expected to hold.',
    '層のサイズとdを受け取り、疎な射影Pが持つ非ゼロ要素の数の期待値を返す関数を書いてください。',
  ),
  check(value) {
    if (typeof value !== 'function') {
      return notYet(
        tr(
          `The cell should return a function (sizes, d) => number; it returned ${shown(value)}.`,
          `セルは「(sizes, d) => number」の形の関数を返す必要がありますが、${shown(value, tr.lang)}が返されました。`,
        ),
      );
    }
    const f = value as (sizes: number[], d: number) => unknown;
    for (const { sizes, d } of CASES) {
      const got = callReader(
        tr(
          `Your function, called with ([${sizes.join(', ')}], ${String(d)}),`,
          `([${sizes.join(', ')}], ${String(d)})で呼び出したあなたの関数`,
        ),
        () => f([...sizes], d),
        tr.lang,
      );
      if (!got.ok) return got.verdict;
      const want = expectedStoredEntries(sizes, d);
      const v = got.value;
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        return notYet(
          tr(
            `For ([${sizes.join(', ')}], ${String(d)}) your function returned ${shown(v)}, not a number.`,
            `([${sizes.join(', ')}], ${String(d)})に対して、あなたの関数は数値ではなく${shown(v, tr.lang)}を返しました。`,
          ),
        );
      }
      if (Math.abs(v - want) <= 1e-6 * want) continue;
      const D = mlpParameterCount(sizes);
      const close = (x: number): boolean => Math.abs(v - x) <= 1e-6 * Math.max(1, x);
      const where = tr(
        `For sizes [${sizes.join(', ')}] and d = ${String(d)} you get ${v.toFixed(1)}, expected ${want.toFixed(1)}.`,
        `サイズ[${sizes.join(', ')}]、d = ${String(d)}で、あなたの値は${v.toFixed(1)}、期待値は${want.toFixed(1)}です。`,
      );
      if (close(d * Math.sqrt(D))) {
        return notYet(
          tr(
            `${where} You treated θ as one tensor of D numbers; P is drawn tensor by tensor, each with its own n.`,
            `${where}θをD個の数からなる1つのテンソルとして扱っています。Pはテンソルごとに、それぞれのnで作られます。`,
          ),
        );
      }
      if (close(want / d))
        return notYet(
          tr(
            `${where} That is one column; P has d columns.`,
            `${where}それは1列分です。Pにはd列あります。`,
          ),
        );
      if (close(d * D))
        return notYet(
          tr(
            `${where} That is a dense P: every entry stored. Only about 1/√n of a tensor’s n entries are non-zero.`,
            `${where}それは密なP、つまりすべての要素を保存した場合です。テンソルのn個の要素のうち、非ゼロなのは約1/√nだけです。`,
          ),
        );
      const weightsOnly =
        d *
        mlpTensorSizes(sizes)
          .filter((_, i) => i % 2 === 0)
          .reduce((a, n) => a + Math.sqrt(n), 0);
      if (close(weightsOnly))
        return notYet(
          tr(
            `${where} The biases are tensors too: each adds about √n entries per column.`,
            `${where}バイアスもテンソルです。それぞれ1列につき約√n個の要素を加えます。`,
          ),
        );
      return notYet(
        tr(
          `${where} A tensor of n numbers gives each column about n · (1/√n) = √n non-zero entries.`,
          `${where}n個の数からなるテンソルは、各列に約n · (1/√n) = √n個の非ゼロ要素を与えます。`,
        ),
      );
    }
    const big = expectedStoredEntries([784, 200, 200, 10], 750);
    return right(
      tr(
        `Right: for the lesson's network at d = 750, about ${Math.round(big).toLocaleString('en-US')} stored numbers, against ${(mlpParameterCount([784, 200, 200, 10]) * 750).toLocaleString('en-US')} for a dense P.`,
        `正解：このレッスンのネットワークでd = 750なら、保存される数は約${Math.round(big).toLocaleString('en-US')}個です。密なPなら${(mlpParameterCount([784, 200, 200, 10]) * 750).toLocaleString('en-US')}個になります。`,
      ),
    );
  },
  hints: [
    tr(
      'The network’s tensors are each layer’s weight matrix and its bias vector.',
      'ネットワークのテンソルは、各層の重み行列とそのバイアスベクトルです。',
    ),
    tr(
      'In a tensor of n numbers, each entry of a column is non-zero with probability 1/√n: about n/√n = √n of them.',
      'n個の数からなるテンソルでは、列の各要素が確率1/√nで非ゼロになります。つまり約n/√n = √n個です。',
    ),
    tr(
      'Add √n over all tensors, then multiply by d, the number of columns.',
      'すべてのテンソルについて√nを足し、列の数dを掛けます。',
    ),
  ],
  solution: `storedEntries = (sizes, d) => {
  // ${tr("The tensors: each layer's weight matrix (n_in · n_out numbers) and its bias (n_out).", 'テンソルは、各層の重み行列（n_in · n_out 個の数）とそのバイアス（n_out 個）。')}
  let perColumn = 0;
  for (let i = 0; i + 1 < sizes.length; i++) {
    perColumn += Math.sqrt(sizes[i] * sizes[i + 1]) + Math.sqrt(sizes[i + 1]);
  }
  return d * perColumn;
}`,
});

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

const d90 = (tr: Tr): Exercise => ({
  name: 'findD90',
  title: tr('Find d90 from measured points', '測定点からd90を求める'),
  task: tr(
    'Write a function that takes measured points {d, accuracy} and the baseline accuracy and returns d90 as the lesson defines it (null when no point reaches the bar).',
    '測定点{d, accuracy}とベースラインの正解率を受け取り、このレッスンの定義によるd90を返す関数を書いてください（基準に届く点がなければnull）。',
  ),
  check(value) {
    if (typeof value !== 'function') {
      return notYet(
        tr(
          `The cell should return a function (points, baseline) => d; it returned ${shown(value)}.`,
          `セルは「(points, baseline) => d」の形の関数を返す必要がありますが、${shown(value, tr.lang)}が返されました。`,
        ),
      );
    }
    const f = value as (points: unknown, baseline: number) => unknown;
    for (const [k, c] of D90_CASES.entries()) {
      const got = callReader(
        tr('Your function', 'あなたの関数'),
        () =>
          f(
            c.points.map((p) => ({ ...p })),
            c.baseline,
          ),
        tr.lang,
      );
      if (!got.ok) return got.verdict;
      const want = referenceD90(c.points, c.baseline);
      const v = got.value === undefined ? undefined : got.value;
      if (v === want) continue;
      const listed = c.points.map((p) => `(${String(p.d)}, ${String(p.accuracy)})`).join(', ');
      const where = tr(
        `For points ${listed} and baseline ${String(c.baseline)} you return ${shown(v)}; the answer is ${shown(want)}.`,
        `点${listed}とベースライン${String(c.baseline)}に対して、あなたの関数は${shown(v, tr.lang)}を返しました。答えは${shown(want, tr.lang)}です。`,
      );
      const absolute = c.points.filter((p) => p.accuracy >= 0.9).map((p) => p.d);
      if (k === 0 && v === (absolute.length ? Math.min(...absolute) : null)) {
        return notYet(
          tr(
            `${where} You used an absolute bar of 90% accuracy; the lesson’s d90 is relative: 90% of the baseline (here 0.9 × 0.98 = 0.882).`,
            `${where}正解率90%という絶対的な基準を使っています。このレッスンのd90は相対的で、ベースラインの90%です（ここでは0.9 × 0.98 = 0.882）。`,
          ),
        );
      }
      if (c.points.some((p) => p.accuracy === v)) {
        return notYet(
          tr(
            `${where} That is an accuracy; return the point’s d.`,
            `${where}それは正解率です。その点のdを返してください。`,
          ),
        );
      }
      if (k === 1 && typeof v === 'number' && c.points.some((p) => p.d === v)) {
        return notYet(
          tr(
            `${where} The points are not sorted by d: look for the smallest d that reaches the bar, not the first in the list.`,
            `${where}点はdの順に並んでいません。リストの最初の点ではなく、基準に届く最小のdを探してください。`,
          ),
        );
      }
      if (k === 2) {
        return notYet(
          tr(
            `${where} When no point reaches the bar, return null (there is no d90 in the range measured).`,
            `${where}基準に届く点がないときはnullを返してください（測定した範囲にd90はありません）。`,
          ),
        );
      }
      return notYet(
        tr(
          `${where} The bar is 0.9 × baseline; d90 is the smallest d whose accuracy is at least the bar.`,
          `${where}基準は0.9 × ベースラインです。d90は、正解率が基準以上になる最小のdです。`,
        ),
      );
    }
    return right(
      tr(
        'Right: the smallest d that reaches 90% of the baseline, whatever the order of the points, and null when none does.',
        '正解：点の並び順によらず、ベースラインの90%に届く最小のdを返し、届く点がなければnullを返します。',
      ),
    );
  },
  hints: [
    tr(
      'The bar is relative: 90% of the baseline accuracy, not 90% accuracy.',
      '基準は相対的です。正解率90%ではなく、ベースラインの正解率の90%です。',
    ),
    tr(
      'Keep the points whose accuracy is at least the bar; the answer is the smallest d among them.',
      '正解率が基準以上の点を残します。答えはその中で最小のdです。',
    ),
    tr('If no point is kept, return null.', '残る点がなければnullを返します。'),
  ],
  solution: `findD90 = (points, baseline) => {
  const bar = 0.9 * baseline;
  const reached = points.filter((p) => p.accuracy >= bar).map((p) => p.d);
  return reached.length === 0 ? null : Math.min(...reached);
}`,
});

/** The lesson's exercises, easy to hard, in the words of the edition `lang`. */
export function intrinsicDimensionExercisesIn(lang: Lang): readonly Exercise[] {
  const tr = translator(lang);
  return [countD(tr), storedEntries(tr), d90(tr)];
}

/** The lesson's exercises in English. */
export const intrinsicDimensionExercises: readonly Exercise[] = intrinsicDimensionExercisesIn('en');
