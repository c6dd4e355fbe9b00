/**
 * Claims of lessons/low-rank-update.mdx: ΔW of full fine-tuning and LoRA on the tiny encoder
 * (results/lowrank/sentiment.json, made by `npm run reproduce:low-rank`), and one sentence on
 * models/tiny-roberta/eval-gap.json.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { all, at, pct, rounds, type Claim, type Results } from './claim.ts';
import { ARMS, EVAL_GAP, noBetter } from './eval-gap.ts';

const FILE = 'results/lowrank/sentiment.json';
/** The random subspace with LoRA r=8's count of trainable weights (npm run reproduce:low-rank-subspace). */
const SUBSPACE = 'results/lowrank/subspace.json';

interface Summary {
  s: number[];
  effectiveRank: number;
  share: Record<string, number>;
  rank90: number;
}
interface ModuleSpectrum {
  module: string;
  layer: number;
  key: string;
  rows: number;
  cols: number;
  relativeChange: number;
  delta: Summary;
  random: Summary;
}
interface Run {
  label: string;
  seed: number;
  test: number;
  validation: number;
  mlmBefore: { loss: number; accuracy: number };
  mlmAfter: { loss: number; accuracy: number };
}
interface Point {
  r: number;
  rest: 'tuned' | 'pretrained';
  test: number;
  validation: number;
}
interface Group {
  group: string;
  share: number;
}
interface Overlap {
  a: string;
  b: string;
  i: number[];
  j: number[];
  modules: { module: string; d: number; phi: number[][] }[];
}
interface Amplification {
  run: string;
  module: string;
  r: number;
  deltaNorm: number;
  onDelta: number;
  onW: number;
  onRandom: number;
  factor: number;
}

/** Every module of every seed's spectrum. */
const modules = (r: Results): ModuleSpectrum[] =>
  (at(r, 'spectra') as { modules: ModuleSpectrum[] }[]).flatMap((s) => s.modules);
const runs = (r: Results, label: string): Run[] =>
  (at(r, 'runs') as Run[]).filter((x) => x.label === label);
const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const sd = (xs: readonly number[]): number => {
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(1, xs.length - 1));
};

/** `null` when min and max of `xs` round to `lo` and `hi` at `decimals`. */
function range(
  what: string,
  xs: readonly number[],
  lo: number,
  hi: number,
  decimals = 0,
): string | null {
  return all(
    rounds(`${what} (lowest)`, Math.min(...xs), lo, decimals),
    rounds(`${what} (highest)`, Math.max(...xs), hi, decimals),
  );
}

/** Truncation points at rank r and `rest`, over seeds. */
function trunc(
  r: Results,
  rank: number,
  rest: 'tuned' | 'pretrained',
  split: 'test' | 'validation',
) {
  const xs = (at(r, 'truncation') as { points: Point[] }[]).map((t) => {
    const p = t.points.find((q) => q.r === rank && q.rest === rest);
    if (!p) throw new Error(`no truncation point r=${String(rank)} ${rest}`);
    return p[split];
  });
  return { mean: mean(xs), sd: sd(xs) };
}
const fullRank = (r: Results): number =>
  Math.max(...(at(r, 'settings.truncationRanks') as number[]));

/** `null` when a mean ± sd in percent rounds to the stated numbers. */
function meanSd(what: string, x: { mean: number; sd: number }, m: number, s?: number) {
  return all(
    rounds(`${what} mean`, pct(x.mean), m, 1),
    s === undefined ? null : rounds(`${what} sd`, pct(x.sd), s, 1),
  );
}

/** Group shares over seeds. */
function groupShares(r: Results, group: string): number[] {
  return (at(r, 'groups') as { groups: Group[] }[]).map((g) => {
    const x = g.groups.find((y) => y.group === group);
    if (!x) throw new Error(`no group ${group}`);
    return x.share;
  });
}
const word = (r: Results) =>
  (
    at(r, 'groups') as {
      wordEmbeddings: { rows: number; rowsChanged: number; spectrum: Summary };
    }[]
  ).map((g) => g.wordEmbeddings);

const stat = (xs: readonly number[]) => ({ mean: mean(xs), sd: sd(xs) });

/** The overlap comparison whose labels start with `a` and `b`. */
function pair(r: Results, a: string, b: string): Overlap {
  const o = (at(r, 'overlap') as Overlap[]).find((x) => x.a.startsWith(a) && x.b.startsWith(b));
  if (!o) throw new Error(`no overlap ${a} vs ${b}`);
  return o;
}
/** φ(i, j) of every module of a comparison. */
function phis(o: Overlap, i: number, j: number): number[] {
  const a = o.i.indexOf(i);
  const b = o.j.indexOf(j);
  if (a < 0 || b < 0) throw new Error(`no φ(${String(i)}, ${String(j)})`);
  return o.modules.map((m) => m.phi[a]?.[b] ?? NaN);
}
/** φ(1, 1) of the module `key` (e.g. 'attention.self.query') in both layers. */
function phiOf(o: Overlap, key: string): number[] {
  return o.modules.filter((m) => m.module.includes(`.${key}.`)).map((m) => m.phi[0]?.[0] ?? NaN);
}
/** Amplification rows of a run at rank r. */
function amp(r: Results, run: string, rank: number): Amplification[] {
  const xs = (at(r, 'amplification') as Amplification[]).filter(
    (a) => a.run.startsWith(run) && a.r === rank,
  );
  if (xs.length === 0) throw new Error(`no amplification for ${run} at r=${String(rank)}`);
  return xs;
}
const list = (xs: readonly number[], digits: number) => xs.map((x) => x.toFixed(digits)).join(', ');
const R8 = 'LoRA r=8 seed 0';
const R64 = 'LoRA r=64 seed 0';
const R8B = 'LoRA r=8 seed 1';
const F0 = 'full fine-tuning seed 0';
const F1 = 'full fine-tuning seed 1';

