/**
 * Exercises of the initialisation lesson: which starts are no-ops, which factor moves first, a
 * start that is not a no-op (and what it breaks), and the step-0 gradients by hand. The checks
 * compute the answers from the lesson's formulas on plain matrices.
 */
import type { Lang } from '../../lib/i18n.ts';
import type { Exercise } from './types.ts';
import { copy, matmul, maxAbs, maxGap, scale, transpose, type Matrix } from './matrix.ts';
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

const SCHEME_IDS = ['default', 'zero-both', 'random-both', 'a-zero-b-random', 'gated'] as const;
const NO_OPS = ['default', 'zero-both', 'a-zero-b-random', 'gated'];

const noOpStarts = (tr: Tr): Exercise => ({
  name: 'noOpStarts',
  title: tr('Which starts leave the model unchanged?', 'モデルを変えない始め方はどれか'),
  task: tr(
    'List the ids of the schemes with which the adapted model computes exactly what the base model computes before the first training step.',
    '最初の学習ステップの前に、アダプターを付けたモデルがベースモデルとまったく同じ計算をする方式のidを列挙してください。',
  ),
  check(value) {
    if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
      return notYet(
        tr(
          `The cell should return an array of scheme ids (strings); it returned ${shown(value)}.`,
          `セルは方式のid（文字列）の配列を返す必要がありますが、${shown(value, tr.lang)}が返されました。`,
        ),
      );
    }
    const got = new Set(value);
    const unknown = [...got].filter((id) => !(SCHEME_IDS as readonly string[]).includes(id));
    if (unknown.length > 0) {
      return notYet(
        tr(
          `${unknown.map((u) => `“${u}”`).join(', ')} is not a scheme id; the ids are ${SCHEME_IDS.join(', ')}.`,
          `${unknown.map((u) => `「${u}」`).join('')}は方式のidではありません。idは${SCHEME_IDS.join('、')}です。`,
        ),
      );
    }
    if (got.has('random-both')) {
      return notYet(
        tr(
          '“random-both” is not a no-op: with A and B both random, s·xAB is noise added to the base model’s output from the start.',
          '「random-both」はno-opではありません。AとBがどちらもランダムなら、s·xABは最初からベースモデルの出力に加わるノイズです。',
        ),
      );
    }
    const missing = NO_OPS.filter((id) => !got.has(id));
    if (missing.includes('gated')) {
      return notYet(
        tr(
          '“gated” is missing: A and B are random, but the gate g = 0 multiplies the whole adapter term, so it adds nothing at step 0.',
          '「gated」が抜けています。AとBはランダムですが、ゲートg = 0がアダプターの項全体に掛かるので、ステップ0では何も加わりません。',
        ),
      );
    }
    if (missing.includes('a-zero-b-random')) {
      return notYet(
        tr(
          '“a-zero-b-random” is missing: with A = 0 the product AB is zero whatever B holds.',
          '「a-zero-b-random」が抜けています。A = 0なら、Bが何であっても積ABはゼロです。',
        ),
      );
    }
    if (missing.length > 0) {
      return notYet(
        tr(
          `Still missing: ${missing.join(', ')}. A start is a no-op when the adapter term s·xAB (times the gate, if any) is zero.`,
          `まだ抜けているもの：${missing.join('、')}。アダプターの項s·xAB（ゲートがあればそれを掛けたもの）がゼロなら、その始め方はno-opです。`,
        ),
      );
    }
    return right(
      tr(
        'Right: four of the five start as the base model; only “both random” changes the output before training.',
        '正解：五つのうち四つはベースモデルとして始まります。学習の前に出力を変えるのは「両方ランダム」だけです。',
      ),
    );
  },
  hints: [
    tr(
      'A start is a no-op when the adapter’s term s·xAB is exactly zero for every input.',
      'どの入力に対してもアダプターの項s·xABがちょうどゼロなら、その始め方はno-opです。',
    ),
    tr(
      'A product is zero when either factor is zero — or when a zero gate multiplies it.',
      '積は、どちらかの因子がゼロのとき、あるいはゼロのゲートが掛かるときにゼロになります。',
    ),
    tr(
      'Only one scheme has neither a zero factor nor a zero gate.',
      'ゼロの因子もゼロのゲートも持たない方式は一つだけです。',
    ),
  ],
  solution: `noOpStarts = ["default", "zero-both", "a-zero-b-random", "gated"]`,
});

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

