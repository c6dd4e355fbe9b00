/**
 * Exercises of the adapter-placement lesson: what LoRA adds to one layer, the largest rank a
 * budget allows on the tiny encoder, and merging the branch into the weight. The counts come
 * from tiny-encoder.ts, checked against the core's accounting in the tests.
 */
import { add, copy, matmul, scale, type Matrix } from './matrix.ts';
import { checkMatrixFunction } from './matrix-check.ts';
import { loraWeights, tinyAdapterWeights } from './tiny-encoder.ts';
import type { Lang } from '../../lib/i18n.ts';
import type { Exercise } from './types.ts';
import { callReader, notYet, right, shown, translator, type Tr } from './verdict.ts';

const PER_MODULE_CASES = [
  [128, 128, 8],
  [128, 512, 4],
  [768, 3072, 1],
] as const;

const loraPerModule = (tr: Tr): Exercise => ({
  name: 'loraPerModule',
  title: tr('What LoRA adds to one layer', 'LoRAが一つの層に追加するもの'),
  task: tr(
    'Write a function of d_in, d_out and the rank r that returns how many weights LoRA adds to one linear layer.',
    'd_in、d_out、ランクrを受け取り、LoRAが線形層一つに追加する重みの個数を返す関数を書いてください。',
  ),
  check(value) {
    if (typeof value !== 'function') {
      return notYet(
        tr(
          `The cell should return a function (dIn, dOut, r) => number; it returned ${shown(value)}.`,
          `セルは「(dIn, dOut, r) => number」の形の関数を返す必要がありますが、${shown(value, tr.lang)}が返されました。`,
        ),
      );
    }
    for (const [dIn, dOut, r] of PER_MODULE_CASES) {
      const got = callReader(
        tr('Your function', 'あなたの関数'),
        () => (value as (a: number, b: number, c: number) => unknown)(dIn, dOut, r),
        tr.lang,
      );
      if (!got.ok) return got.verdict;
      const v = got.value;
      const want = loraWeights(dIn, dOut, r);
      if (v === want) continue;
      const where = tr(
        `For d_in = ${String(dIn)}, d_out = ${String(dOut)}, r = ${String(r)} you return ${shown(v)}; the answer is ${shown(want)}.`,
        `d_in = ${String(dIn)}、d_out = ${String(dOut)}、r = ${String(r)}に対して、あなたの関数は${shown(v, tr.lang)}を返しました。答えは${shown(want, tr.lang)}です。`,
      );
      if (v === r * dIn * dOut)
        return notYet(
          tr(
            `${where} That is r full-size matrices. LoRA’s two factors are thin: A is d_in × r, B is r × d_out.`,
            `${where}それはフルサイズの行列r個分です。LoRAの二つの因子は細長く、Aはd_in × r、Bはr × d_outです。`,
          ),
        );
      if (v === dIn * dOut)
        return notYet(
          tr(
            `${where} That is the weight W itself, which stays frozen.`,
            `${where}それは重みWそのもので、凍結されたままです。`,
          ),
        );
      if (v === r * dIn || v === r * dOut)
        return notYet(
          tr(
            `${where} That is one factor; count both A (d_in × r) and B (r × d_out).`,
            `${where}それは因子一つ分です。A（d_in × r）とB（r × d_out）の両方を数えてください。`,
          ),
        );
      return notYet(
        tr(
          `${where} A has d_in × r entries and B has r × d_out.`,
          `${where}Aにはd_in × r個、Bにはr × d_out個の要素があります。`,
        ),
      );
    }
    return right(
      tr(
        'Right: r·(d_in + d_out), which grows with the layer’s width, not with its area.',
        '正解：r·(d_in + d_out)です。これは層の面積ではなく、幅に比例して増えます。',
      ),
    );
  },
  hints: [
    tr(
      'LoRA adds two matrices to the layer: A and B, with the frozen W left as it is.',
      'LoRAは層に二つの行列AとBを追加します。凍結したWはそのままです。',
    ),
    tr('A is d_in × r and B is r × d_out.', 'Aはd_in × r、Bはr × d_outです。'),
    tr('The count is d_in·r + r·d_out.', '個数はd_in·r + r·d_outです。'),
  ],
  solution: `loraPerModule = (dIn, dOut, r) => r * dIn + r * dOut`,
});

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

