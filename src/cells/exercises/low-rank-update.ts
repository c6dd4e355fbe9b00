/**
 * Exercises of the low-rank-update lesson: the energy share of a small spectrum by hand, the
 * effective rank as a function, and the best rank-r cut of a matrix given its SVD with its error
 * (Eckart–Young). The energy share and the effective rank are the lesson's own functions
 * (experiments/lowrank/linalg.ts, pure: ml-matrix is not loaded for them); the cut's reference is
 * checked against that module's SVD and truncation in test/cells/exercises/checks.test.ts.
 */
import { effectiveRank, energyShare } from '../../experiments/lowrank/linalg.ts';
import { add, copy, matmul, scale, transpose, type Matrix } from './matrix.ts';
import { judgeMatrix } from './matrix-check.ts';
import type { Lang } from '../../lib/i18n.ts';
import type { Exercise } from './types.ts';
import { callReader, notYet, right, shown, translator, type Tr } from './verdict.ts';

/** The spectrum of the first exercise: ΔW's singular values, largest first. */
export const SHARE_SPECTRUM = [4, 2, 1, 1] as const;
/** How many top directions the first exercise asks about. */
export const SHARE_TOP = 2;

/** The squared singular values of the first exercise, as a reader writes them ("16 + 4"). */
const SQUARES = SHARE_SPECTRUM.map((v) => String(v * v));
const TOP_SQUARES = SQUARES.slice(0, SHARE_TOP).join(' + ');
const ALL_SQUARES = SQUARES.join(' + ');

/** A typed-in answer worked out by hand counts as right within this gap (three decimals). */
const BY_HAND = 5e-4;

const topTwoShare = (tr: Tr): Exercise => ({
  name: 'topTwoShare',
  title: tr('The energy in the top two directions, by hand', '上位2方向のエネルギーを手で求める'),
  task: tr(
    'A weight update has singular values 4, 2, 1 and 1. Return the share of its squared Frobenius norm that its top two singular directions hold, as a fraction.',
    '重みの更新の特異値が4、2、1、1だとします。その上位2つの特異方向が、フロベニウスノルムの2乗のうちどれだけの割合を占めるかを、小数の割合で返してください。',
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
    const s = SHARE_SPECTRUM;
    const want = energyShare(s, SHARE_TOP);
    const near = (x: number) => Math.abs(value - x) < BY_HAND;
    if (near(want)) {
      return right(
        tr(
          `Right: (${TOP_SQUARES}) / (${ALL_SQUARES}) = ${want.toFixed(3)}. ${String(SHARE_TOP)} of ${String(s.length)} directions hold ${(100 * want).toFixed(1)}% of the update’s energy.`,
          `正解：(${TOP_SQUARES}) / (${ALL_SQUARES}) = ${want.toFixed(3)}。${String(s.length)}方向のうち${String(SHARE_TOP)}方向が、更新のエネルギーの${(100 * want).toFixed(1)}%を占めます。`,
        ),
      );
    }
    const sum = s.reduce((a, v) => a + v, 0);
    if (value === 0)
      return notYet(
        tr(
          'The cell still returns 0: compute the share from s.',
          'セルはまだ0を返しています。sから割合を計算してください。',
        ),
      );
    if (near((s[0] + s[1]) / sum))
      return notYet(
        tr(
          'That is the share of the singular values themselves. The energy is ‖ΔW‖²_F = Σσ²: square each value first.',
          'それは特異値そのものの割合です。エネルギーは‖ΔW‖²_F = Σσ²なので、まず各値を2乗してください。',
        ),
      );
    if (near(SHARE_TOP / s.length))
      return notYet(
        tr(
          'That is the share of the directions (2 of 4), not of the energy: weigh each direction by σ².',
          'それは方向の数の割合（4つのうち2つ）で、エネルギーの割合ではありません。各方向をσ²で重み付けしてください。',
        ),
      );
    if (Math.abs(value / 100 - want) < BY_HAND)
      return notYet(
        tr(
          'That is a percentage; return the share as a fraction between 0 and 1.',
          'それはパーセントです。割合は0から1の間の小数で返してください。',
        ),
      );
    if (near(1 - want))
      return notYet(
        tr(
          'That is the share the other directions hold (the tail); the question asks for the top two.',
          'それは残りの方向（裾）が占める割合です。問われているのは上位2方向です。',
        ),
      );
    if (near(energyShare(s, 1)))
      return notYet(
        tr(
          'That is the top direction alone; add the second one.',
          'それは最上位の方向だけです。2番目の方向も加えてください。',
        ),
      );
    if (near(Math.sqrt(want)))
      return notYet(
        tr(
          'That is a ratio of norms, ‖ΔW₂‖ / ‖ΔW‖. The energy share is a ratio of squared norms: drop the square root.',
          'それはノルムの比‖ΔW₂‖ / ‖ΔW‖です。エネルギーの割合はノルムの2乗の比なので、平方根を取らないでください。',
        ),
      );
    return notYet(
      tr(
        `${shown(value)} is not the share. Add σ² over the top two values and divide by Σσ² over all four.`,
        `${shown(value)}は求める割合ではありません。上位2つの値のσ²を足し、4つすべてのΣσ²で割ってください。`,
      ),
    );
  },
  hints: [
    tr(
      'The energy of ΔW is ‖ΔW‖²_F, which is the sum of its squared singular values.',
      'ΔWのエネルギーは‖ΔW‖²_Fで、特異値の2乗の和に等しくなります。',
    ),
    tr(
      `Square the four values: ${SQUARES.join(', ')}.`,
      `4つの値を2乗します：${SQUARES.join('、')}。`,
    ),
    tr(
      `The top two hold ${TOP_SQUARES} of the total ${ALL_SQUARES}.`,
      `合計${ALL_SQUARES}のうち、上位2つが${TOP_SQUARES}を占めます。`,
    ),
  ],
  solution: `topTwoShare = {
  const s = [4, 2, 1, 1]; // ${tr('the singular values of ΔW, largest first', 'ΔW の特異値（大きい順）')}
  const energy = s.map((v) => v * v);
  const total = energy.reduce((a, e) => a + e, 0);
  return (energy[0] + energy[1]) / total;
}`,
});