/** {@link WHY} in Japanese. */
const WHY_JA: Readonly<Record<(typeof SCHEME_IDS)[number], string>> = {
  default:
    'B = 0なら∂L/∂A = s·xᵀG·Bᵀ = 0ですが、Aはランダムなので∂L/∂B = s·(xA)ᵀGはゼロではありません',
  'zero-both': 'A = B = 0なら両方の勾配がゼロです。原点は停留点です',
  'random-both': 'AとBがどちらもランダムなら、両方の勾配が非ゼロです',
  'a-zero-b-random': 'A = 0なら∂L/∂B = s·(xA)ᵀG = 0ですが、∂L/∂A = s·xᵀG·Bᵀはゼロではありません',
  gated: 'ゲートg = 0なら、両方の因子の勾配に因子gが掛かって消えます。ゲート自身の勾配は消えません',
};

const firstMovers = (tr: Tr): Exercise => ({
  name: 'firstMovers',
  title: tr('What moves at step 0?', 'ステップ0で動くのは何か'),
  task: tr(
    'For each scheme, list which of "A", "B" and "gate" get a non-zero gradient at the first step.',
    '各方式について、"A"、"B"、"gate"のうちどれが最初のステップで非ゼロの勾配を得るかを列挙してください。',
  ),
  check(value) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return notYet(
        tr(
          `The cell should return an object {scheme: [...]}; it returned ${shown(value)}.`,
          `セルはオブジェクト{scheme: [...]}を返す必要がありますが、${shown(value, tr.lang)}が返されました。`,
        ),
      );
    }
    const answer = value as Record<string, unknown>;
    for (const id of SCHEME_IDS) {
      const got = answer[id];
      if (!Array.isArray(got))
        return notYet(
          tr(
            `“${id}” should map to an array such as ["B"]; it is ${shown(got)}.`,
            `「${id}」には["B"]のような配列を対応させる必要がありますが、${shown(got, tr.lang)}になっています。`,
          ),
        );
      const have = [...new Set(got.map(String))].sort();
      const want = [...MOVES[id]].sort();
      if (have.join() !== want.join()) {
        return notYet(
          tr(
            `“${id}”: you list ${shown(have)}. Look again: ${WHY[id]}.`,
            `「${id}」：あなたの答えは${shown(have, tr.lang)}です。見直してください。${WHY_JA[id]}。`,
          ),
        );
      }
    }
    return right(
      tr(
        'Right: LoRA’s start moves B first, the mirror start moves A first, both-zero never moves, both-random moves everything, and the gate opens first.',
        '正解：LoRAの始め方ではBが先に動き、その鏡像の「Aゼロ、Bランダム」ではAが先に動きます。「両方ゼロ」では何も動かず、「両方ランダム」ではすべてが動き、「ゼロゲート」ではゲートが最初に開きます。',
      ),
    );
  },
  hints: [
    tr(
      'Use the two formulas: ∂L/∂B = s·(xA)ᵀG and ∂L/∂A = s·xᵀG·Bᵀ.',
      '二つの式を使います：∂L/∂B = s·(xA)ᵀGと∂L/∂A = s·xᵀG·Bᵀです。',
    ),
    tr(
      'A factor’s gradient is zero when the other factor is zero.',
      '一方の因子の勾配は、もう一方の因子がゼロのときゼロになります。',
    ),
    tr(
      'For the gated start, every factor gradient is multiplied by g = 0; only ∂L/∂g = s·Σ(xAB)⊙G survives.',
      'ゼロゲートの始め方では、因子の勾配にはすべてg = 0が掛かります。残るのは∂L/∂g = s·Σ(xAB)⊙Gだけです。',
    ),
  ],
  solution: `firstMovers = ({
  "default": ["B"],
  "zero-both": [],
  "random-both": ["A", "B"],
  "a-zero-b-random": ["A"],
  "gated": ["gate"]
})`,
});

