/**
 * Exercises of the training-run lesson: the adapters' size for another configuration, a merged
 * hot-swap, and the PEFT file layout. The count comes from tiny-encoder.ts, checked against the
 * core's accounting in the tests.
 */
import { add, copy, matmul, maxGap, scale, transpose, type Matrix } from './matrix.ts';
import { checkMatrixFunction } from './matrix-check.ts';
import { tinyAdapterWeights } from './tiny-encoder.ts';
import type { Lang } from '../../lib/i18n.ts';
import type { Exercise } from './types.ts';
import {
  callReader,
  isMatrix,
  notYet,
  right,
  shapeOf,
  shown,
  translator,
  type Tr,
} from './verdict.ts';

const COUNT_MODULES = ['query', 'value', 'intermediate.dense'] as const;
const COUNT_RANK = 4;

const adapterCount = (tr: Tr): Exercise => ({
  name: 'adapterCount',
  title: tr(
    'How many weights does another configuration train?',
    '別の設定では何個の重みを学習するか',
  ),
  task: tr(
    'Return the number of adapter weights (without the classifier) of LoRA at r = 4 on query, value and intermediate.dense in every layer of the lesson’s encoder.',
    'このレッスンのエンコーダーの各層で、query、value、intermediate.denseにr = 4のLoRAを置いたときの、アダプターの重みの数（分類器は除く）を返してください。',
  ),
  check(value) {
    const want = tinyAdapterWeights(COUNT_MODULES, COUNT_RANK);
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
          `Right: ${want.toLocaleString('en-US')} adapter weights, 2 layers × (1,024 + 1,024 + 2,560).`,
          `正解：アダプターの重みは${want.toLocaleString('en-US')}個、2層 × (1,024 + 1,024 + 2,560)です。`,
        ),
      );
    }
    if (value === 2048)
      return notYet(
        tr(
          '2,048 is the lesson’s default run (r = 2 on query and attention output); count the configuration of this exercise.',
          '2,048はこのレッスンの既定の実行（queryとアテンション出力にr = 2）の数です。この演習の設定で数えてください。',
        ),
      );
    if (value === want / 2)
      return notYet(
        tr(
          `${shown(value)} is one layer’s adapters; the encoder has 2 layers.`,
          `${shown(value)}は1層分のアダプターです。エンコーダーは2層あります。`,
        ),
      );
    if (value === 2 * 3 * COUNT_RANK * 256) {
      return notYet(
        tr(
          `${shown(value)} treats intermediate.dense as 128 → 128; it goes from 128 to 512 (the feed-forward width).`,
          `${shown(value)}はintermediate.denseを128 → 128として数えています。実際は128から512（フィードフォワードの幅）への層です。`,
        ),
      );
    }
    if (value > want && value - want > 10_000)
      return notYet(
        tr(
          `${shown(value)} is too large: count only the adapters’ A and B, not the classifier or the frozen weights.`,
          `${shown(value)}は大きすぎます。数えるのはアダプターのAとBだけで、分類器や凍結した重みは入れません。`,
        ),
      );
    return notYet(
      tr(
        `${shown(value)} is not it. Each adapted module from d_in to d_out adds r·(d_in + d_out) weights, in each of the 2 layers.`,
        `${shown(value, tr.lang)}は正しい数ではありません。d_inからd_outへの各モジュールは、2つの層のそれぞれでr·(d_in + d_out)個の重みを追加します。`,
      ),
    );
  },
  hints: [
    tr(
      'Each adapted module adds A (d_in × r) and B (r × d_out).',
      '適応させる各モジュールは、A（d_in × r）とB（r × d_out）を追加します。',
    ),
    tr(
      'query and value are 128 → 128; intermediate.dense is 128 → 512. There are 2 layers.',
      'queryとvalueは128 → 128、intermediate.denseは128 → 512です。層は2つあります。',
    ),
    tr(
      '2 · 4 · ((128 + 128) + (128 + 128) + (128 + 512)).',
      '2 · 4 · ((128 + 128) + (128 + 128) + (128 + 512))です。',
    ),
  ],
  solution: `adapterCount = {
  const r = 4, layers = 2;
  const modules = [[128, 128], [128, 128], [128, 512]]; // query, value, intermediate.dense
  return layers * modules.reduce((n, [dIn, dOut]) => n + r * (dIn + dOut), 0);
}`,
});

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