/** The spectra the effective-rank exercise is tried on (a zero value among them). */
export const RANK_SPECTRA: readonly (readonly number[])[] = [
  [2, 2, 2, 2],
  [5, 0, 0],
  [5, 3, 2, 0.5],
  [3, 1, 1, 0],
];

/** exp of the entropy of `weights` normalised to sum to 1, with `log` for the entropy's log. */
function entropyRank(weights: readonly number[], log: (x: number) => number): number {
  const total = weights.reduce((a, v) => a + v, 0);
  let h = 0;
  for (const w of weights) if (w > 0) h -= (w / total) * log(w / total);
  return Math.exp(h);
}

const effectiveRankOf = (tr: Tr): Exercise => ({
  name: 'effectiveRankOf',
  title: tr('Write the effective rank', '実効ランクを書く'),
  task: tr(
    'Write a function that takes a list of singular values and returns their effective rank as the lesson defines it (Roy & Vetterli): exp of the entropy of the values normalised to sum to one.',
    '特異値のリストを受け取り、このレッスンの定義による実効ランク（Roy & Vetterli）を返す関数を書いてください。和が1になるように正規化した値のエントロピーのexpです。',
  ),
  check(value) {
    if (typeof value !== 'function') {
      return notYet(
        tr(
          `The cell should return a function (s) => number; it returned ${shown(value)}.`,
          `セルは「(s) => number」の形の関数を返す必要がありますが、${shown(value, tr.lang)}が返されました。`,
        ),
      );
    }
    for (const s of RANK_SPECTRA) {
      const got = callReader(
        tr('Your function', 'あなたの関数'),
        () => (value as (s: number[]) => unknown)([...s]),
        tr.lang,
      );
      if (!got.ok) return got.verdict;
      const v = got.value;
      const want = effectiveRank(s);
      if (typeof v === 'number' && Math.abs(v - want) < 1e-9) continue;
      const where = tr(
        `For s = ${shown(s)} you return ${shown(v)}; the effective rank is ${want.toFixed(4)}.`,
        `s = ${shown(s, tr.lang)}に対して、あなたの関数は${shown(v, tr.lang)}を返しました。実効ランクは${want.toFixed(4)}です。`,
      );
      const near = (x: number) => typeof v === 'number' && Math.abs(v - x) < 1e-9;
      if (typeof v === 'number' && Number.isNaN(v) && s.includes(0))
        return notYet(
          tr(
            `${where} A zero singular value gives 0·log 0, which is NaN in JavaScript; its term is 0 (leave it out of the sum).`,
            `${where}ゼロの特異値は0·log 0を与え、JavaScriptではNaNになります。その項は0です（和から除いてください）。`,
          ),
        );
      if (near(-Math.log(want)) || near(Math.log(want)))
        return notYet(
          tr(
            `${where} That is the entropy itself; the effective rank is exp of it.`,
            `${where}それはエントロピーそのものです。実効ランクはそのexpです。`,
          ),
        );
      if (
        near(
          entropyRank(
            s.map((x) => x * x),
            Math.log,
          ),
        )
      )
        return notYet(
          tr(
            `${where} You normalised the squares σ²; this effective rank normalises the values σ themselves: p_i = σ_i / Σσ.`,
            `${where}2乗σ²を正規化しています。この実効ランクでは値σそのものを正規化します：p_i = σ_i / Σσ。`,
          ),
        );
      if (near(entropyRank(s, Math.log2)))
        return notYet(
          tr(
            `${where} With log₂ in the entropy, undo it with 2^H, not exp(H): or use the natural log throughout.`,
            `${where}エントロピーにlog₂を使うなら、exp(H)ではなく2^Hで戻してください。あるいは最初から最後まで自然対数を使ってください。`,
          ),
        );
      if (near(s.filter((x) => x > 0).length))
        return notYet(
          tr(
            `${where} That is the rank (how many values are above 0). The effective rank weighs each direction by its size.`,
            `${where}それはランク（0より大きい値の個数）です。実効ランクは各方向をその大きさで重み付けします。`,
          ),
        );
      return notYet(
        tr(
          `${where} Normalise p_i = σ_i / Σσ, take H = −Σ p_i·ln p_i over the non-zero p_i, return exp(H).`,
          `${where}p_i = σ_i / Σσと正規化し、非ゼロのp_iについてH = −Σ p_i·ln p_iを求め、exp(H)を返してください。`,
        ),
      );
    }
    return right(
      tr(
        'Right: four equal values give 4, a single non-zero value gives 1, and a spread-out spectrum lands in between.',
        '正解：等しい4つの値なら4、非ゼロの値が1つだけなら1になり、広がったスペクトルはその間に入ります。',
      ),
    );
  },
  hints: [
    tr(
      'First make the values a probability distribution: p_i = σ_i / (σ_1 + … + σ_k).',
      'まず値を確率分布にします：p_i = σ_i / (σ_1 + … + σ_k)。',
    ),
    tr(
      'The entropy is H = −Σ p_i·ln p_i (Math.log is the natural log). A p_i of 0 adds nothing.',
      'エントロピーはH = −Σ p_i·ln p_iです（Math.logは自然対数）。0のp_iは何も加えません。',
    ),
    tr('Return Math.exp(H).', 'Math.exp(H)を返します。'),
  ],
  solution: `effectiveRankOf = (s) => {
  const total = s.reduce((a, v) => a + v, 0);
  let h = 0;
  for (const v of s) {
    const p = v / total;
    if (p > 0) h -= p * Math.log(p); // ${tr('a zero value adds nothing (0·log 0 = 0)', 'ゼロの値は何も加えない（0·log 0 = 0）')}
  }
  return Math.exp(h);
}`,
});