const BREAKS = ['output', 'A', 'nothing-moves'] as const;

const notANoOp = (tr: Tr): Exercise => ({
  name: 'notANoOp',
  title: tr('A start that is not a no-op', 'no-opではない始め方'),
  task: tr(
    'Change A (6 × 2) and B (2 × 4) so that the adapter changes the model before training, and predict what that breaks: "output", "A" (A gets no gradient) or "nothing-moves".',
    '学習の前にアダプターがモデルを変えるようにA（6 × 2）とB（2 × 4）を書き換え、それで何が失われるかを予想してください："output"、"A"（Aに勾配が来ない）、"nothing-moves"のいずれかです。',
  ),
  check(value) {
    if (typeof value !== 'object' || value === null) {
      return notYet(
        tr(
          `The cell should return {A, B, breaks}; it returned ${shown(value)}.`,
          `セルは{A, B, breaks}を返す必要がありますが、${shown(value, tr.lang)}が返されました。`,
        ),
      );
    }
    const { A, B, breaks } = value as Record<string, unknown>;
    if (!isMatrix(A, 6, 2))
      return notYet(
        tr(
          `A should be 6 × 2 (6 rows of 2 numbers); it is ${shapeOf(A)}.`,
          `Aは6 × 2（2個の数からなる行が6行）でなければなりませんが、${shapeOf(A, tr.lang)}です。`,
        ),
      );
    if (!isMatrix(B, 2, 4))
      return notYet(
        tr(
          `B should be 2 × 4 (2 rows of 4 numbers); it is ${shapeOf(B)}.`,
          `Bは2 × 4（4個の数からなる行が2行）でなければなりませんが、${shapeOf(B, tr.lang)}です。`,
        ),
      );
    const ab = matmul(A, B);
    if (maxAbs(ab) < 1e-9) {
      if (maxAbs(B) === 0)
        return notYet(
          tr(
            'B is still all zeros, so AB = 0: this is LoRA’s own no-op start. Put some non-zero numbers in B.',
            'Bがまだすべてゼロなので、AB = 0です。これはLoRA自身のno-opの始め方です。Bに非ゼロの数を入れてください。',
          ),
        );
      if (maxAbs(A) === 0)
        return notYet(
          tr(
            'A is all zeros, so AB = 0 whatever B holds: still a no-op.',
            'Aがすべてゼロなので、Bが何であってもAB = 0です。まだno-opです。',
          ),
        );
      return notYet(
        tr(
          'Neither A nor B is zero, but their product AB is: the adapter still adds nothing. Try other numbers.',
          'AもBもゼロではありませんが、積ABがゼロです。アダプターはまだ何も加えません。別の数を試してください。',
        ),
      );
    }
    if (typeof breaks !== 'string' || !(BREAKS as readonly string[]).includes(breaks)) {
      return notYet(
        tr(
          `Your start changes the output. Now predict: breaks should be one of ${BREAKS.map((b) => `"${b}"`).join(', ')}; it is ${shown(breaks)}.`,
          `あなたの始め方は出力を変えます。次は予想です。breaksは${BREAKS.map((b) => `"${b}"`).join('、')}のいずれかでなければなりませんが、${shown(breaks, tr.lang)}になっています。`,
        ),
      );
    }
    if (breaks === 'A') {
      return notYet(
        tr(
          'With B ≠ 0, A’s gradient s·xᵀG·Bᵀ is not zero: A moves from the first step. What is lost is something else.',
          'B ≠ 0なら、Aの勾配s·xᵀG·Bᵀはゼロではありません。Aは最初のステップから動きます。失われるのは別のものです。',
        ),
      );
    }
    if (breaks === 'nothing-moves') {
      return notYet(
        tr(
          'Both factors are non-zero, so both gradients are too: everything moves. Only A = B = 0 (or a closed gate) freezes the adapter.',
          '両方の因子が非ゼロなので、両方の勾配も非ゼロです。すべてが動きます。アダプターが止まったままになるのはA = B = 0（または閉じたゲート）のときだけです。',
        ),
      );
    }
    return right(
      tr(
        `Right: the adapter adds s·xAB ≠ 0 (its largest entry of AB is ${maxAbs(ab).toFixed(3)}), so the model no longer starts as the base model: training first has to undo that noise.`,
        `正解：アダプターはs·xAB ≠ 0を加えるので（ABの要素の最大絶対値は${maxAbs(ab).toFixed(3)}）、モデルはもはやベースモデルとして始まりません。学習はまずそのノイズを打ち消さなければなりません。`,
      ),
    );
  },
  hints: [
    tr(
      'The adapter adds s·xAB. To change the output, AB must not be the zero matrix.',
      'アダプターはs·xABを加えます。出力を変えるには、ABがゼロ行列であってはいけません。',
    ),
    tr(
      'A is already random; B is all zeros. Give B some non-zero numbers.',
      'Aはすでにランダムで、Bはすべてゼロです。Bに非ゼロの数を入れてください。',
    ),
    tr(
      'With both factors non-zero, both gradients flow; what you lose is the guarantee that step 0 equals the base model.',
      '両方の因子が非ゼロなら両方に勾配が流れます。失われるのは、ステップ0でモデルがベースモデルと等しいという保証です。',
    ),
  ],
  solution: `notANoOp = {
  // ${tr('A is 6 × 2 and B is 2 × 4 (d_in = 6, rank r = 2, d_out = 4), as arrays of rows.', 'A は 6 × 2、B は 2 × 4（d_in = 6、ランクr = 2、d_out = 4）。どちらも行の配列。')}
  const A = [[0.3, -0.1], [0.2, 0.4], [-0.5, 0.1], [0.1, 0.1], [0.0, -0.3], [0.2, 0.2]];
  const B = [[0.1, -0.2, 0.05, 0.3], [-0.1, 0.2, 0.1, 0.0]];
  // ${tr('What goes wrong at step 0: "output", "A" (A gets no gradient) or "nothing-moves".', 'ステップ0で何が失われるか："output"、"A"（A に勾配が来ない）、"nothing-moves" のいずれか。')}
  const breaks = "output";
  return {A, B, breaks};
}`,
});

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