const swapMerged = (tr: Tr): Exercise => ({
  name: 'swapMerged',
  title: tr('Swap one merged adapter for another', 'マージしたアダプターを別のものに入れ替える'),
  task: tr(
    'W holds the frozen weight with adapter “from” merged in. Write the function that swaps it for adapter “to”, as the merged hot-swap does.',
    'Wは、凍結した重みにアダプター「from」をマージしたものです。マージによるホットスワップと同じように、それをアダプター「to」に入れ替える関数を書いてください。',
  ),
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
      wrongShape: (shape) =>
        tr(
          `The result must have W’s shape, 2 × 3; yours is ${shape}.`,
          `結果はWと同じ形（2 × 3）でなければなりませんが、あなたのものは${shape}です。`,
        ),
      want: referenceSwap(c.W, c.from, c.to),
      right: tr(
        'Right: subtract s·AB of the adapter that was merged, add s·AB of the new one; swapping back gives the first weight again (up to rounding).',
        '正解：マージされていたアダプターのs·ABを引き、新しいアダプターのs·ABを足します。元に戻すように入れ替えれば、（丸め誤差を除いて）最初の重みに戻ります。',
      ),
      mistakes: [
        {
          matrix: c.W,
          message: tr(
            'You returned W unchanged: “to” is not merged in yet.',
            'Wをそのまま返しています。「to」がまだマージされていません。',
          ),
        },
        {
          matrix: add(c.W, scale(toAB, c.to.s)),
          message: tr(
            'You added the new adapter but left the old one in: W already holds “from”, so subtract its s·AB first.',
            '新しいアダプターを足しましたが、古いアダプターが残っています。Wにはすでに「from」が入っているので、まずそのs·ABを引いてください。',
          ),
        },
        {
          matrix: add(add(c.W, scale(fromAB, -1)), toAB),
          message: tr(
            'Each adapter carries its own scale s: subtract from.s·AB and add to.s·AB.',
            'アダプターはそれぞれ自分のスケールsを持っています。from.s·ABを引き、to.s·ABを足してください。',
          ),
        },
        {
          matrix: add(add(c.W, scale(fromAB, c.from.s)), scale(toAB, -c.to.s)),
          message: tr(
            'The signs are the wrong way round: remove “from”, add “to”.',
            '符号が逆です。「from」を取り除き、「to」を加えてください。',
          ),
        },
      ],
      otherwise: tr(
        'Not the swapped weight. It should be W − from.s·(from.A·from.B) + to.s·(to.A·to.B).',
        '入れ替えた重みになっていません。正しくはW − from.s·(from.A·from.B) + to.s·(to.A·to.B)です。',
      ),
      lang: tr.lang,
    });
  },
  hints: [
    tr(
      'A merged adapter is W₀ + s·AB. To swap, first get W₀ back.',
      'マージしたアダプターはW₀ + s·ABです。入れ替えるには、まずW₀を取り戻します。',
    ),
    tr('W₀ = W − from.s·(from.A · from.B).', 'W₀ = W − from.s·(from.A · from.B)です。'),
    tr('Then add to.s·(to.A · to.B).', 'そこにto.s·(to.A · to.B)を足します。'),
  ],
  solution: `swapMerged = {
  const matmul = (P, Q) => P.map((row) => Q[0].map((_, j) => row.reduce((a, v, k) => a + v * Q[k][j], 0)));
  return (W, from, to) => {
    const out = matmul(from.A, from.B);
    const inn = matmul(to.A, to.B);
    return W.map((row, i) => row.map((w, j) => w - from.s * out[i][j] + to.s * inn[i][j]));
  };
}`,
});

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