/** The SVD the third exercise cuts: M = U·diag(s)·Vᵀ, U 4 × 3 and V 3 × 3 with orthonormal columns. */
export const CUT_CASE = {
  U: [
    [0.5, 0.5, 0.5],
    [0.5, -0.5, 0.5],
    [0.5, 0.5, -0.5],
    [0.5, -0.5, -0.5],
  ],
  s: [3, 1, 0.5],
  V: [
    [2 / 3, -2 / 3, 1 / 3],
    [2 / 3, 1 / 3, -2 / 3],
    [1 / 3, 2 / 3, 2 / 3],
  ],
} as const;

/** The ranks the third exercise asks for. */
export const CUT_RANKS = [1, 2] as const;

/** Σ_{t < r} w_t·u_t·v_tᵀ, with u_t and v_t the columns t of U and V. */
function weightedSum(U: Matrix, w: readonly number[], V: Matrix, r: number): number[][] {
  const k = Math.min(r, w.length);
  const Ur = U.map((row) => row.slice(0, k).map((u, t) => u * (w[t] ?? 0)));
  return matmul(Ur, transpose(V.map((row) => row.slice(0, k))));
}

/** The best rank-r approximation U_r·diag(s_r)·V_rᵀ, and its Frobenius error √(Σ_{t ≥ r} s_t²). */
export function referenceCut(
  c: { U: Matrix; s: readonly number[]; V: Matrix },
  r: number,
): { approx: number[][]; error: number } {
  return {
    approx: weightedSum(c.U, c.s, c.V, r),
    error: Math.sqrt(c.s.slice(r).reduce((a, v) => a + v * v, 0)),
  };
}