const adapterGradients = (tr: Tr): Exercise => ({
  name: 'adapterGradients',
  title: tr('The gradients of A and B, by hand', 'AとBの勾配を手で求める'),
  task: tr(
    'Complete the function that returns ∂L/∂A and ∂L/∂B of h = xW₀ + s·xAB, given x, A, B, G = ∂L/∂h and s.',
    'x、A、B、G = ∂L/∂h、sを受け取り、h = xW₀ + s·xABに対する∂L/∂Aと∂L/∂Bを返す関数を完成させてください。',
  ),
  check(value) {
    if (typeof value !== 'function') {
      return notYet(
        tr(
          `The cell should return a function ({x, A, B, G, s}) => ({dA, dB}); it returned ${shown(value)}.`,
          `セルは「({x, A, B, G, s}) => ({dA, dB})」の形の関数を返す必要がありますが、${shown(value, tr.lang)}が返されました。`,
        ),
      );
    }
    const c = GRAD_CASE;
    const got = callReader(
      tr('Your function', 'あなたの関数'),
      () =>
        (value as (c: unknown) => unknown)({
          x: copy(c.x),
          A: copy(c.A),
          B: copy(c.B),
          G: copy(c.G),
          s: c.s,
        }),
      tr.lang,
    );
    if (!got.ok) return got.verdict;
    const out = got.value as { dA?: unknown; dB?: unknown } | null;
    const want = referenceGradients(c);
    const { dA, dB } = out ?? {};
    if (!isMatrix(dB, 2, 4))
      return notYet(
        tr(
          `dB should have B’s shape, 2 × 4; yours is ${shapeOf(dB)}.`,
          `dBはBと同じ形（2 × 4）でなければなりませんが、あなたのものは${shapeOf(dB, tr.lang)}です。`,
        ),
      );
    if (!isMatrix(dA, 3, 2))
      return notYet(
        tr(
          `dA should have A’s shape, 3 × 2; yours is ${shapeOf(dA)}.`,
          `dAはAと同じ形（3 × 2）でなければなりませんが、あなたのものは${shapeOf(dA, tr.lang)}です。`,
        ),
      );
    const tol = 1e-9;
    const okA = maxGap(dA, want.dA) < tol;
    const okB = maxGap(dB, want.dB) < tol;
    if (okA && okB)
      return right(
        tr(
          'Right: ∂L/∂B = s·(xA)ᵀG and ∂L/∂A = s·xᵀG·Bᵀ, matching the lesson’s derivation.',
          '正解：∂L/∂B = s·(xA)ᵀG、∂L/∂A = s·xᵀG·Bᵀで、このレッスンの導出と一致します。',
        ),
      );
    if (maxAbs(dA) === 0 && maxAbs(dB) === 0)
      return notYet(
        tr(
          'Both gradients are still zeros: compute them from x, A, B, G and s.',
          '両方の勾配がまだゼロです。x、A、B、G、sから計算してください。',
        ),
      );
    const unscaled = referenceGradients({ ...c, s: 1 });
    if ((okA || maxGap(dA, unscaled.dA) < tol) && (okB || maxGap(dB, unscaled.dB) < tol)) {
      return notYet(
        tr(
          'Off by a factor of s: the adapter’s term is s·xAB, so both gradients carry s.',
          'sの分だけずれています。アダプターの項はs·xABなので、両方の勾配にsが掛かります。',
        ),
      );
    }
    if (!okB)
      return notYet(
        tr(
          'dB is wrong. B sees xA as its input: ∂L/∂B = s·(xA)ᵀG.',
          'dBが違います。Bへの入力はxAです：∂L/∂B = s·(xA)ᵀG。',
        ),
      );
    return notYet(
      tr(
        'dB is right; dA is wrong. A sits between x and B: ∂L/∂A = s·xᵀ·G·Bᵀ.',
        'dBは正しく、dAが違います。AはxとBの間にあります：∂L/∂A = s·xᵀ·G·Bᵀ。',
      ),
    );
  },
  hints: [
    tr(
      'For a linear map y = u·M, the gradient with respect to M is uᵀ·(∂L/∂y).',
      '線形写像y = u·Mでは、Mに関する勾配はuᵀ·(∂L/∂y)です。',
    ),
    tr(
      'B’s input is u = xA, scaled by s. For A, the gradient flowing back to xA is G·Bᵀ.',
      'Bへの入力はu = xAで、sでスケーリングされます。Aについては、xAに逆伝播してくる勾配がG·Bᵀです。',
    ),
    tr(
      'dB = s·(xA)ᵀG; dA = s·xᵀ(G·Bᵀ). Use the matmul and transpose helpers.',
      'dB = s·(xA)ᵀG、dA = s·xᵀ(G·Bᵀ)です。補助関数のmatmulとtransposeを使ってください。',
    ),
  ],
  solution: `adapterGradients = {
  // ${tr('Plain matrices (arrays of rows) and two helpers.', '素の行列（行の配列）と二つの補助関数。')}
  const matmul = (P, Q) => P.map((row) => Q[0].map((_, j) => row.reduce((a, v, k) => a + v * Q[k][j], 0)));
  const transpose = (P) => P[0].map((_, j) => P.map((row) => row[j]));
  return ({x, A, B, G, s}) => {
    const dA = matmul(matmul(transpose(x), G), transpose(B)).map((row) => row.map((v) => s * v));
    const dB = matmul(transpose(matmul(x, A)), G).map((row) => row.map((v) => s * v));
    return {dA, dB};
  };
}`,
});

/** The lesson's exercises, easy to hard, in the words of the edition `lang`. */
export function initialisationExercisesIn(lang: Lang): readonly Exercise[] {
  const tr = translator(lang);
  return [noOpStarts(tr), firstMovers(tr), notANoOp(tr), adapterGradients(tr)];
}

/** The lesson's exercises in English. */
export const initialisationExercises: readonly Exercise[] = initialisationExercisesIn('en');