/** A results file of `public/` read directly (for a sentence that compares two files). */
const publicFile = (file: string): Results =>
  JSON.parse(
    readFileSync(join(import.meta.dirname, '..', '..', '..', 'public', file), 'utf8'),
  ) as Results;
const subRuns = (r: Results): Run[] => at(r, 'runs') as Run[];
/** ΔW effective ranks of every module of every subspace run (or of full fine-tuning's). */
const eranks = (r: Results): number[] => modules(r).map((m) => m.delta.effectiveRank);
const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] ?? NaN) : ((s[m - 1] ?? NaN) + (s[m] ?? NaN)) / 2;
};

/** Sentences of the "Structure or count?" section (results/lowrank/subspace.json). */
const structure: readonly Claim[] = [
  {
    sentence:
      "at $r = 8$ — 53,634: the 36,864 of the adapters on all twelve linear modules plus the classifier's 16,770",
    ja: '$r = 8$ のLoRAとちょうど同じ数の学習可能な重みを与えます。53,634個、つまり十二個すべての線形モジュールに付けたアダプターの36,864個に分類器の16,770個を足したもの',
    file: SUBSPACE,
    check: (r) => {
      const d = at(r, 'settings.d') as number;
      const lora = runs(publicFile(FILE), 'LoRA r=8') as (Run & { trainable: number })[];
      return all(
        rounds('d', d, 53634),
        rounds('adapters + classifier', 36864 + 16770, d),
        lora.every((x) => x.trainable === d) ? null : 'the LoRA r=8 runs train another count',
      );
    },
  },
  {
    sentence: 'validation sentences (seed 0) from $10^{-3}$ and $3 \\times 10^{-3}$.',
    ja: '検証データ（シード0）を使って $10^{-3}$ と $3 \\times 10^{-3}$ の中から選びます。',
    file: SUBSPACE,
    check: (r) =>
      all(
        (at(r, 'settings.learningRates') as number[]).join(',') === '0.001,0.003'
          ? null
          : 'other candidate rates',
        rounds('search seed', at(r, 'settings.searchSeed') as number, 0),
      ),
  },
  {
    sentence:
      "With the same 53,634 trainable weights, the random subspace reached 82.8 ± 1.9% on the test sentences (76.6 ± 0.8% on validation), and LoRA at $r = 8$ 83.3 ± 0.6% (75.7 ± 2.9%): no difference that three seeds can see, and both far below full fine-tuning's 88.6 ± 0.8%.",
    ja: '同じ53,634個の学習可能な重みで、ランダムな部分空間はテストデータで82.8 ± 1.9%（検証データでは76.6 ± 0.8%）、$r = 8$ のLoRAは83.3 ± 0.6%（75.7 ± 2.9%）に達しました。三つのシードで見分けられる差はなく、どちらもフルファインチューニングの88.6 ± 0.8%を大きく下回ります。',
    file: SUBSPACE,
    check: (r) => {
      const sub = subRuns(r);
      const main = publicFile(FILE);
      const lora = runs(main, 'LoRA r=8');
      const gap = Math.abs(mean(sub.map((x) => x.test)) - mean(lora.map((x) => x.test)));
      return all(
        rounds('seeds', sub.length, 3),
        meanSd('subspace test', stat(sub.map((x) => x.test)), 82.8, 1.9),
        meanSd('subspace validation', stat(sub.map((x) => x.validation)), 76.6, 0.8),
        meanSd('LoRA test', stat(lora.map((x) => x.test)), 83.3, 0.6),
        meanSd('LoRA validation', stat(lora.map((x) => x.validation)), 75.7, 2.9),
        meanSd('full test', stat(runs(main, 'full fine-tuning').map((x) => x.test)), 88.6, 0.8),
        // "no difference that three seeds can see": the means lie within one sd of each other.
        gap <= Math.max(sd(sub.map((x) => x.test)), sd(lora.map((x) => x.test)))
          ? null
          : `the means differ by ${(100 * gap).toFixed(1)} points`,
      );
    },
  },
  {
    sentence:
      "median effective rank 103, the same as the random reference's, against 40 for full fine-tuning",
    ja: '実効ランクの中央値は103で、ランダムな基準と同じです。フルファインチューニングでは40',
    file: SUBSPACE,
    check: (r) =>
      all(
        rounds('subspace ΔW effective rank', median(eranks(r)), 103),
        rounds('random reference', median(modules(r).map((m) => m.random.effectiveRank)), 103),
        rounds('full fine-tuning', median(eranks(publicFile(FILE))), 40),
      ),
  },
  {
    sentence: "a masked-LM loss of 7.51 nats after training, more than full fine-tuning's 7.12",
    ja: '学習後のMLMの損失は7.51 natsで、フルファインチューニングの7.12より大きくなりました',
    file: SUBSPACE,
    check: (r) =>
      all(
        rounds('subspace MLM after', mean(subRuns(r).map((x) => x.mlmAfter.loss)), 7.51, 2),
        rounds(
          'full MLM after',
          mean(runs(publicFile(FILE), 'full fine-tuning').map((x) => x.mlmAfter.loss)),
          7.12,
          2,
        ),
      ),
  },
  {
    sentence: 'The rate the search chose, $3 \\times 10^{-3}$, is the larger of the two we tried',
    ja: '探索で選ばれた学習率 $3 \\times 10^{-3}$ は、試した二つのうち大きいほう',
    file: SUBSPACE,
    check: (r) =>
      at(r, 'learningRate') === Math.max(...(at(r, 'settings.learningRates') as number[])) &&
      at(r, 'learningRate') === 0.003
        ? null
        : `chosen ${String(at(r, 'learningRate'))}`,
  },
  {
    sentence: 'random projection from its 53,634 directions onto all 2,468,098 parameters',
    ja: '53,634個の方向から2,468,098個すべてのパラメータへのランダム射影',
    file: SUBSPACE,
    check: (r) =>
      all(
        rounds('d', at(r, 'settings.d') as number, 53634),
        rounds('D', at(r, 'settings.D') as number, 2468098),
      ),
  },
  {
    sentence: "Its runs took 318 to 399 seconds here against 53 to 87 for the other methods'",
    ja: '部分空間の実行にはここで318秒から399秒かかり、他の手法では53秒から87秒でした',
    file: SUBSPACE,
    check: (r) =>
      all(
        range(
          'subspace seconds',
          (at(r, 'runs') as { seconds: number }[]).map((x) => x.seconds),
          318,
          399,
        ),
        range(
          'other seconds',
          (at(publicFile(FILE), 'runs') as { seconds: number }[]).map((x) => x.seconds),
          53,
          87,
        ),
      ),
  },
  {
    sentence:
      'a random subspace of all the parameters did as well as LoRA here (82.8% against 83.3%, three seeds each)',
    ja: '全パラメータのランダムな部分空間は、ここではLoRAと同等でした（82.8%対83.3%、それぞれシード三つ）',
    file: SUBSPACE,
    check: (r) =>
      all(
        rounds('subspace test', pct(mean(subRuns(r).map((x) => x.test))), 82.8, 1),
        rounds(
          'LoRA test',
          pct(mean(runs(publicFile(FILE), 'LoRA r=8').map((x) => x.test))),
          83.3,
          1,
        ),
        rounds('subspace seeds', subRuns(r).length, 3),
        rounds('LoRA seeds', runs(publicFile(FILE), 'LoRA r=8').length, 3),
      ),
  },
];