const largestRank = (tr: Tr): Exercise => ({
  name: 'largestRank',
  title: tr('The largest rank a budget allows', '予算内で取れる最大のランク'),
  task: tr(
    'Write a function that, for a list of target module names (PEFT’s rule, in every layer of the tiny encoder) and a budget of adapter weights, returns the largest rank r that fits (0 when none does).',
    '対象モジュールの名前のリスト（PEFTの規則で、小さなエンコーダーの各層に適用）とアダプターの重みの予算を受け取り、予算に収まる最大のランクrを返す関数を書いてください（どれも収まらなければ0）。',
  ),
  check(value) {
    if (typeof value !== 'function') {
      return notYet(
        tr(
          `The cell should return a function (modules, budget) => r; it returned ${shown(value)}.`,
          `セルは「(modules, budget) => r」の形の関数を返す必要がありますが、${shown(value, tr.lang)}が返されました。`,
        ),
      );
    }
    for (const { modules, budget } of RANK_CASES) {
      const got = callReader(
        tr('Your function', 'あなたの関数'),
        () => (value as (m: string[], b: number) => unknown)([...modules], budget),
        tr.lang,
      );
      if (!got.ok) return got.verdict;
      const v = got.value;
      const want = referenceLargestRank(modules, budget);
      if (v === want) continue;
      const where = tr(
        `For ${shown(modules)} and a budget of ${budget.toLocaleString('en-US')} you return ${shown(v)}; the answer is ${String(want)}.`,
        `${shown(modules, tr.lang)}と予算${budget.toLocaleString('en-US')}に対して、あなたの関数は${shown(v, tr.lang)}を返しました。答えは${String(want)}です。`,
      );
      const perRank = tinyAdapterWeights(modules, 1);
      if (v === Math.floor(budget / (perRank / 2)))
        return notYet(
          tr(
            `${where} The encoder has two layers, and each gets its own adapters.`,
            `${where}エンコーダーには層が二つあり、それぞれに別々のアダプターが付きます。`,
          ),
        );
      if (modules.includes('output.dense') && v === Math.floor(budget / exactNameCount(modules))) {
        return notYet(
          tr(
            `${where} With PEFT’s rule, "output.dense" adapts every module whose name ends with “.output.dense”: the feed-forward output and attention.output.dense too.`,
            `${where}PEFTの規則では、"output.dense"は名前が「.output.dense」で終わるすべてのモジュールを適応させます。フィードフォワードの出力だけでなく、attention.output.denseもです。`,
          ),
        );
      }
      if (typeof v === 'number' && v === want + 1) {
        return notYet(
          tr(
            `${where} r = ${String(v)} needs ${tinyAdapterWeights(modules, v).toLocaleString('en-US')} weights, over the budget: round down.`,
            `${where}r = ${String(v)}には${tinyAdapterWeights(modules, v).toLocaleString('en-US')}個の重みが必要で、予算を超えます。切り捨ててください。`,
          ),
        );
      }
      if (want === 0)
        return notYet(
          tr(
            `${where} Even r = 1 needs ${perRank.toLocaleString('en-US')} weights: return 0 when nothing fits.`,
            `${where}r = 1でも${perRank.toLocaleString('en-US')}個の重みが必要です。何も収まらないときは0を返してください。`,
          ),
        );
      return notYet(
        tr(
          `${where} At rank r, a module from d_in to d_out adds r·(d_in + d_out) weights in each of the two layers.`,
          `${where}ランクrでは、d_inからd_outへのモジュールは、二つの層のそれぞれでr·(d_in + d_out)個の重みを追加します。`,
        ),
      );
    }
    return right(
      tr(
        'Right: the cost grows linearly in r, so the largest rank is the budget divided by the cost of rank 1, rounded down — with each name adapting every module it matches.',
        '正解：コストはrに比例して増えるので、最大のランクは予算をランク1のコストで割って切り捨てたものです。ただし、各名前は一致するすべてのモジュールを適応させます。',
      ),
    );
  },
  hints: [
    tr(
      'At rank r each adapted module adds r·(d_in + d_out) weights, in each of the 2 layers.',
      'ランクrでは、適応させる各モジュールが、2つの層のそれぞれでr·(d_in + d_out)個の重みを追加します。',
    ),
    tr(
      'A name adapts every module whose name is it or ends with “.” and it: "output.dense" matches two modules per layer.',
      'ある名前は、名前がその名前そのものであるか、「.」とその名前で終わるすべてのモジュールを適応させます。"output.dense"は各層で二つのモジュールに一致します。',
    ),
    tr(
      'Add up d_in + d_out over the matched modules of both layers (the cost of rank 1); the answer is ⌊budget / that⌋.',
      '両方の層の一致したモジュールについてd_in + d_outを足し合わせます（ランク1のコスト）。答えは⌊budget / その和⌋です。',
    ),
  ],
  solution: `largestRank = {
  // ${tr("Every layer's linear modules: [d_in, d_out]. A target name adapts each module whose name is", '各層の線形モジュール：[d_in, d_out]。対象の名前は、名前がその名前そのものであるか、')}
  // ${tr('the target or ends with "." + the target (PEFT\'s rule).', '"." とその名前で終わるすべてのモジュールを適応させる（PEFT の規則）。')}
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
});

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

const mergeWeight = (tr: Tr): Exercise => ({
  name: 'mergeWeight',
  title: tr('Merge the branch into the weight', '分岐を重みにマージする'),
  task: tr(
    'Write a function that merges a LoRA branch into its frozen weight, so that the merged layer computes what the layer and its branch computed together.',
    'LoRAの分岐を凍結した重みにマージする関数を書いてください。マージした層が、元の層と分岐を合わせた計算と同じ結果を出すようにします。',
  ),
  check(value) {
    const c = MERGE_CASE;
    const ab = matmul(c.A, c.B);
    return checkMatrixFunction(value, {
      signature: tr('(W, A, B, alpha, r) => merged W', '(W, A, B, alpha, r) => マージ済みのW'),
      call: (f) => f(copy(c.W), copy(c.A), copy(c.B), c.alpha, c.r),
      rows: 3,
      cols: 4,
      wrongShape: (shape) =>
        tr(
          `The merged weight must have W’s shape, 3 × 4; yours is ${shape}.`,
          `マージした重みはWと同じ形（3 × 4）でなければなりませんが、あなたのものは${shape}です。`,
        ),
      want: referenceMerge(c.W, c.A, c.B, c.alpha, c.r),
      right: tr(
        'Right: W′ = W + (α/r)·AB, so x·W′ = x·W + (α/r)·xAB for every input x: no extra cost at inference.',
        '正解：W′ = W + (α/r)·ABなので、どの入力xでもx·W′ = x·W + (α/r)·xABです。推論時の追加コストはありません。',
      ),
      mistakes: [
        {
          matrix: c.W,
          message: tr(
            'You returned W unchanged; add the branch’s product AB, scaled.',
            'Wをそのまま返しています。分岐の積ABをスケーリングして加えてください。',
          ),
        },
        {
          matrix: add(c.W, ab),
          message: tr(
            'The branch is scaled: the layer computes xW + (α/r)·xAB, so add (α/r)·AB, not AB.',
            '分岐はスケーリングされます。層はxW + (α/r)·xABを計算するので、ABではなく(α/r)·ABを加えてください。',
          ),
        },
        {
          matrix: add(c.W, scale(ab, c.alpha)),
          message: tr(
            'The scale is α/r, not α (here 4/2 = 2).',
            'スケールはαではなくα/rです（ここでは4/2 = 2）。',
          ),
        },
        {
          matrix: add(c.W, scale(ab, c.r / c.alpha)),
          message: tr(
            'The scale is α/r, not r/α (here 4/2 = 2).',
            'スケールはr/αではなくα/rです（ここでは4/2 = 2）。',
          ),
        },
        {
          matrix: scale(c.W, 0),
          message: tr(
            'Your merged weight is all zeros; start from W.',
            'マージした重みがすべてゼロです。Wから始めてください。',
          ),
        },
      ],
      otherwise: tr(
        'Not the merged weight. Check each entry: W′[i][j] = W[i][j] + (α/r)·Σ_k A[i][k]·B[k][j].',
        'マージした重みになっていません。各要素を確かめてください：W′[i][j] = W[i][j] + (α/r)·Σ_k A[i][k]·B[k][j]。',
      ),
      lang: tr.lang,
    });
  },
  hints: [
    tr(
      'The layer computes xW + (α/r)·xAB = x·(W + (α/r)·AB).',
      '層はxW + (α/r)·xAB = x·(W + (α/r)·AB)を計算します。',
    ),
    tr(
      'AB has W’s shape: A is d_in × r and B is r × d_out.',
      'ABはWと同じ形です。Aはd_in × r、Bはr × d_outです。',
    ),
    tr(
      'Multiply A by B, scale by α/r, add W entry by entry.',
      'AとBを掛け、α/rでスケーリングし、要素ごとにWに加えます。',
    ),
  ],
  solution: `mergeWeight = (W, A, B, alpha, r) =>
  W.map((row, i) => row.map((w, j) =>
    w + (alpha / r) * A[i].reduce((sum, a, k) => sum + a * B[k][j], 0)))`,
});

/** The lesson's exercises, easy to hard, in the words of the edition `lang`. */
export function adapterPlacementExercisesIn(lang: Lang): readonly Exercise[] {
  const tr = translator(lang);
  return [loraPerModule(tr), largestRank(tr), mergeWeight(tr)];
}

/** The lesson's exercises in English. */
export const adapterPlacementExercises: readonly Exercise[] = adapterPlacementExercisesIn('en');
