/**
 * Exercises of the first lesson, on the cells themselves and on LoRA's forward pass: a cell that
 * depends on other cells (the slider's r and the counts), a function that refuses a bad rank with
 * an error naming it (as a broken cell shows its error while the rest of the page keeps working),
 * and the forward pass h = xW₀ + (α/r)·xAB on plain arrays. The layer is the lesson's `layer`
 * cell, 768 × 768; test/cells/exercises/checks.test.ts runs that cell and checks it is this one.
 */
import { add, copy, matmul, scale, type Matrix } from './matrix.ts';
import { checkMatrixFunction } from './matrix-check.ts';
import type { Lang } from '../../lib/i18n.ts';
import type { Exercise, Verdict } from './types.ts';
import { notYet, right, shown, translator, type Tr } from './verdict.ts';

/** The lesson's `layer` cell. */
export const NOTEBOOK_LAYER = { dIn: 768, dOut: 768 } as const;

/** The ranks the lesson's slider offers. */
export const SLIDER_RANKS = [1, 2, 3, 4, 5, 6, 7, 8] as const;

/** LoRA's weights at rank k on the lesson's layer: k·(d_in + d_out). */
export function notebookLoraCount(k: number): number {
  return k * (NOTEBOOK_LAYER.dIn + NOTEBOOK_LAYER.dOut);
}

const FULL = NOTEBOOK_LAYER.dIn * NOTEBOOK_LAYER.dOut;

const percentTrained = (tr: Tr): Exercise => ({
  name: 'percentTrained',
  title: tr('A cell that depends on other cells', '他のセルに依存するセル'),
  task: tr(
    'Using the cells above (the slider’s r and counts), return the percentage of the 768 × 768 layer’s weights that LoRA trains at the slider’s rank, so that it follows the slider.',
    '上のセル（スライダーのrとcounts）を使って、スライダーのランクで768 × 768の層の重みのうちLoRAが学習する割合（パーセント）を返し、スライダーに追従させてください。',
  ),
  check(value) {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      return notYet(
        tr(
          `The cell should return a number; it returned ${shown(value)}.`,
          `セルは数値を返す必要がありますが、${shown(value, tr.lang)}が返されました。`,
        ),
      );
    }
    const near = (x: number) => Math.abs(value - x) < 1e-9 * Math.max(1, Math.abs(x));
    for (const k of SLIDER_RANKS) {
      const lora = notebookLoraCount(k);
      if (near((100 * lora) / FULL)) {
        return right(
          tr(
            `Right: at r = ${String(k)}, LoRA trains ${((100 * lora) / FULL).toFixed(2)}% of this layer. Drag the slider: this cell runs again by itself, because it uses r (through counts).`,
            `正解：r = ${String(k)}では、LoRAはこの層の${((100 * lora) / FULL).toFixed(2)}%を学習します。スライダーをドラッグしてみてください。このセルは（countsを通して）rを使っているので、ひとりでに再実行されます。`,
          ),
        );
      }
    }
    if (value === 0)
      return notYet(
        tr(
          'The cell still returns 0: compute it from counts.',
          'セルはまだ0を返しています。countsから計算してください。',
        ),
      );
    for (const k of SLIDER_RANKS) {
      const lora = notebookLoraCount(k);
      if (near(lora / FULL))
        return notYet(
          tr(
            `${shown(value)} is the share as a fraction (r = ${String(k)}); the task asks for a percentage: multiply by 100.`,
            `${shown(value)}は割合を小数で表したものです（r = ${String(k)}）。問われているのはパーセントなので、100を掛けてください。`,
          ),
        );
      if (near(FULL / lora) || near((100 * FULL) / lora))
        return notYet(
          tr(
            `${shown(value)} is upside down: divide LoRA’s count by the full count, not the other way.`,
            `${shown(value)}は分子と分母が逆です。全体の数でLoRAの数を割ってください（その逆ではありません）。`,
          ),
        );
      if (near(lora))
        return notYet(
          tr(
            `${shown(value)} is LoRA’s count of weights at r = ${String(k)}; divide it by the full count and multiply by 100.`,
            `${shown(value)}はr = ${String(k)}でのLoRAの重みの数です。それを全体の数で割り、100を掛けてください。`,
          ),
        );
    }
    if (near(FULL))
      return notYet(
        tr(
          `${shown(value)} is the full layer’s count; the task asks what share of it LoRA trains.`,
          `${shown(value)}は層全体の重みの数です。問われているのは、そのうちLoRAが学習する割合です。`,
        ),
      );
    return notYet(
      tr(
        `${shown(value)} is not LoRA’s share at any rank the slider offers. It is 100 · counts.lora / counts.full.`,
        `${shown(value)}は、スライダーで選べるどのランクでのLoRAの割合とも一致しません。求める値は100 · counts.lora / counts.fullです。`,
      ),
    );
  },
  hints: [
    tr(
      'A cell can use any other cell’s value by its name: here counts.lora and counts.full.',
      'セルは、ほかのセルの値をその名前で使えます。ここではcounts.loraとcounts.fullです。',
    ),
    tr(
      'The share is LoRA’s count divided by the full count; a percentage is that times 100.',
      '割合はLoRAの数を全体の数で割ったもので、パーセントはそれに100を掛けたものです。',
    ),
    'return 100 * counts.lora / counts.full;',
  ],
  solution: `percentTrained = {
  // ${tr("counts (above) holds {full, lora} for the slider's rank r; using it makes this cell follow r.", 'counts（上のセル）は、スライダーのランク r での {full, lora} を持っています。これを使うと、このセルは r に追従します。')}
  return 100 * counts.lora / counts.full;
}`,
});