export const claims: readonly Claim[] = [
  ...structure,
  {
    sentence: 'a 128 × 128 Gaussian matrix has an effective rank near 100',
    ja: '128 × 128のガウス行列の実効ランクは100近く',
    file: FILE,
    check: (r) => {
      const xs = modules(r)
        .filter((m) => m.rows === 128 && m.cols === 128)
        .map((m) => m.random.effectiveRank);
      return xs.every((x) => Math.abs(x - 100) < 5) ? null : `effective ranks ${xs.join(', ')}`;
    },
  },
  {
    sentence:
      'and train **every** parameter on the 2,379 training sentences with Adam for 150 steps of 32 sentences (about two epochs), dropout off.',
    ja: '**すべての**パラメータを学習データの2,379文でAdamにより学習します。バッチは32文で150ステップ（およそ二エポック）、ドロップアウトは使いません。',
    file: FILE,
    check: (r) =>
      all(
        rounds('train sentences', at(r, 'settings.trainExamples') as number, 2379),
        rounds('steps', at(r, 'settings.steps') as number, 150),
        rounds('batch', at(r, 'settings.batchSize') as number, 32),
        rounds('epochs', at(r, 'settings.epochs') as number, 2),
        rounds('dropout', at(r, 'settings.dropout') as number, 0),
      ),
  },
  {
    sentence:
      'the learning rate, $3 \\times 10^{-4}$, is the one the adapter-placement lesson chose',
    ja: '学習率 $3 \\times 10^{-4}$ は、アダプター配置のレッスンがフルファインチューニング用に検証データで選んだもの',
    file: FILE,
    check: (r) =>
      rounds('full learning rate × 1e4', 1e4 * (at(r, 'settings.fullLearningRate') as number), 3),
  },
  {
    sentence: "two million of the encoder's 2.5 million weights",
    ja: 'エンコーダーの重み2.5百万個のうち二百万個',
    file: FILE,
    check: (r) => {
      const g =
        (at(r, 'groups') as { groups: { group: string; params: number }[] }[])[0]?.groups ?? [];
      const wordParams = g.find((x) => x.group === 'word embeddings')?.params ?? NaN;
      const full = runs(r, 'full fine-tuning')[0] as unknown as { trainable: number } | undefined;
      return all(
        rounds('word embeddings (millions)', wordParams / 1e6, 2, 0),
        rounds('trainable (millions)', (full?.trainable ?? NaN) / 1e6, 2.5, 1),
      );
    },
  },
  {
    sentence:
      'Full fine-tuning moved each of these matrices by between 10% and 16% of its own Frobenius norm.',
    ja: 'フルファインチューニングは、これらの行列をそれぞれ自身のフロベニウスノルムの10%から16%動かしました。',
    file: FILE,
    check: (r) =>
      range(
        '‖ΔW‖/‖W‖ %',
        modules(r).map((m) => 100 * m.relativeChange),
        10,
        16,
      ),
  },
  {
    sentence:
      "Its top 8 singular directions hold between 77% and 96% of $\\|\\Delta W\\|_F^2$, against between 13% and 22% for the Gaussian matrix of the same shape and norm; 90% of the update's energy takes between 4 and 20 directions, against 65 to 98 for the Gaussian one.",
    ja: '上位8個の特異方向が $\\|\\Delta W\\|_F^2$ の77%から96%を占めるのに対し、同じ形とノルムのガウス行列では13%から22%です。更新のエネルギーの90%を集めるには4から20の方向で足りますが、ガウス行列では65から98の方向が必要です。',
    file: FILE,
    check: (r) => {
      const ms = modules(r);
      return all(
        range(
          'top-8 share ΔW %',
          ms.map((m) => 100 * (m.delta.share['8'] ?? NaN)),
          77,
          96,
        ),
        range(
          'top-8 share random %',
          ms.map((m) => 100 * (m.random.share['8'] ?? NaN)),
          13,
          22,
        ),
        range(
          'rank90 ΔW',
          ms.map((m) => m.delta.rank90),
          4,
          20,
        ),
        range(
          'rank90 random',
          ms.map((m) => m.random.rank90),
          65,
          98,
        ),
      );
    },
  },
  {
    sentence:
      '90% of the energy takes 7.6 directions on average there and 11.9 in the first layer, where the feed-forward up projection is the least concentrated module (20 directions on every seed).',
    ja: 'エネルギーの90%に必要な方向は、そこでは平均7.6、第一層では11.9で、第一層ではフィードフォワードのup射影が最も集中していないモジュールです（どのシードでも20方向）。',
    file: FILE,
    check: (r) => {
      const ms = modules(r);
      const layer = (l: number) => mean(ms.filter((m) => m.layer === l).map((m) => m.delta.rank90));
      const up = ms.filter((m) => m.layer === 0 && m.key === 'ffn-up').map((m) => m.delta.rank90);
      const top = Math.max(...ms.map((m) => m.delta.rank90));
      return all(
        rounds('layer 1 mean rank90', layer(1), 7.6, 1),
        rounds('layer 0 mean rank90', layer(0), 11.9, 1),
        up.every((x) => x === 20) ? null : `layer 0 ffn-up rank90: ${up.join(', ')}`,
        top === 20 ? null : `the largest rank90 is ${String(top)}`,
      );
    },
  },
  {
    sentence:
      'The effective rank tells a milder story: between 28 and 71, against about 103 for a Gaussian 128 × 128 matrix and about 124 for a Gaussian 128 × 512 one.',
    ja: '実効ランクはもっと穏やかな姿を示します。28から71で、128 × 128のガウス行列では約103、128 × 512のガウス行列では約124です。',
    file: FILE,
    check: (r) => {
      const ms = modules(r);
      const square = ms.filter((m) => m.rows === m.cols).map((m) => m.random.effectiveRank);
      const rect = ms.filter((m) => m.rows !== m.cols).map((m) => m.random.effectiveRank);
      return all(
        range(
          'effective rank ΔW',
          ms.map((m) => m.delta.effectiveRank),
          28,
          71,
        ),
        range('effective rank random 128×128', square, 102, 103),
        range('effective rank random 128×512', rect, 124, 124),
      );
    },
  },
  {
    sentence:
      'The linear weights took between 56% and 58% of the squared update, the word embeddings between 36% and 38%, the classifier about 5%, and everything else less than 1%.',
    ja: '線形の重みが更新の二乗の56%から58%、単語埋め込みが36%から38%、分類器が約5%を受け取り、その他の部位はいずれも1%未満でした。',
    file: FILE,
    check: (r) => {
      const groups = (at(r, 'groups') as { groups: Group[] }[]).flatMap((g) => g.groups);
      const rest = groups.filter(
        (g) => !['linear weights', 'word embeddings', 'classifier head'].includes(g.group),
      );
      return all(
        range(
          'linear weights %',
          groupShares(r, 'linear weights').map((x) => 100 * x),
          56,
          58,
        ),
        range(
          'word embeddings %',
          groupShares(r, 'word embeddings').map((x) => 100 * x),
          36,
          38,
        ),
        rounds('classifier %', mean(groupShares(r, 'classifier head').map((x) => 100 * x)), 5),
        rest.every((g) => g.share < 0.01) ? null : 'some other group has 1% or more',
      );
    },
  },
  {
    sentence: 'Only 4,543 of the 16,000 rows of the embedding table changed',
    ja: '16,000行ある埋め込み表のうち、変化したのは4,543行だけです。',
    file: FILE,
    check: (r) =>
      word(r).every((w) => w.rowsChanged === 4543 && w.rows === 16000)
        ? null
        : `rows changed: ${word(r)
            .map((w) => String(w.rowsChanged))
            .join(', ')}`,
  },
  {
    sentence:
      'an effective rank between 87 and 89 (of at most 128), and 90% of its energy takes between 37 and 40 directions, against 4 to 20 for the linear modules.',
    ja: '実効ランクは87から89（最大でも128）で、エネルギーの90%を集めるには37から40の方向が必要です。線形モジュールでは4から20でした。',
    file: FILE,
    check: (r) =>
      all(
        range(
          'embedding effective rank',
          word(r).map((w) => w.spectrum.effectiveRank),
          87,
          89,
        ),
        range(
          'embedding rank90',
          word(r).map((w) => w.spectrum.rank90),
          37,
          40,
        ),
        range(
          'rank90 ΔW',
          modules(r).map((m) => m.delta.rank90),
          4,
          20,
        ),
      ),
  },
  {
    sentence:
      'full fine-tuning with the word-embedding table frozen does no better than LoRA (`models/tiny-roberta/eval-gap.json`).',
    ja: '単語埋め込みの表を凍結したフルファインチューニングは、LoRAを上回りません（`models/tiny-roberta/eval-gap.json`）。',
    file: EVAL_GAP,
    check: (r) => noBetter(r, ARMS.body, ARMS.lora2),
  },
  {
    sentence:
      'costs about 11 points on the test sentences (77.9 ± 8.6% against 88.6 ± 0.8% at full rank), and a rank-1 update in every module wins back nearly all of it: 87.9 ± 1.0%.',
    ja: 'テストデータで約11ポイント失われ（フルランクの88.6 ± 0.8%に対して77.9 ± 8.6%）、すべてのモジュールにランク1の更新を入れるだけで、そのほぼすべてが戻ります：87.9 ± 1.0%。',
    file: FILE,
    check: (r) => {
      const zero = trunc(r, 0, 'tuned', 'test');
      const full = trunc(r, fullRank(r), 'tuned', 'test');
      return all(
        rounds('cost in points', pct(full.mean) - pct(zero.mean), 11),
        meanSd('r=0', zero, 77.9, 8.6),
        meanSd('full rank', full, 88.6, 0.8),
        meanSd('r=1', trunc(r, 1, 'tuned', 'test'), 87.9, 1.0),
      );
    },
  },
  {
    sentence: 'From $r = 2$ on, the test accuracy stays within 0.1 points of full rank.',
    ja: '$r = 2$ 以降は、テストデータでの正解率がフルランクから0.1ポイント以内に収まります。',
    file: FILE,
    check: (r) => {
      const full = trunc(r, fullRank(r), 'tuned', 'test').mean;
      const ranks = (at(r, 'settings.truncationRanks') as number[]).filter((k) => k >= 2);
      const worst = Math.max(
        ...ranks.map((k) => Math.abs(trunc(r, k, 'tuned', 'test').mean - full)),
      );
      return worst <= 0.0015 ? null : `a rank ≥ 2 is ${(100 * worst).toFixed(2)} points away`;
    },
  },
  {
    sentence: 'less abruptly: 82.0% at $r = 1$ and 82.8% at $r = 8$, against 83.4% at full rank.',
    ja: '変化はより緩やかです：$r = 1$ で82.0%、$r = 8$ で82.8%、これに対してフルランクでは83.4%です。',
    file: FILE,
    check: (r) =>
      all(
        meanSd('validation r=1', trunc(r, 1, 'tuned', 'validation'), 82.0),
        meanSd('validation r=8', trunc(r, 8, 'tuned', 'validation'), 82.8),
        meanSd('validation full', trunc(r, fullRank(r), 'tuned', 'validation'), 83.4),
      ),
  },
  {
    sentence:
      'With the rest back at pretrained values, accuracy climbs from 58.4% at $r = 0$ (a classifier trained on top of the fine-tuned model, now on the pretrained one) to 76.1% at $r = 4$, and higher ranks add at most 0.6 points (76.7% at full rank).',
    ja: '残りを事前学習時の値に戻すと、正解率は $r = 0$ での58.4%（ファインチューニング済みモデルの上で学習した分類器を、今度は事前学習済みモデルに載せた状態）から $r = 4$ での76.1%まで上がり、それより高いランクで増えるのは最大でも0.6ポイントです（フルランクで76.7%）。',
    file: FILE,
    check: (r) => {
      const four = trunc(r, 4, 'pretrained', 'test').mean;
      const ranks = (at(r, 'settings.truncationRanks') as number[]).filter((k) => k > 4);
      const gain = Math.max(...ranks.map((k) => trunc(r, k, 'pretrained', 'test').mean)) - four;
      return all(
        meanSd('pretrained r=0', trunc(r, 0, 'pretrained', 'test'), 58.4),
        meanSd('pretrained r=4', trunc(r, 4, 'pretrained', 'test'), 76.1),
        meanSd('pretrained full', trunc(r, fullRank(r), 'pretrained', 'test'), 76.7),
        rounds('gain above r=4', 100 * gain, 0.6, 1),
      );
    },
  },
  {
    sentence:
      'This whole curve sits 11.9 points below the first one at full rank, and it spreads much more between seeds (± 4.5 points against ± 0.8).',
    ja: 'この曲線は全体が最初の曲線より下にあり、フルランクでは11.9ポイント低く、シード間のばらつきもずっと大きくなります（± 4.5ポイント、最初の曲線は ± 0.8）。',
    file: FILE,
    check: (r) => {
      const k = fullRank(r);
      const a = trunc(r, k, 'tuned', 'test');
      const b = trunc(r, k, 'pretrained', 'test');
      return all(
        rounds('gap', 100 * (a.mean - b.mean), 11.9, 1),
        rounds('sd pretrained', pct(b.sd), 4.5, 1),
        rounds('sd tuned', pct(a.sd), 0.8, 1),
      );
    },
  },
  {
    sentence:
      'survives a cut to rank 2 to 4, although the update itself has tens of directions with visible energy.',
    ja: 'ランク2から4への切り詰めに耐えます。更新そのものには、目に見えるエネルギーを持つ方向が数十あるにもかかわらずです。',
    file: FILE,
    check: (r) => {
      const full = trunc(r, fullRank(r), 'tuned', 'test').mean;
      const two = trunc(r, 2, 'tuned', 'test').mean;
      const fullP = trunc(r, fullRank(r), 'pretrained', 'test').mean;
      const fourP = trunc(r, 4, 'pretrained', 'test').mean;
      const erank = Math.min(...modules(r).map((m) => m.delta.effectiveRank));
      return all(
        full - two <= 0.01 ? null : 'rank 2 loses more than a point (rest tuned)',
        fullP - fourP <= 0.01 ? null : 'rank 4 loses more than a point (rest pretrained)',
        erank >= 20 ? null : `an effective rank is ${erank.toFixed(1)}`,
      );
    },
  },
  {
    sentence:
      'Full fine-tuning raised the masked-LM loss from 5.13 to 7.12 ± 0.22 nats, and the share of masked words it predicts correctly fell from 27.4% to 10.6%.',
    ja: 'フルファインチューニングはMLMの損失を5.13から7.12 ± 0.22 natsに上げ、マスクした単語を正しく予測できる割合は27.4%から10.6%に下がりました。',
    file: FILE,
    check: (r) => {
      const full = runs(r, 'full fine-tuning');
      const after = stat(full.map((x) => x.mlmAfter.loss));
      return all(
        rounds('MLM before', full[0]?.mlmBefore.loss ?? NaN, 5.13, 2),
        rounds('MLM after mean', after.mean, 7.12, 2),
        rounds('MLM after sd', after.sd, 0.22, 2),
        rounds('MLM accuracy before', pct(full[0]?.mlmBefore.accuracy ?? NaN), 27.4, 1),
        rounds('MLM accuracy after', pct(mean(full.map((x) => x.mlmAfter.accuracy))), 10.6, 1),
      );
    },
  },
  {
    sentence: 'LoRA at $r = 8$ raised the loss to 6.21 ± 0.43 nats (18.4% correct).',
    ja: '$r = 8$ のLoRAは損失を6.21 ± 0.43 natsに上げました（正解は18.4%）。',
    file: FILE,
    check: (r) => {
      const lora = runs(r, 'LoRA r=8');
      const after = stat(lora.map((x) => x.mlmAfter.loss));
      return all(
        rounds('LoRA MLM after mean', after.mean, 6.21, 2),
        rounds('LoRA MLM after sd', after.sd, 0.43, 2),
        rounds('LoRA MLM accuracy', pct(mean(lora.map((x) => x.mlmAfter.accuracy))), 18.4, 1),
      );
    },
  },
  {
    sentence:
      'LoRA forgot less; it also learned less in the same 150 steps: 83.3 ± 0.6% test accuracy against 88.6 ± 0.8%.',
    ja: 'LoRAは忘れる量が少なく、同じ150ステップで学習する量も少なくなりました：テストデータでの正解率は83.3 ± 0.6%で、フルファインチューニングは88.6 ± 0.8%です。',
    file: FILE,
    check: (r) =>
      all(
        meanSd('LoRA r=8 test', stat(runs(r, 'LoRA r=8').map((x) => x.test)), 83.3, 0.6),
        meanSd('full test', stat(runs(r, 'full fine-tuning').map((x) => x.test)), 88.6, 0.8),
        rounds('steps', at(r, 'settings.steps') as number, 150),
        mean(runs(r, 'LoRA r=8').map((x) => x.mlmAfter.loss)) <
          mean(runs(r, 'full fine-tuning').map((x) => x.mlmAfter.loss))
          ? null
          : 'LoRA did not forget less',
      ),
  },
  {
    sentence:
      "LoRA's forgetting is not small: it lost more than half of full fine-tuning's increase in loss.",
    ja: 'LoRAの忘却は小さくありません。損失の増え方は、フルファインチューニングの増加分の半分を超えています。',
    file: FILE,
    check: (r) => {
      const before = runs(r, 'full fine-tuning')[0]?.mlmBefore.loss ?? NaN;
      const f = mean(runs(r, 'full fine-tuning').map((x) => x.mlmAfter.loss)) - before;
      const l = mean(runs(r, 'LoRA r=8').map((x) => x.mlmAfter.loss)) - before;
      return l / f > 0.5 ? null : `LoRA's increase is ${(100 * (l / f)).toFixed(0)}% of full's`;
    },
  },
  {
    sentence:
      'overlap with $\\phi(1, 1) = 0.47$ on average over the twelve modules (from 0.13 to 0.82), where two random directions in 128 dimensions would give about 0.008.',
    ja: '十二個のモジュールの平均で $\\phi(1, 1) = 0.47$（0.13から0.82）重なります。128次元のランダムな二つの方向なら約0.008です。',
    file: FILE,
    check: (r) => {
      const xs = phis(pair(r, R8, R64), 1, 1);
      return all(
        rounds('mean φ(1,1)', mean(xs), 0.47, 2),
        range('φ(1,1)', xs, 0.13, 0.82, 2),
        rounds('1/128', 1 / 128, 0.008, 3),
      );
    },
  },
  {
    sentence:
      'Further down the overlap falls towards chance: $\\phi(8, 8) = 0.17$ on average, against $8/128 \\approx 0.06$ for random subspaces.',
    ja: '下位の方向に進むと、重なりは偶然の水準へ下がります：平均で $\\phi(8, 8) = 0.17$、ランダムな部分空間では $8/128 \\approx 0.06$ です。',
    file: FILE,
    check: (r) => rounds('mean φ(8,8)', mean(phis(pair(r, R8, R64), 8, 8)), 0.17, 2),
  },
  {
    sentence:
      'Two full fine-tuning runs (seeds 0 and 1) agree on their top direction with $\\phi(1, 1) = 0.78$ on average (from 0.64 to 0.85) and still 0.54 at $i = 8$.',
    ja: 'フルファインチューニングの二つの実行（シード0と1）は、最上位の方向について平均 $\\phi(1, 1) = 0.78$（0.64から0.85）で一致し、$i = 8$ でもなお0.54です。',
    file: FILE,
    check: (r) => {
      const o = pair(r, F0, F1);
      const xs = phis(o, 1, 1);
      return all(
        rounds('mean φ(1,1)', mean(xs), 0.78, 2),
        range('φ(1,1)', xs, 0.64, 0.85, 2),
        rounds('mean φ(8,8)', mean(phis(o, 8, 8)), 0.54, 2),
      );
    },
  },
  {
    sentence:
      'Two LoRA runs at $r = 8$ agree far less: $\\phi(1, 1) = 0.26$ on average, from 0.02 to 0.71, and 0.10 at $i = 8$.',
    ja: '$r = 8$ のLoRAの二つの実行の一致はずっと弱く、平均 $\\phi(1, 1) = 0.26$、0.02から0.71で、$i = 8$ では0.10です。',
    file: FILE,
    check: (r) => {
      const o = pair(r, R8, R8B);
      const xs = phis(o, 1, 1);
      return all(
        rounds('mean φ(1,1)', mean(xs), 0.26, 2),
        range('φ(1,1)', xs, 0.02, 0.71, 2),
        rounds('mean φ(8,8)', mean(phis(o, 8, 8)), 0.1, 2),
      );
    },
  },
  {
    sentence:
      'our runs show no such order (query: 0.06 and 0.18 in the two layers; value: 0.55 and 0.05).',
    ja: '私たちの実行にはそのような順序は見られません（query：二つの層で0.06と0.18、value：0.55と0.05）。',
    file: FILE,
    check: (r) => {
      const o = pair(r, R8, R8B);
      const q = phiOf(o, 'attention.self.query');
      const v = phiOf(o, 'attention.self.value');
      const ok = list(q, 2) === '0.06, 0.18' && list(v, 2) === '0.55, 0.05';
      return ok ? null : `query ${list(q, 2)}, value ${list(v, 2)}`;
    },
  },
  {
    sentence:
      "For LoRA at $r = 8$, the pretrained $W$ has $\\|U^\\top W V\\|_F = 0.70$ in the update's eight directions on average over the twelve modules: twice what eight random directions give (0.34), and far below $W$'s own top eight (4.89).",
    ja: '$r = 8$ のLoRAでは、事前学習済みの $W$ が更新の八つの方向に持つ量は、十二個のモジュールの平均で $\\|U^\\top W V\\|_F = 0.70$ です。これはランダムな八つの方向での値（0.34）の二倍で、$W$ 自身の上位八方向（4.89）よりはるかに小さな値です。',
    file: FILE,
    check: (r) => {
      const xs = amp(r, R8, 8);
      const d = mean(xs.map((a) => a.onDelta));
      const rand = mean(xs.map((a) => a.onRandom));
      return all(
        rounds('on ΔW', d, 0.7, 2),
        rounds('random', rand, 0.34, 2),
        rounds('ratio', d / rand, 2),
        rounds('on W', mean(xs.map((a) => a.onW)), 4.89, 2),
      );
    },
  },
  {
    sentence:
      "The amplification factor is 3.7 on average (from 1.7 to 6.9 across modules), against the paper's 21.5 at $r = 4$; at $r = 64$ it is 0.61.",
    ja: '増幅係数は平均3.7（モジュールによって1.7から6.9）で、論文の値は $r = 4$ で21.5です。$r = 64$ では0.61になります。',
    file: FILE,
    check: (r) => {
      const xs = amp(r, R8, 8).map((a) => a.factor);
      return all(
        rounds('factor r=8', mean(xs), 3.7, 1),
        range('factor r=8', xs, 1.7, 6.9, 1),
        rounds('factor r=64', mean(amp(r, R64, 64).map((a) => a.factor)), 0.61, 2),
      );
    },
  },
  {
    sentence:
      "read through its own top eight directions, gives 0.66, but its size is not comparable with LoRA's: at a tenth of LoRA's learning rate, its $\\|\\Delta W\\|_F$ is 0.97 on average against 2.57.",
    ja: 'それ自身の上位八方向を通して読むと0.66になりますが、その大きさはLoRAのものと比較できません。LoRAの十分の一の学習率なので、$\\|\\Delta W\\|_F$ は平均0.97で、LoRAでは2.57です。',
    file: FILE,
    check: (r) =>
      all(
        rounds('full factor r=8', mean(amp(r, F0, 8).map((a) => a.factor)), 0.66, 2),
        rounds('full ‖ΔW‖', mean(amp(r, F0, 8).map((a) => a.deltaNorm)), 0.97, 2),
        rounds('LoRA ‖ΔW‖', mean(amp(r, R8, 8).map((a) => a.deltaNorm)), 2.57, 2),
        rounds(
          'lr ratio',
          (at(r, 'settings.loraLearningRate') as number) /
            (at(r, 'settings.fullLearningRate') as number),
          10,
        ),
      ),
  },
  {
    sentence:
      '| 90% of $\\|\\Delta W\\|_F^2$ in 4 to 20 of 128 directions; effective rank 28 to 71 |',
    ja: '| $\\|\\Delta W\\|_F^2$ の90%が128方向のうち4から20の方向に、実効ランクは28から71 |',
    file: FILE,
    check: (r) =>
      all(
        range(
          'rank90 ΔW',
          modules(r).map((m) => m.delta.rank90),
          4,
          20,
        ),
        range(
          'effective rank ΔW',
          modules(r).map((m) => m.delta.effectiveRank),
          28,
          71,
        ),
      ),
  },
  {
    sentence: "| rank 2 keeps the linear modules' whole share of the gain |",
    ja: '| ランク2で、線形モジュールが担う向上分がすべて残る |',
    file: FILE,
    check: (r) => {
      const full = trunc(r, fullRank(r), 'tuned', 'test').mean;
      return trunc(r, 2, 'tuned', 'test').mean >= full ? null : 'rank 2 is below full rank';
    },
  },
  {
    sentence: '| $\\phi(1, 1) = 0.47$ on average, 0.13 to 0.82 |',
    ja: '| 平均 $\\phi(1, 1) = 0.47$、0.13から0.82 |',
    file: FILE,
    check: (r) => {
      const xs = phis(pair(r, R8, R64), 1, 1);
      return all(rounds('mean φ(1,1)', mean(xs), 0.47, 2), range('φ(1,1)', xs, 0.13, 0.82, 2));
    },
  },
  {
    sentence: '| no such order; LoRA $\\phi(1, 1) = 0.26$, full fine-tuning 0.78 |',
    ja: '| そのような順序はない。LoRAは $\\phi(1, 1) = 0.26$、フルファインチューニングは0.78 |',
    file: FILE,
    check: (r) =>
      all(
        rounds('LoRA φ(1,1)', mean(phis(pair(r, R8, R8B), 1, 1)), 0.26, 2),
        rounds('full φ(1,1)', mean(phis(pair(r, F0, F1), 1, 1)), 0.78, 2),
      ),
  },
  {
    sentence: '| 3.7 at $r = 8$, 0.61 at $r = 64$ |',
    ja: '| $r = 8$ で3.7、$r = 64$ で0.61 |',
    file: FILE,
    check: (r) =>
      all(
        rounds('factor r=8', mean(amp(r, R8, 8).map((a) => a.factor)), 3.7, 1),
        rounds('factor r=64', mean(amp(r, R64, 64).map((a) => a.factor)), 0.61, 2),
      ),
  },
  {
    sentence: '| masked-LM loss +1.08 nats with LoRA $r = 8$, +1.99 with full fine-tuning |',
    ja: '| MLMの損失はLoRA $r = 8$ で +1.08 nats、フルファインチューニングで +1.99 |',
    file: FILE,
    check: (r) => {
      const before = runs(r, 'full fine-tuning')[0]?.mlmBefore.loss ?? NaN;
      return all(
        rounds('LoRA', mean(runs(r, 'LoRA r=8').map((x) => x.mlmAfter.loss)) - before, 1.08, 2),
        rounds(
          'full',
          mean(runs(r, 'full fine-tuning').map((x) => x.mlmAfter.loss)) - before,
          1.99,
          2,
        ),
      );
    },
  },
  {
    sentence:
      "For accuracy only the concentrated part counted: cutting every linear update to rank 2 kept the linear modules' whole share of the gain.",
    ja: '正解率に効いたのは集中した部分だけでした：すべての線形モジュールの更新をランク2に切り詰めても、線形モジュールが担う向上分はすべて残りました。',
    file: FILE,
    check: (r) => {
      const full = trunc(r, fullRank(r), 'tuned', 'test').mean;
      return trunc(r, 2, 'tuned', 'test').mean >= full ? null : 'rank 2 is below full rank';
    },
  },
  {
    sentence:
      "LoRA forgot less and learned less, as Biderman et al. report at scale; its forgetting was still more than half of full fine-tuning's.",
    ja: 'LoRAは忘れる量も学習する量も少なく、Biderman et al.が大規模なモデルで報告しているとおりでした。それでもその忘却は、フルファインチューニングの半分を超えていました。',
    file: FILE,
    check: (r) => {
      const before = runs(r, 'full fine-tuning')[0]?.mlmBefore.loss ?? NaN;
      const f = mean(runs(r, 'full fine-tuning').map((x) => x.mlmAfter.loss)) - before;
      const l = mean(runs(r, 'LoRA r=8').map((x) => x.mlmAfter.loss)) - before;
      const lt = mean(runs(r, 'LoRA r=8').map((x) => x.test));
      const ft = mean(runs(r, 'full fine-tuning').map((x) => x.test));
      return all(
        l < f && l / f > 0.5 ? null : `LoRA's increase is ${(100 * (l / f)).toFixed(0)}% of full's`,
        lt < ft ? null : 'LoRA did not learn less',
      );
    },
  },
  {
    sentence:
      'The precomputed runs of 150 steps took between 53 and 87 seconds each in Node on our 2-core machine',
    ja: '150ステップの事前計算の実行は、私たちの2コアのマシン上のNodeでそれぞれ53秒から87秒かかりました。',
    file: FILE,
    check: (r) =>
      range(
        'seconds per run',
        (at(r, 'runs') as { seconds: number }[]).map((x) => x.seconds),
        53,
        87,
      ),
  },
  {
    sentence:
      "at $r = 8$ (three seeds) and $r = 64$ (two seeds), learning rate $3 \\times 10^{-3}$ (the adapter-placement lesson's choice for $r = 8$), the same 150 steps, and α = 16 at both ranks",
    ja: '$r = 8$（三つのシード）と $r = 64$（二つのシード）で学習しました。学習率は $3 \\times 10^{-3}$（アダプター配置のレッスンが $r = 8$ 用に選んだもの）、ステップ数は同じ150、両ランクとも α = 16 です',
    file: FILE,
    check: (r) =>
      all(
        rounds('LoRA r=8 seeds', runs(r, 'LoRA r=8').length, 3),
        rounds('LoRA r=64 seeds', runs(r, 'LoRA r=64').length, 2),
        rounds('LoRA lr × 1e3', 1e3 * (at(r, 'settings.loraLearningRate') as number), 3),
        rounds('α', at(r, 'settings.loraAlpha') as number, 16),
        rounds('steps', at(r, 'settings.steps') as number, 150),
      ),
  },
  {
    sentence: 'over 15% of the words of the 600 validation and test sentences',
    ja: '検証データとテストデータの600文に含まれる単語の15%',
    file: FILE,
    check: (r) =>
      rounds(
        'sentences',
        (at(r, 'settings.validationExamples') as number) +
          (at(r, 'settings.testExamples') as number),
        600,
      ),
  },
];
