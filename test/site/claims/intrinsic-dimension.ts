/** Claims of lessons/intrinsic-dimension.mdx: MNIST in random subspaces, and the tiny encoder. */
import { findD90 } from '../../../src/experiments/intrinsic/d90.ts';
import { all, at, num, pct, rounds, type Claim, type Results } from './claim.ts';
import {
  ARMS,
  CV,
  EVAL_GAP,
  PROBE,
  armIs,
  cvLeadIs,
  fullAhead,
  gapBetween,
  noBetter,
  summaryOf,
} from './eval-gap.ts';

const MNIST = 'results/intrinsic/mnist.json';
const SENTIMENT = 'results/intrinsic/sentiment.json';
const EVAL = 'models/tiny-roberta/eval.json';

/** The MNIST runs' d90 at a threshold, recomputed from every run as the lesson's table does. */
function d90At(r: Results, threshold: (baseline: number) => number) {
  const runs = at(r, 'runs') as { d: number; seed: number; accuracy: number }[];
  return findD90(runs, threshold(num(r, 'baseline.meanAccuracy')));
}

interface Curve {
  name: string;
  baseline: number;
  grid: number[];
  mean: number[];
  std: number[];
  d90: number | null;
}

const curves = (r: Results) => at(r, 'curves') as Curve[];