/** Good ranks the second exercise's function must accept. */
export const GOOD_RANKS = [1, 4, 8] as const;

/** Values that are not ranks, each with why (in English, then in Japanese). */
const BAD_RANKS: readonly { readonly k: unknown; readonly why: string; readonly ja: string }[] = [
  { k: 0, why: 'a rank must be at least 1', ja: 'ランクは1以上でなければなりません' },
  { k: 2.5, why: 'a rank is a whole number', ja: 'ランクは整数です' },
  { k: -3, why: 'a rank must be at least 1', ja: 'ランクは1以上でなければなりません' },
  {
    k: '4',
    why: '"4" is text, not a number (a value typed into a box often is); refuse it rather than guess',
    ja: '"4"は数値ではなく文字列です（入力欄に打ち込まれた値はよくそうなります）。推測せずに拒否してください',
  },
  {
    k: Number.NaN,
    why: 'NaN is not a number of anything',
    ja: 'NaNは何かの数を表す値ではありません',
  },
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

const checkedCount = (tr: Tr): Exercise => ({
  name: 'checkedCount',
  title: tr('An error that says what is wrong', '何が間違っているかを伝えるエラー'),
  task: tr(
    'Write a function of a rank k that returns LoRA’s count of weights on the lesson’s layer, and throws an Error naming k when k is not a whole number of at least 1.',
    'ランクkを受け取り、このレッスンの層でのLoRAの重みの数を返す関数を書いてください。kが1以上の整数でないときは、kを示すErrorを投げます。',
  ),
  check(value): Verdict {
    if (typeof value !== 'function') {
      return notYet(
        tr(
          `The cell should return a function (k) => number; it returned ${shown(value)}.`,
          `セルは「(k) => number」の形の関数を返す必要がありますが、${shown(value, tr.lang)}が返されました。`,
        ),
      );
    }
    const f = value as (k: unknown) => unknown;
    for (const k of GOOD_RANKS) {
      const got = attempt(f, k);
      const want = notebookLoraCount(k);
      if (got.threw)
        return notYet(
          tr(
            `checkedCount(${String(k)}) threw “${messageOf(got.error) ?? String(got.error)}”; a good rank must still give its count, ${shown(want)}.`,
            `checkedCount(${String(k)})が「${messageOf(got.error) ?? String(got.error)}」を投げました。正しいランクには、これまでどおり数（${shown(want, tr.lang)}）を返す必要があります。`,
          ),
        );
      if (got.value !== want)
        return notYet(
          tr(
            `checkedCount(${String(k)}) returned ${shown(got.value)}; it should be ${String(k)} · (${String(NOTEBOOK_LAYER.dIn)} + ${String(NOTEBOOK_LAYER.dOut)}) = ${shown(want)}. Use layer.dIn and layer.dOut.`,
            `checkedCount(${String(k)})が${shown(got.value, tr.lang)}を返しました。正しくは${String(k)} · (${String(NOTEBOOK_LAYER.dIn)} + ${String(NOTEBOOK_LAYER.dOut)}) = ${shown(want, tr.lang)}です。layer.dInとlayer.dOutを使ってください。`,
          ),
        );
    }
    for (const { k, why, ja } of BAD_RANKS) {
      const call = `checkedCount(${typeof k === 'string' ? JSON.stringify(k) : String(k)})`;
      const got = attempt(f, k);
      if (!got.threw)
        return notYet(
          tr(
            `${call} returned ${shown(got.value)} without complaint, but ${why}: throw an Error that says so.`,
            `${call}が何も言わずに${shown(got.value, tr.lang)}を返しました。しかし、${ja}。そう伝えるErrorを投げてください。`,
          ),
        );
      const message = messageOf(got.error);
      if (message === null)
        return notYet(
          tr(
            `${call} threw ${shown(got.error)}, not an Error: write throw new Error("…"), so the page shows it under the cell with its line.`,
            `${call}が投げたのは${shown(got.error, tr.lang)}で、Errorではありません。throw new Error("…")と書けば、ページはそのメッセージを行番号とともにセルの下に表示します。`,
          ),
        );
      if (!message.includes(String(k)))
        return notYet(
          tr(
            `${call} threw “${message}”, which does not name the value it got. Put k in the message (for example \`rank \${k} is not a whole number ≥ 1\`), so whoever reads it knows what to fix.`,
            `${call}が投げた「${message}」は、受け取った値を示していません。読んだ人が何を直せばよいか分かるように、メッセージにkを入れてください（たとえば\`ランク\${k}は1以上の整数ではありません\`）。`,
          ),
        );
    }
    return right(
      tr(
        'Right: good ranks give their count, and a bad one stops with an error that names it. Try it: write checkedCount(0) in another cell, see the error appear under that cell while the cells that do not use it keep working, then press Reset.',
        '正解：正しいランクには数を返し、不正なランクでは、その値を示すエラーで止まります。試してみましょう。別のセルにcheckedCount(0)と書くと、そのセルの下にエラーが表示され、それを使っていないセルは動き続けます。そのあと「リセット」を押してください。',
      ),
    );
  },
  hints: [
    tr(
      'Test k first: Number.isInteger(k) is false for 2.5, NaN and the text "4", and k < 1 catches 0 and negatives.',
      'まずkを調べます。Number.isInteger(k)は2.5、NaN、文字列の"4"に対してfalseになり、k < 1は0と負の数を捕まえます。',
    ),
    tr(
      'throw new Error(…) stops the function; the page shows the message under the cell.',
      'throw new Error(…)で関数は止まり、ページはそのメッセージをセルの下に表示します。',
    ),
    tr(
      'if (!Number.isInteger(k) || k < 1) throw new Error(`rank ${k} is not a whole number ≥ 1`);',
      'if (!Number.isInteger(k) || k < 1) throw new Error(`ランク${k}は1以上の整数ではありません`);',
    ),
  ],
  solution: `checkedCount = (k) => {
  if (!Number.isInteger(k) || k < 1) {
    throw new Error(\`${tr(`rank \${k} (a \${typeof k}) is not a whole number ≥ 1`, `ランク\${k}（\${typeof k}型）は1以上の整数ではありません`)}\`);
  }
  return k * (layer.dIn + layer.dOut);
}`,
});

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

const loraForward = (tr: Tr): Exercise => ({
  name: 'loraForward',
  title: tr('LoRA’s forward pass by hand', 'LoRAの順伝播を手で書く'),
  task: tr(
    'Write the forward pass of a LoRA layer on plain arrays: given x, W₀, A, B and α, return h = xW₀ + (α/r)·xAB, with r the rank of A and B.',
    'LoRA層の順伝播を素の配列で書いてください。x、W₀、A、B、αを受け取り、h = xW₀ + (α/r)·xABを返します。rはAとBのランクです。',
  ),
  check(value) {
    for (const c of FORWARD_CASES) {
      const r = c.A[0].length;
      const base = matmul(c.x, c.W0);
      const xab = matmul(matmul(c.x, c.A), c.B);
      const withScale = (s: number) => add(base, scale(xab, s));
      const sliderScales = SLIDER_RANKS.filter((k) => k !== r).map((k) => ({
        matrix: withScale(c.alpha / k),
        message: tr(
          `You scaled by α/${String(k)}. Here r is the rank of this A and B, A’s number of columns (${String(r)}): read it from A, not from the slider’s r.`,
          `α/${String(k)}でスケーリングしています。ここでのrはこのAとBのランク、つまりAの列数（${String(r)}）です。スライダーのrではなく、Aから読み取ってください。`,
        ),
      }));
      const verdict = checkMatrixFunction(value, {
        signature: '(x, W0, A, B, alpha) => h',
        call: (f) => f(copy(c.x), copy(c.W0), copy(c.A), copy(c.B), c.alpha),
        rows: 2,
        cols: 2,
        wrongShape: (shape) =>
          tr(
            `h must have one row per input and one column per output, 2 × 2; yours is ${shape}.`,
            `hは入力1つにつき1行、出力1つにつき1列の2 × 2でなければなりませんが、あなたのものは${shape}です。`,
          ),
        want: referenceForward(c),
        right: tr('Right', '正解'),
        mistakes: [
          {
            matrix: base,
            message: tr(
              'That is xW₀, the frozen layer alone: add the correction (α/r)·xAB.',
              'それはxW₀、つまり凍結した層だけの出力です。補正項(α/r)·xABを加えてください。',
            ),
          },
          {
            matrix: scale(xab, c.alpha / r),
            message: tr(
              'That is the correction alone: h also holds the frozen layer’s xW₀.',
              'それは補正項だけです。hには凍結した層のxW₀も含まれます。',
            ),
          },
          {
            matrix: withScale(1),
            message: tr(
              'The correction is scaled: add (α/r)·xAB, not xAB.',
              '補正項はスケーリングされます。xABではなく(α/r)·xABを加えてください。',
            ),
          },
          ...(c.alpha !== c.alpha / r
            ? [
                {
                  matrix: withScale(c.alpha),
                  message: tr('The scale is α/r, not α.', 'スケールはαではなくα/rです。'),
                },
              ]
            : []),
          {
            matrix: withScale(r / c.alpha),
            message: tr('The scale is α/r, not r/α.', 'スケールはr/αではなくα/rです。'),
          },
          ...sliderScales,
        ],
        otherwise: tr(
          'Not h. Multiply x by W₀; multiply x by A and that by B, scale it by α/r; add the two.',
          'hになっていません。xにW₀を掛け、xにAを掛けてさらにBを掛けたものをα/rでスケーリングし、両者を足してください。',
        ),
        lang: tr.lang,
      });
      if (!verdict.right) return verdict;
    }
    return right(
      tr(
        'Right: h = xW₀ + (α/r)·xAB, the one formula the course is about. With B all zeros the correction vanishes, which is why LoRA starts as a no-op.',
        '正解：h = xW₀ + (α/r)·xAB。このコース全体が扱うただ一つの式です。Bがすべてゼロなら補正項は消えます。LoRAが何も変えない状態（no-op）から始まるのはそのためです。',
      ),
    );
  },
  hints: [
    tr(
      'Write a small matrix product first: (P, Q) => P.map((row) => Q[0].map((_, j) => …)).',
      'まず小さな行列積を書きます：(P, Q) => P.map((row) => Q[0].map((_, j) => …))。',
    ),
    tr('r is the number of columns of A: A[0].length.', 'rはAの列数、A[0].lengthです。'),
    tr(
      'h[i][j] = (xW₀)[i][j] + (α / r)·(xAB)[i][j], with r = A[0].length.',
      'h[i][j] = (xW₀)[i][j] + (α / r)·(xAB)[i][j]、ただしr = A[0].lengthです。',
    ),
  ],
  solution: `loraForward = {
  const matmul = (P, Q) => P.map((row) => Q[0].map((_, j) => row.reduce((a, v, k) => a + v * Q[k][j], 0)));
  return (x, W0, A, B, alpha) => {
    const rank = A[0].length; // ${tr("the rank of this A and B, not the slider's r", 'この A と B のランク（スライダーの r ではない）')}
    const base = matmul(x, W0);
    const update = matmul(matmul(x, A), B);
    return base.map((row, i) => row.map((v, j) => v + (alpha / rank) * update[i][j]));
  };
}`,
});

/** The lesson's exercises, easy to hard, in the words of the edition `lang`. */
export function howTheseNotebooksWorkExercisesIn(lang: Lang): readonly Exercise[] {
  const tr = translator(lang);
  return [percentTrained(tr), checkedCount(tr), loraForward(tr)];
}

/** The lesson's exercises in English. */
export const howTheseNotebooksWorkExercises: readonly Exercise[] =
  howTheseNotebooksWorkExercisesIn('en');