const toPeft = (tr: Tr): Exercise => ({
  name: 'toPeft',
  title: tr('The adapter in PEFT’s layout', 'PEFTの形式で表したアダプター'),
  task: tr(
    'Convert our A (d_in × r) and B (r × d_out) to PEFT’s lora_A and lora_B, and return the weight change ΔW as PyTorch stores a linear layer’s weight (d_out × d_in).',
    'ここでのA（d_in × r）とB（r × d_out）をPEFTのlora_Aとlora_Bに変換し、重みの変化ΔWを、PyTorchが線形層の重みを格納する形（d_out × d_in）で返してください。',
  ),
  check(value) {
    if (typeof value !== 'function') {
      return notYet(
        tr(
          `The cell should return a function ({A, B, s}) => ({loraA, loraB, delta}); it returned ${shown(value)}.`,
          `セルは「({A, B, s}) => ({loraA, loraB, delta})」の形の関数を返す必要がありますが、${shown(value, tr.lang)}が返されました。`,
        ),
      );
    }
    const c = PEFT_CASE;
    const got = callReader(
      tr('Your function', 'あなたの関数'),
      () => (value as (x: unknown) => unknown)({ A: copy(c.A), B: copy(c.B), s: c.s }),
      tr.lang,
    );
    if (!got.ok) return got.verdict;
    const { loraA, loraB, delta } = (got.value ?? {}) as Record<string, unknown>;
    const want = referencePeft(c);
    const tol = 1e-9;
    if (!isMatrix(loraA, 2, 3)) {
      return notYet(
        isMatrix(loraA, 3, 2)
          ? tr(
              'loraA has our A’s shape, 3 × 2. PEFT stores lora_A as r × d_in: transpose it.',
              'loraAがここでのAと同じ形（3 × 2）です。PEFTはlora_Aをr × d_inで格納するので、転置してください。',
            )
          : tr(
              `loraA should be r × d_in = 2 × 3; it is ${shapeOf(loraA)}.`,
              `loraAはr × d_in = 2 × 3でなければなりませんが、${shapeOf(loraA, tr.lang)}です。`,
            ),
      );
    }
    if (!isMatrix(loraB, 4, 2)) {
      return notYet(
        isMatrix(loraB, 2, 4)
          ? tr(
              'loraB has our B’s shape, 2 × 4. PEFT stores lora_B as d_out × r: transpose it.',
              'loraBがここでのBと同じ形（2 × 4）です。PEFTはlora_Bをd_out × rで格納するので、転置してください。',
            )
          : tr(
              `loraB should be d_out × r = 4 × 2; it is ${shapeOf(loraB)}.`,
              `loraBはd_out × r = 4 × 2でなければなりませんが、${shapeOf(loraB, tr.lang)}です。`,
            ),
      );
    }
    if (maxGap(loraA, want.loraA) >= tol || maxGap(loraB, want.loraB) >= tol) {
      return notYet(
        tr(
          'The shapes are right but the numbers are not: lora_A[k][i] = A[i][k] and lora_B[j][k] = B[k][j].',
          '形は正しいのですが、数値が違います：lora_A[k][i] = A[i][k]、lora_B[j][k] = B[k][j]です。',
        ),
      );
    }
    if (!isMatrix(delta, 4, 3)) {
      return notYet(
        isMatrix(delta, 2, 2)
          ? tr(
              'delta is r × r: that is lora_A · lora_B. The weight change is lora_B · lora_A (d_out × d_in).',
              'deltaがr × rです。それはlora_A · lora_Bです。重みの変化はlora_B · lora_A（d_out × d_in）です。',
            )
          : tr(
              `delta should be d_out × d_in = 4 × 3; it is ${shapeOf(delta)}.`,
              `deltaはd_out × d_in = 4 × 3でなければなりませんが、${shapeOf(delta, tr.lang)}です。`,
            ),
      );
    }
    if (maxGap(delta, want.delta) < tol) {
      return right(
        tr(
          'Right: ΔW = s·lora_B·lora_A = (s·AB)ᵀ, the update PEFT adds to a PyTorch weight (d_out × d_in) when it merges.',
          '正解：ΔW = s·lora_B·lora_A = (s·AB)ᵀ。PEFTがマージするときにPyTorchの重み（d_out × d_in）に加える更新です。',
        ),
      );
    }
    if (maxGap(delta, scale(want.delta, 1 / c.s)) < tol)
      return notYet(
        tr('delta is missing the scale s = α/r.', 'deltaにスケールs = α/rが掛かっていません。'),
      );
    return notYet(
      tr(
        'delta is not s·lora_B·lora_A. It should equal the transpose of s·A·B.',
        'deltaがs·lora_B·lora_Aになっていません。s·A·Bの転置と等しくなるはずです。',
      ),
    );
  },
  hints: [
    tr(
      'PyTorch stores a linear layer’s weight as d_out × d_in, the transpose of our x·W convention.',
      'PyTorchは線形層の重みをd_out × d_inで格納します。ここでのx·Wという書き方の転置です。',
    ),
    tr(
      'lora_A is Aᵀ (r × d_in) and lora_B is Bᵀ (d_out × r).',
      'lora_AはAᵀ（r × d_in）、lora_BはBᵀ（d_out × r）です。',
    ),
    tr(
      'ΔW = s · lora_B · lora_A, which is (s·A·B)ᵀ.',
      'ΔW = s · lora_B · lora_Aで、これは(s·A·B)ᵀです。',
    ),
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
});

/** The lesson's exercises, easy to hard, in the words of the edition `lang`. */
export function trainingRunExercisesIn(lang: Lang): readonly Exercise[] {
  const tr = translator(lang);
  return [adapterCount(tr), swapMerged(tr), toPeft(tr)];
}

/** The lesson's exercises in English. */
export const trainingRunExercises: readonly Exercise[] = trainingRunExercisesIn('en');