export const claims: readonly Claim[] = [
  {
    sentence:
      'Their fully connected MNIST network reached 97.99% test accuracy when trained directly, so its bar is 90% of that, about 88.2%',
    ja: '彼らの全結合MNISTネットワークは直接学習でテスト正解率97.99%に達したので、基準はその90%、約88.2%です',
    file: MNIST,
    check: (r) =>
      all(
        rounds('paper baseline %', 100 * num(r, 'paper.baselineAccuracy'), 97.99, 2),
        rounds('paper bar %', 90 * num(r, 'paper.baselineAccuracy'), 88.2, 1),
      ),
  },
  {
    sentence:
      'the script gives each run 1,000 steps, about two epochs, so that the whole grid over three seeds finishes in under an hour',
    ja: 'スクリプトでは各実行に1,000ステップ、約二エポックを与え、三つのシードにわたるグリッド全体がプロセッサコア二つで一時間足らずで終わるようにしています',
    file: MNIST,
    check: (r) =>
      all(
        rounds('steps', num(r, 'settings.steps'), 1000),
        rounds('epochs', num(r, 'settings.epochs'), 2),
        rounds('seeds', (at(r, 'settings.seeds') as unknown[]).length, 3),
        num(r, 'wallSeconds') < 3600 ? null : `wall time ${String(num(r, 'wallSeconds'))} s`,
      ),
  },
  {
    sentence:
      'test accuracy 12.5% at 0.001, 37.1% at 0.003, 63.2% at 0.01 and 73.9% at 0.03; at $d = 1{,}500$, 84.2% at 0.01 and 86.5% at 0.03',
    ja: 'テスト正解率は0.001で12.5%、0.003で37.1%、0.01で63.2%、0.03で73.9%でした。$d = 1{,}500$ では0.01で84.2%、0.03で86.5%です',
    file: MNIST,
    check: (r) => {
      const note = String(at(r, 'settings.learningRateNote'));
      const want = ['12.5%', '37.1%', '63.2%', '73.9%', '84.2%', '86.5%'];
      const missing = want.filter((w) => !note.includes(w));
      return missing.length === 0 ? null : `settings.learningRateNote lacks ${missing.join(', ')}`;
    },
  },
  {
    sentence:
      "With the paper's own bar — 90% of the directly trained network — our runs give d90 = 750 on our grid, about 610 when interpolated, against the paper's 750. Ours is *lower*",
    ja: '論文自身の基準、つまり直接学習したネットワークの90%を使うと、私たちの実行ではグリッド上でd90 = 750、補間すると約610となり、論文の750と比べて私たちの値のほうが*低く*なります',
    file: MNIST,
    check: (r) => {
      const rel = d90At(r, (b) => 0.9 * b);
      return all(
        rel.d90 === 750 ? null : `d90 on the grid is ${String(rel.d90)}`,
        rounds('interpolated d90 / 10', (rel.interpolated ?? Number.NaN) / 10, 61),
        num(r, 'paper.d90') === 750 ? null : `paper d90 ${String(num(r, 'paper.d90'))}`,
        (rel.interpolated ?? Infinity) < num(r, 'paper.d90') ? null : 'ours is not lower',
      );
    },
  },
  {
    sentence:
      "after two epochs our baseline reaches 97.1% where the paper's reached 97.99% after a hundred, so our bar (87.4%) sits below theirs (88.2%)",
    ja: '私たちのベースラインは二エポックで97.1%に達したのに対し、論文のベースラインは百エポックで97.99%に達していたので、私たちの基準（87.4%）は論文の基準（88.2%）より低いのです',
    file: MNIST,
    check: (r) =>
      all(
        rounds('baseline %', pct(num(r, 'baseline.meanAccuracy')), 97.1, 1),
        rounds('our bar %', 90 * num(r, 'baseline.meanAccuracy'), 87.4, 1),
        rounds('paper epochs', num(r, 'paper.epochs'), 100),
      ),
  },
  {
    sentence:
      'With an absolute bar of 90% test accuracy, d90 is 1,000 on our grid and about 900 interpolated.',
    ja: 'テスト正解率90%という絶対的な基準では、d90はグリッド上で1,000、補間すると約900です。',
    file: MNIST,
    check: (r) => {
      const abs = d90At(r, () => 0.9);
      return all(
        abs.d90 === 1000 ? null : `d90 on the grid is ${String(abs.d90)}`,
        rounds('interpolated d90 / 100', (abs.interpolated ?? Number.NaN) / 100, 9),
      );
    },
  },
  {
    sentence: 'crosses the bar at a $d$ some two to three hundred times smaller than $D$.',
    ja: '$D$ の二、三百分の一ほどの $d$ で基準を越えます。',
    file: MNIST,
    check: (r) => {
      const D = num(r, 'settings.parameters');
      const ratios = [d90At(r, (b) => 0.9 * b), d90At(r, () => 0.9)].map(
        (x) => D / (x.interpolated ?? Number.NaN),
      );
      return ratios.every((q) => q >= 195 && q < 350)
        ? null
        : `D / d90 = ${ratios.map((q) => q.toFixed(0)).join(' and ')}`;
    },
  },
  {
    sentence:
      'our MNIST classifier has 199,210 parameters, and a random subspace of under a thousand dimensions reaches 90% of its directly trained accuracy.',
    ja: '私たちのMNIST分類器のパラメータは199,210個ですが、千次元未満のランダム部分空間で、直接学習したときの正解率の90%に達します。',
    file: MNIST,
    check: (r) => {
      const rel = d90At(r, (b) => 0.9 * b);
      return all(
        rounds('D', num(r, 'settings.parameters'), 199210),
        rel.d90 !== null && rel.d90 < 1000 ? null : `d90 on the grid is ${String(rel.d90)}`,
      );
    },
  },
  {
    sentence:
      'It is not a measurement of d90: none of the three starts reaches 90% of its own full fine-tuning within a subspace of a thousand dimensions and a budget of under one epoch.',
    ja: 'これはd90の測定ではありません。三つの開始点のどれも、千次元の部分空間と一エポック未満の予算の範囲では、自身のフルファインチューニングの90%に届いていません。',
    file: SENTIMENT,
    check: (r) => {
      const c = curves(r);
      return all(
        c.length === 3 ? null : `${String(c.length)} curves`,
        c.every((x) => x.d90 === null) ? null : `d90: ${c.map((x) => String(x.d90)).join(', ')}`,
        Math.max(...c.flatMap((x) => x.grid)) === 1000 ? null : 'the grid does not end at 1,000',
        num(r, 'settings.epochs') < 1 ? null : `epochs ${String(num(r, 'settings.epochs'))}`,
      );
    },
  },
  {
    sentence:
      "That is the direction Aghajanyan et al. report — a pretrained starting point makes a small random subspace more useful: the pretrained start's mean is above the random start's at every $d$ of the grid.",
    ja: 'これはAghajanyanらが報告したのと同じ向きの結果です。つまり、事前学習済みの開始点は小さなランダム部分空間をより役に立つものにします。グリッドのどの $d$ でも、事前学習済みの開始点の平均はランダムな開始点の平均を上回っています。',
    file: SENTIMENT,
    check: (r) => {
      const [pre, rnd] = curves(r);
      if (!pre || !rnd) return 'two curves expected';
      const behind = pre.grid.filter((_, i) => (pre.mean[i] ?? 0) <= (rnd.mean[i] ?? 0));
      return behind.length === 0
        ? null
        : `the pretrained start is not ahead at d = ${behind.join(', ')}`;
    },
  },
  {
    sentence:
      "Several end at or near 50%, what a classifier gets by always answering one label, and the pretrained start's seeds spread by 9.4 points at $d = 300$ and 7.9 at $d = 1{,}000$; the curve is flat between them (63.0% and 62.8%).",
    ja: 'いくつかの実行は50%かその近くで終わっています。これは常に同じラベルを答える分類器の正解率です。また、事前学習済みの開始点のシード間のばらつき（標準偏差）は $d = 300$ で9.4ポイント、$d = 1{,}000$ で7.9ポイントあり、その間で曲線は平らです（63.0%と62.8%）。',
    file: SENTIMENT,
    check: (r) => {
      const [pre] = curves(r);
      if (!pre) return 'no pretrained curve';
      const runs = at(r, 'runs') as { d: number | 'full'; accuracy: number }[];
      const nearChance = runs.filter((x) => x.d !== 'full' && x.accuracy <= 0.52).length;
      const i300 = pre.grid.indexOf(300);
      const i1000 = pre.grid.indexOf(1000);
      return all(
        nearChance >= 3 ? null : `${String(nearChance)} subspace runs at or under 52%`,
        rounds('sd at 300', pct(pre.std[i300] ?? Number.NaN), 9.4, 1),
        rounds('sd at 1,000', pct(pre.std[i1000] ?? Number.NaN), 7.9, 1),
        rounds('mean at 300', pct(pre.mean[i300] ?? Number.NaN), 63.0, 1),
        rounds('mean at 1,000', pct(pre.mean[i1000] ?? Number.NaN), 62.8, 1),
      );
    },
  },
  {
    sentence:
      'With four seeds, the pretrained start is ahead of the random one by more than a standard deviation on each side only at $d = 100$.',
    ja: 'シード四つでは、事前学習済みの開始点がランダムな開始点を双方の標準偏差一つ分を超えて上回るのは $d = 100$ だけです。',
    file: SENTIMENT,
    check: (r) => {
      const [pre, rnd] = curves(r);
      if (!pre || !rnd) return 'two curves expected';
      const ahead = pre.grid.filter(
        (_, i) => (pre.mean[i] ?? 0) - (pre.std[i] ?? 0) > (rnd.mean[i] ?? 0) + (rnd.std[i] ?? 0),
      );
      return all(
        rounds('seeds', (at(r, 'settings.seeds') as unknown[]).length, 4),
        ahead.join(',') === '100' ? null : `ahead at d = ${ahead.join(', ')}`,
      );
    },
  },
  {
    sentence:
      'It sits between the two at every $d$ (55.1%, 58.1% and 57.1%), and fine-tuned in full it scores 82.5%, against 83.8% for the pretrained encoder and 79.9% for the random start.',
    ja: 'この開始点はどの $d$ でも二つの間に位置し（55.1%、58.1%、57.1%）、フルファインチューニングでは82.5%で、事前学習済みエンコーダーの83.8%とランダムな開始点の79.9%の間です。',
    file: SENTIMENT,
    check: (r) => {
      const [pre, rnd, glove] = curves(r);
      if (!pre || !rnd || !glove) return 'three curves expected';
      const between = glove.grid.filter(
        (_, i) =>
          !((rnd.mean[i] ?? 0) < (glove.mean[i] ?? 0) && (glove.mean[i] ?? 0) < (pre.mean[i] ?? 0)),
      );
      return all(
        glove.name.startsWith('GloVe') ? null : `third curve is ${glove.name}`,
        between.length === 0 ? null : `not between at d = ${between.join(', ')}`,
        rounds('d = 100', pct(glove.mean[0] ?? Number.NaN), 55.1, 1),
        rounds('d = 300', pct(glove.mean[1] ?? Number.NaN), 58.1, 1),
        rounds('d = 1,000', pct(glove.mean[2] ?? Number.NaN), 57.1, 1),
        rounds('GloVe full', pct(glove.baseline), 82.5, 1),
        rounds('pretrained full', pct(pre.baseline), 83.8, 1),
        rounds('random full', pct(rnd.baseline), 79.9, 1),
      );
    },
  },
  {
    sentence:
      "So the GloVe vectors alone bring two thirds of the pretrained start's lead in full fine-tuning and a third to a half of it in the subspaces",
    ja: 'つまり、GloVeベクトルだけで、フルファインチューニングでは事前学習済みの開始点のリードの三分の二を、部分空間では三分の一から半分をもたらしています',
    file: SENTIMENT,
    check: (r) => {
      const [pre, rnd, glove] = curves(r);
      if (!pre || !rnd || !glove) return 'three curves expected';
      const full = (glove.baseline - rnd.baseline) / (pre.baseline - rnd.baseline);
      const sub = glove.grid.map(
        (_, i) =>
          ((glove.mean[i] ?? 0) - (rnd.mean[i] ?? 0)) / ((pre.mean[i] ?? 0) - (rnd.mean[i] ?? 0)),
      );
      return all(
        Math.abs(full - 2 / 3) < 0.05 ? null : `full fine-tuning share ${full.toFixed(2)}`,
        sub.every((q) => q >= 0.3 && q <= 0.55)
          ? null
          : `subspace shares ${sub.map((q) => q.toFixed(2)).join(', ')}`,
      );
    },
  },
  {
    sentence:
      'LoRA at rank 2 on query and value reaches 85.1 ± 0.7% test accuracy against 89.7 ± 0.6% for full fine-tuning (three seeds each, 300 test sentences; `models/tiny-roberta/eval.json`), a gap of 4.6 points.',
    ja: 'queryとvalueに置いたランク2のLoRAはテスト正解率85.1 ± 0.7%で、フルファインチューニングの89.7 ± 0.6%とは4.6ポイントの差があります（各三シード、テスト文300件。`models/tiny-roberta/eval.json`）。',
    file: EVAL,
    check: (r) => {
      const lora = at(r, 'summary.lora/pretrained:mean') as Results;
      const full = at(r, 'summary.full/pretrained:mean') as Results;
      const modules = (at(r, 'hyperParameters.lora.targetModules') as string[]).join('+');
      return all(
        rounds('LoRA mean', pct(num(lora, 'test.mean')), 85.1, 1),
        rounds('LoRA sd', pct(num(lora, 'test.sd')), 0.7, 1),
        rounds('full mean', pct(num(full, 'test.mean')), 89.7, 1),
        rounds('full sd', pct(num(full, 'test.sd')), 0.6, 1),
        rounds('gap', pct(num(full, 'test.mean')) - pct(num(lora, 'test.mean')), 4.6, 1),
        num(lora, 'n') === 3 && num(full, 'n') === 3 ? null : 'not three seeds each',
        rounds('r', num(r, 'hyperParameters.lora.r'), 2),
        modules === 'query+value' ? null : `target modules ${modules}`,
      );
    },
  },
  {
    sentence: 'The encoder has 2.5 million weights and saw about six million words of pretraining',
    ja: 'このエンコーダーの重みは2.5M個で、事前学習で見た単語は約六百万語です',
    file: 'models/tiny-roberta/manifest.json',
    check: (r) => rounds('tokens seen (millions)', num(r, 'training.tokensSeen') / 1e6, 6),
  },
  {
    sentence: 'The encoder has 2.5 million weights',
    ja: 'このエンコーダーの重みは2.5M個',
    file: SENTIMENT,
    check: (r) => rounds('weights (millions)', num(r, 'settings.parameters') / 1e6, 2.5, 1),
  },
  {
    sentence:
      'full fine-tuning with the word-embedding table frozen, every other weight free at full rank, scores 84.7 ± 1.1%, no better than the rank-2 adapters',
    ja: '単語埋め込み表を凍結し、それ以外のすべての重みをフルランクで自由に学習させたフルファインチューニングは84.7 ± 1.1%で、ランク2のアダプターを上回りません',
    file: EVAL_GAP,
    check: (r) => all(armIs(r, ARMS.body, 84.7, 1.1), noBetter(r, ARMS.body, ARMS.lora2)),
  },
  {
    sentence: "Full fine-tuning's lead comes from re-learning the word vectors",
    ja: 'フルファインチューニングが優位なのは単語ベクトルを学習し直せるから',
    file: EVAL_GAP,
    check: (r) => fullAhead(r, ARMS.body),
  },
  {
    sentence:
      'over all 2,979 sentences, each tested once in ten folds, the encoder after masked-language modelling scores 78.6% and the same encoder before it (GloVe vectors, random layers) 76.0%, a gain of 2.7 points with a 95% interval of 1.4 to 3.9',
    ja: '十分割で各文を一度ずつテストした全2,979文で、マスク言語モデリング後のエンコーダーは78.6%、その前の同じエンコーダー（GloVeベクトル、ランダムな層）は76.0%で、向上は2.7ポイント、95%信頼区間は1.4〜3.9です',
    file: EVAL_GAP,
    check: (r) => {
      const runs = r.runs as { arm: string; testCorrect?: string }[];
      const tested = (arm: string): number =>
        runs.filter((x) => x.arm === arm).reduce((n, x) => n + (x.testCorrect?.length ?? 0), 0);
      const g = gapBetween(r, PROBE.mlm, PROBE.glove);
      return all(
        rounds('sentences (MLM probe)', tested(PROBE.mlm), 2979),
        rounds('sentences (GloVe probe)', tested(PROBE.glove), 2979),
        rounds('folds', summaryOf(r, PROBE.mlm).n, 10),
        rounds('MLM probe', pct(summaryOf(r, PROBE.mlm).test.mean), 78.6, 1),
        rounds('GloVe probe', pct(summaryOf(r, PROBE.glove).test.mean), 76.0, 1),
        rounds('gain', pct(g.estimate), 2.7, 1),
        rounds('gain low', pct(g.low), 1.4, 1),
        rounds('gain high', pct(g.high), 3.9, 1),
      );
    },
  },
  {
    sentence:
      'Tested on every sentence of the task rather than on 300, the gap is smaller but not closed: 2.9 points for that adapter and 1.5 for rank 8 on all six linear layers',
    ja: 'テストデータの300文ではなくタスクの全文でテストすると、差は小さくなりますが、なくなりはしません。このアダプターでは2.9ポイント、六つの線形層すべてにランク8を置いた場合は1.5ポイントです',
    file: EVAL_GAP,
    check: (r) => all(cvLeadIs(r, CV.lora2, 2.9, 1.7, 4.1), cvLeadIs(r, CV.lora8, 1.5, 0.4, 2.6)),
  },
];