const cutToRank = (tr: Tr): Exercise => ({
  name: 'cutToRank',
  title: tr(
    'Cut a matrix to rank r, and the error it leaves',
    '行列をランクrに切り詰め、残る誤差を求める',
  ),
  task: tr(
    'Given a matrix’s SVD {U, s, V} (singular vectors as columns) and a rank r, return its best rank-r approximation and the Frobenius norm of what the cut leaves out.',
    '行列の特異値分解{U, s, V}（特異ベクトルは列）とランクrを受け取り、最良のランクr近似と、切り詰めで取り除かれる部分のフロベニウスノルムを返してください。',
  ),
  check(value) {
    if (typeof value !== 'function') {
      return notYet(
        tr(
          `The cell should return a function ({U, s, V}, r) => ({approx, error}); it returned ${shown(value)}.`,
          `セルは「({U, s, V}, r) => ({approx, error})」の形の関数を返す必要がありますが、${shown(value, tr.lang)}が返されました。`,
        ),
      );
    }
    const c = CUT_CASE;
    const full = weightedSum(c.U, c.s, c.V, c.s.length);
    for (const r of CUT_RANKS) {
      const got = callReader(
        tr('Your function', 'あなたの関数'),
        () =>
          (value as (svd: unknown, r: number) => unknown)(
            { U: copy(c.U), s: [...c.s], V: copy(c.V) },
            r,
          ),
        tr.lang,
      );
      if (!got.ok) return got.verdict;
      const { approx, error } = (got.value ?? {}) as Record<string, unknown>;
      const want = referenceCut(c, r);
      const at = tr(`At r = ${String(r)}: `, `r = ${String(r)}のとき：`);
      const matrix = judgeMatrix(approx, {
        rows: 4,
        cols: 3,
        wrongShape: (shape) =>
          tr(
            `${at}approx must have the matrix’s shape, 4 × 3; yours is ${shape}.`,
            `${at}approxは行列と同じ形（4 × 3）でなければなりませんが、あなたのものは${shape}です。`,
          ),
        want: want.approx,
        right: tr('Right', '正解'),
        mistakes: [
          {
            matrix: full,
            message: tr(
              `${at}approx is the whole matrix: keep only the r largest directions.`,
              `${at}approxが行列全体になっています。大きいほうからr個の方向だけを残してください。`,
            ),
          },
          {
            matrix: add(full, scale(want.approx, -1)),
            message: tr(
              `${at}approx holds the directions after the first r, the smallest ones: keep the first r, where the largest singular values are.`,
              `${at}approxは最初のr個より後ろの、小さいほうの方向を持っています。特異値が最も大きい、最初のr個を残してください。`,
            ),
          },
          {
            matrix: weightedSum(c.U, c.s, transpose(c.V), r),
            message: tr(
              `${at}you took the rows of V as directions. The singular vectors are V’s columns: v_t[j] = V[j][t].`,
              `${at}Vの行を方向として使っています。特異ベクトルはVの列です：v_t[j] = V[j][t]。`,
            ),
          },
          {
            matrix: weightedSum(
              c.U,
              c.s.map((x) => x * x),
              c.V,
              r,
            ),
            message: tr(
              `${at}each direction enters with σ_t, not σ_t²: M_r = Σ_{t<r} σ_t·u_t·v_tᵀ.`,
              `${at}各方向に掛かるのはσ_t²ではなくσ_tです：M_r = Σ_{t<r} σ_t·u_t·v_tᵀ。`,
            ),
          },
          {
            matrix: weightedSum(
              c.U,
              c.s.map(() => 1),
              c.V,
              r,
            ),
            message: tr(
              `${at}each direction u_t·v_tᵀ must be scaled by its singular value σ_t.`,
              `${at}各方向u_t·v_tᵀは、その特異値σ_tでスケーリングする必要があります。`,
            ),
          },
          {
            matrix: scale(full, 0),
            message: tr(`${at}approx is all zeros.`, `${at}approxがすべてゼロです。`),
          },
        ],
        otherwise: tr(
          `${at}approx is not U_r·diag(s_r)·V_rᵀ. Entry (i, j) is Σ_{t<r} U[i][t]·s[t]·V[j][t].`,
          `${at}approxがU_r·diag(s_r)·V_rᵀになっていません。(i, j)要素はΣ_{t<r} U[i][t]·s[t]·V[j][t]です。`,
        ),
        lang: tr.lang,
      });
      if (!matrix.right) return matrix;
      if (typeof error !== 'number' || !Number.isFinite(error))
        return notYet(
          tr(
            `${at}approx is right; error should be a number, and it is ${shown(error)}.`,
            `${at}approxは正しいです。errorは数値でなければなりませんが、${shown(error, tr.lang)}になっています。`,
          ),
        );
      if (Math.abs(error - want.error) < 1e-9) continue;
      const tail = c.s.slice(r);
      const near = (x: number) => Math.abs(error - x) < 1e-9;
      const where = tr(
        `${at}approx is right, but error is ${shown(error)} and should be ${want.error.toFixed(4)}.`,
        `${at}approxは正しいのですが、errorが${shown(error, tr.lang)}です。正しくは${want.error.toFixed(4)}です。`,
      );
      if (near(want.error ** 2))
        return notYet(
          tr(
            `${where} That is the squared error: take its square root.`,
            `${where}それは誤差の2乗です。平方根を取ってください。`,
          ),
        );
      if (near(tail.reduce((a, v) => a + v, 0)))
        return notYet(
          tr(
            `${where} Square the dropped singular values before adding them, then take the root.`,
            `${where}取り除いた特異値は、足す前に2乗し、最後に平方根を取ってください。`,
          ),
        );
      if (near(Math.sqrt(c.s.slice(0, r).reduce((a, v) => a + v * v, 0))))
        return notYet(
          tr(
            `${where} That is the size of what you kept; the error is the size of what the cut drops.`,
            `${where}それは残した部分の大きさです。誤差は切り詰めで取り除かれる部分の大きさです。`,
          ),
        );
      return notYet(
        tr(
          `${where} By Eckart–Young it is √(Σ_{t≥r} σ_t²), the singular values the cut drops.`,
          `${where}Eckart–Youngの定理より、誤差は切り詰めで取り除かれる特異値から求まる√(Σ_{t≥r} σ_t²)です。`,
        ),
      );
    }
    return right(
      tr(
        'Right: M_r keeps the r largest directions, and what it leaves out has norm √(Σ_{t≥r} σ_t²) — no rank-r matrix comes closer (Eckart–Young).',
        '正解：M_rは大きいほうからr個の方向を残し、取り除かれる部分のノルムは√(Σ_{t≥r} σ_t²)です。これより近いランクrの行列はありません（Eckart–Young）。',
      ),
    );
  },
  hints: [
    tr(
      'M = Σ_t σ_t·u_t·v_tᵀ over all directions, with u_t the column t of U and v_t the column t of V.',
      'すべての方向について、M = Σ_t σ_t·u_t·v_tᵀです。u_tはUの第t列、v_tはVの第t列です。',
    ),
    tr(
      'Keep the first r terms of that sum: entry (i, j) of M_r is Σ_{t<r} U[i][t]·s[t]·V[j][t].',
      'その和の最初のr項を残します。M_rの(i, j)要素はΣ_{t<r} U[i][t]·s[t]·V[j][t]です。',
    ),
    tr(
      'The error ‖M − M_r‖_F is the norm of the dropped terms: √(s[r]² + … + s[k−1]²).',
      '誤差‖M − M_r‖_Fは取り除いた項のノルムです：√(s[r]² + … + s[k−1]²)。',
    ),
  ],
  solution: `cutToRank = ({U, s, V}, r) => {
  const approx = U.map((Ui) => V.map((Vj) => {
    let sum = 0;
    for (let t = 0; t < r; t++) sum += Ui[t] * s[t] * Vj[t]; // ${tr('σ_t·u_t·v_tᵀ, entry (i, j)', 'σ_t·u_t·v_tᵀ の (i, j) 要素')}
    return sum;
  }));
  const error = Math.sqrt(s.slice(r).reduce((a, v) => a + v * v, 0));
  return {approx, error};
}`,
});

/** The lesson's exercises, easy to hard, in the words of the edition `lang`. */
export function lowRankUpdateExercisesIn(lang: Lang): readonly Exercise[] {
  const tr = translator(lang);
  return [topTwoShare(tr), effectiveRankOf(tr), cutToRank(tr)];
}

/** The lesson's exercises in English. */
export const lowRankUpdateExercises: readonly Exercise[] = lowRankUpdateExercisesIn('en');
