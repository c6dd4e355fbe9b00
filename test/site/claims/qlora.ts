/**
 * Claims of lessons/qlora.mdx: the quantised bases and LoRA on them (results/qlora/sentiment.json,
 * made by `npm run reproduce:qlora`).
 */
import { pairedDifference } from '../../../src/core/stats.ts';
import { all, pct, rounds, type Claim, type Results } from './claim.ts';

const FILE = 'results/qlora/sentiment.json';

interface Base {
  base: string;
  blockBytes: number;
  otherBytes: number;
  matrices: { relativeError: number }[];
  mlm: { loss: number; accuracy: number; positions: number };
  runs: { seed: number; accuracy: number }[];
}

/** The entry of `name` in the results. */
function base(results: Results, name: string): Base {
  const b = (results.bases as Base[]).find((x) => x.base === name);
  if (!b) throw new Error(`no base ${name}`);
  return b;
}

/** Mean relative error over the matrices of a base, in percent. */
const meanError = (b: Base): number =>
  (100 * b.matrices.reduce((a, m) => a + m.relativeError, 0)) / b.matrices.length;

/** Mean and sample standard deviation of a base's test accuracy. */
function acc(b: Base): { mean: number; sd: number } {
  const xs = b.runs.map((r) => r.accuracy);
  const mean = xs.reduce((a, x) => a + x, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (xs.length - 1));
  return { mean, sd };
}

/** Masked words predicted right. */
const right = (b: Base): number => Math.round(b.mlm.accuracy * b.mlm.positions);

const KIB = 1024;
const BASES = ['float32', 'int8', 'nf4', 'nf4-dq'] as const;

const quantClaims: Claim[] = [
  {
    sentence:
      'Stored as NF4 with double quantisation, the twelve block matrices hold 198 KiB instead of 1,536 KiB, 12.9% of their float32 bytes, although the matrices read back are off by 9.2% on average in relative error (int8: 0.6%, at 27% of the bytes).',
    ja: 'NF4と二重量子化で格納すると、十二個のブロック行列は1,536 KiBではなく198 KiB、float32のときのバイト数の12.9%に収まります。ただし、読み戻した行列の相対誤差は平均で9.2%です（int8では0.6%で、バイト数は27%）。',
    file: FILE,
    check: (r) => {
      const [f, i8, dq] = [base(r, 'float32'), base(r, 'int8'), base(r, 'nf4-dq')];
      return all(
        dq.matrices.length === 12 ? null : `${String(dq.matrices.length)} matrices`,
        rounds('NF4+DQ KiB', dq.blockBytes / KIB, 198),
        rounds('float32 KiB', f.blockBytes / KIB, 1536),
        rounds('share %', (100 * dq.blockBytes) / f.blockBytes, 12.9, 1),
        rounds('NF4+DQ error %', meanError(dq), 9.2, 1),
        rounds('int8 error %', meanError(i8), 0.6, 1),
        rounds('int8 share %', (100 * i8.blockBytes) / f.blockBytes, 27),
      );
    },
  },
  {
    sentence: 'The rest of the model, 8,233 KiB, is mostly the word-embedding table',
    ja: 'モデルの残りの8,233 KiBは大部分が単語埋め込み表',
    file: FILE,
    check: (r) =>
      all(
        ...BASES.map((b) => rounds(`${b} rest KiB`, base(r, b).otherBytes / KIB, 8233)),
        // the table: 16,000 × 128 float32 weights of the 8,430,600 bytes
        base(r, 'float32').otherBytes > 2 * 16000 * 128 * 4 ? 'the table is not most' : null,
      ),
  },
  {
    sentence:
      'NF4 moved the masked-word loss from 5.129 to 5.134 nats and got 2 fewer of the 1,380 hidden words right; int8 and NF4 with double quantisation got as many right as the float32 model, 27.4%.',
    ja: 'NF4でマスク単語の損失は5.129から5.134 natsに変わり、隠した1,380語のうち正解が2語減りました。int8と、NF4に二重量子化を加えたものは、float32のモデルと同じ数だけ正解しました（27.4%）。',
    file: FILE,
    check: (r) => {
      const [f, i8, n4, dq] = BASES.map((b) => base(r, b)) as [Base, Base, Base, Base];
      return all(
        rounds('float32 loss', f.mlm.loss, 5.129, 3),
        rounds('NF4 loss', n4.mlm.loss, 5.134, 3),
        f.mlm.positions === 1380 ? null : `${String(f.mlm.positions)} positions`,
        right(f) - right(n4) === 2 ? null : `NF4: ${String(right(f) - right(n4))} fewer right`,
        right(i8) === right(f) && right(dq) === right(f) ? null : 'int8 / NF4+DQ differ',
        rounds('float32 accuracy', pct(f.mlm.accuracy), 27.4, 1),
      );
    },
  },
  {
    sentence:
      'LoRA trained on top reached 82.1 ± 1.9% on the float32 base, 82.6 ± 3.4% on int8, 82.8 ± 0.5% on NF4 and 83.3 ± 2.0% on NF4 with double quantisation.',
    ja: 'その上で学習したLoRAの正解率は、float32のベースで82.1 ± 1.9%、int8で82.6 ± 3.4%、NF4で82.8 ± 0.5%、NF4と二重量子化で83.3 ± 2.0%でした。',
    file: FILE,
    check: (r) => {
      const stated: Record<(typeof BASES)[number], [number, number]> = {
        float32: [82.1, 1.9],
        int8: [82.6, 3.4],
        nf4: [82.8, 0.5],
        'nf4-dq': [83.3, 2.0],
      };
      return all(
        ...BASES.flatMap((b) => {
          const a = acc(base(r, b));
          const [m, sd] = stated[b];
          return [
            base(r, b).runs.length === 3 ? null : `${b}: ${String(base(r, b).runs.length)} seeds`,
            rounds(`${b} mean`, 100 * a.mean, m, 1),
            rounds(`${b} sd`, 100 * a.sd, sd, 1),
          ];
        }),
      );
    },
  },
  {
    sentence:
      'The four means lie within 1.2 points of each other, while the three seeds of one base spread over up to 6.3 points',
    ja: '四つの平均は互いに1.2ポイント以内に収まる一方、一つのベースの三つのシードは最大6.3ポイントにわたってばらつきます',
    file: FILE,
    check: (r) => {
      const means = BASES.map((b) => 100 * acc(base(r, b)).mean);
      const spreads = BASES.map((b) => {
        const xs = base(r, b).runs.map((x) => 100 * x.accuracy);
        return Math.max(...xs) - Math.min(...xs);
      });
      return all(
        rounds('spread of means', Math.max(...means) - Math.min(...means), 1.2, 1),
        rounds('largest seed spread', Math.max(...spreads), 6.3, 1),
      );
    },
  },
  {
    sentence: 'These runs are short (160 steps of 32 sentences, about two epochs)',
    ja: 'これらの実行は短く（32文のバッチで160ステップ、学習データおよそ二エポック分）',
    file: FILE,
    check: (r) => {
      const s = r.settings as { steps: number; batchSize: number; seeds: number[] };
      return all(
        s.steps === 160 ? null : `steps ${String(s.steps)}`,
        s.batchSize === 32 ? null : `batch ${String(s.batchSize)}`,
        rounds('epochs', (s.steps * s.batchSize) / 2379, 2),
      );
    },
  },
  {
    sentence:
      'NF4 with double quantisation held the block matrices in 12.9% of their float32 bytes with a 9.2% relative error per matrix',
    ja: 'NF4と二重量子化でブロック行列をfloat32のときのバイト数の12.9%に収め、行列ごとの相対誤差は9.2%でした',
    file: FILE,
    check: (r) =>
      all(
        rounds(
          'share %',
          (100 * base(r, 'nf4-dq').blockBytes) / base(r, 'float32').blockBytes,
          12.9,
          1,
        ),
        rounds('error %', meanError(base(r, 'nf4-dq')), 9.2, 1),
      ),
  },
];

const VARIANTS_FILE = 'results/qlora/variants.json';

interface Variant {
  variant: string;
  learningRate: number;
  search: { learningRate: number; validation: number }[];
  runs: { seed: number; accuracy: number; trainable: number }[];
}

/** The entry of `name` in the variants results. */
function variant(results: Results, name: string): Variant {
  const v = (results.variants as Variant[]).find((x) => x.variant === name);
  if (!v) throw new Error(`no variant ${name}`);
  return v;
}

/** Mean and sample sd of a variant's test accuracy, in percent. */
function vAcc(v: Variant): { mean: number; sd: number } {
  const xs = v.runs.map((r) => 100 * r.accuracy);
  const mean = xs.reduce((a, x) => a + x, 0) / xs.length;
  return { mean, sd: Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (xs.length - 1)) };
}

/** The validation accuracy of the chosen rate, in percent. */
const chosenValidation = (v: Variant): number =>
  100 * Math.max(...v.search.map((x) => x.validation));

const NAMES = ['lora', 'rslora', 'loraplus', 'dora', 'pissa'] as const;

/** Seed-by-seed difference from plain LoRA, in points, with its 95% interval (core's rule). */
function vsLora(r: Results, name: string): { mean: number; lo: number; hi: number } {
  const v = variant(r, name);
  const lora = variant(r, 'lora');
  const seeds = v.runs.map((x) => x.seed);
  const acc = (w: Variant): number[] =>
    seeds.map((sd) => {
      const run = w.runs.find((x) => x.seed === sd);
      if (!run) throw new Error(`${w.variant} has no seed ${String(sd)}`);
      return 100 * run.accuracy;
    });
  const d = pairedDifference(acc(v), acc(lora));
  return { mean: d.mean, lo: d.mean - d.halfWidth, hi: d.mean + d.halfWidth };
}

const candidates = (r: Results): number[] => (r.settings as { candidates: number[] }).candidates;

const variantClaims: Claim[] = [
  {
    sentence:
      'for every variant the best of the same four learning rates ($3 \\times 10^{-4}$, $10^{-3}$, $3 \\times 10^{-3}$ and $10^{-2}$) on the validation sentences, then five seeds.',
    ja: 'どの変種でも同じ四つの学習率（$3 \\times 10^{-4}$、$10^{-3}$、$3 \\times 10^{-3}$、$10^{-2}$）から検証データで最良のものを選び、そのうえで五つのシードで学習します。',
    file: VARIANTS_FILE,
    check: (r) =>
      all(
        candidates(r).join(',') === '0.0003,0.001,0.003,0.01'
          ? null
          : `candidates ${candidates(r).join(', ')}`,
        ...NAMES.map((n) =>
          variant(r, n).runs.length === 5 && variant(r, n).search.length === 4
            ? null
            : `${n}: ${String(variant(r, n).runs.length)} seeds, ${String(variant(r, n).search.length)} rates`,
        ),
      ),
  },
  {
    sentence:
      'every variant but LoRA+ scored within 4.3 points of its best at each of the three smaller rates, and all five fell to chance (50.0%) at $10^{-2}$.',
    ja: 'LoRA+以外のどの変種も、小さいほうの三つの学習率のいずれでも最良値から4.3ポイント以内に収まり、$10^{-2}$ では五つすべてがチャンスレベル（50.0%）まで落ちました。',
    file: VARIANTS_FILE,
    check: (r) => {
      // Validation accuracy (percent) at the rates below 1e-2.
      const working = (n: string): number[] =>
        variant(r, n)
          .search.filter((x) => x.learningRate < 0.01)
          .map((x) => 100 * x.validation);
      const others = NAMES.filter((n) => n !== 'loraplus');
      const gap = Math.max(
        ...others.map((n) => chosenValidation(variant(r, n)) - Math.min(...working(n))),
      );
      return all(
        others.every((n) => working(n).length === 3) ? null : 'not three smaller rates',
        rounds('largest gap to the best', gap, 4.3, 1),
        Math.min(...working('loraplus')) === 50 ? null : 'LoRA+ did not fail below 1e-2',
        ...NAMES.map((n) => {
          const at = variant(r, n).search.find((x) => x.learningRate === 0.01);
          return at?.validation === 0.5 ? null : `${n} at 1e-2: ${String(at?.validation)}`;
        }),
      );
    },
  },
  {
    sentence: "rsLoRA's three scores differ by a single sentence (76.7% against 76.3%).",
    ja: 'rsLoRAの三つのスコアの差はわずか一文分です（76.7%対76.3%）。',
    file: VARIANTS_FILE,
    check: (r) => {
      const xs = variant(r, 'rslora')
        .search.filter((x) => x.learningRate < 0.01)
        .map((x) => Math.round(300 * x.validation));
      return all(
        Math.max(...xs) - Math.min(...xs) === 1 ? null : `sentences right: ${xs.join(', ')}`,
        rounds('best', (100 * Math.max(...xs)) / 300, 76.7, 1),
        rounds('worst', (100 * Math.min(...xs)) / 300, 76.3, 1),
      );
    },
  },
  {
    sentence:
      'On the test sentences plain LoRA averaged 83.2 ± 2.0%, rsLoRA 81.2 ± 1.6%, LoRA+ 82.0 ± 1.9%, DoRA 83.5 ± 1.0% and PiSSA 83.8 ± 1.1%.',
    ja: 'テストデータでの平均は、素のLoRAが83.2 ± 2.0%、rsLoRAが81.2 ± 1.6%、LoRA+が82.0 ± 1.9%、DoRAが83.5 ± 1.0%、PiSSAが83.8 ± 1.1%でした。',
    file: VARIANTS_FILE,
    check: (r) => {
      const stated: [string, number, number][] = [
        ['lora', 83.2, 2.0],
        ['rslora', 81.2, 1.6],
        ['loraplus', 82.0, 1.9],
        ['dora', 83.5, 1.0],
        ['pissa', 83.8, 1.1],
      ];
      return all(
        ...stated.flatMap(([n, m, sd]) => [
          rounds(`${n} mean`, vAcc(variant(r, n)).mean, m, 1),
          rounds(`${n} sd`, vAcc(variant(r, n)).sd, sd, 1),
        ]),
      );
    },
  },
  {
    sentence:
      "every interval contains zero, from rsLoRA's −2.0 points (−5.4 to +1.4) to PiSSA's +0.6 (−1.1 to +2.3).",
    ja: 'どの区間もゼロを含み、rsLoRAの−2.0ポイント（−5.4から+1.4）からPiSSAの+0.6（−1.1から+2.3）までに収まります。',
    file: VARIANTS_FILE,
    check: (r) => {
      const others = NAMES.filter((n) => n !== 'lora');
      const d = others.map((n) => [n, vsLora(r, n)] as const);
      const lowest = d.reduce((a, x) => (x[1].mean < a[1].mean ? x : a));
      const highest = d.reduce((a, x) => (x[1].mean > a[1].mean ? x : a));
      return all(
        ...d.map(([n, x]) =>
          x.lo < 0 && x.hi > 0 ? null : `${n}: ${x.lo.toFixed(1)} to ${x.hi.toFixed(1)}`,
        ),
        lowest[0] === 'rslora' ? null : `lowest is ${lowest[0]}`,
        highest[0] === 'pissa' ? null : `highest is ${highest[0]}`,
        rounds('rsLoRA', lowest[1].mean, -2.0, 1),
        rounds('rsLoRA lo', lowest[1].lo, -5.4, 1),
        rounds('rsLoRA hi', lowest[1].hi, 1.4, 1),
        rounds('PiSSA', highest[1].mean, 0.6, 1),
        rounds('PiSSA lo', highest[1].lo, -1.1, 1),
        rounds('PiSSA hi', highest[1].hi, 2.3, 1),
      );
    },
  },
  {
    sentence:
      'LoRA+ already fell to chance at $3 \\times 10^{-3}$, the rate plain LoRA liked best, and validation picked $3 \\times 10^{-4}$ for it.',
    ja: 'LoRA+は素のLoRAが最も良かった学習率 $3 \\times 10^{-3}$ ですでにチャンスレベルまで落ち、検証では $3 \\times 10^{-4}$ が選ばれました。',
    file: VARIANTS_FILE,
    check: (r) => {
      const v = variant(r, 'loraplus');
      const at3 = v.search.find((x) => x.learningRate === 0.003);
      const ratio = (r.settings as { loraplusLrRatio: number }).loraplusLrRatio;
      return all(
        ratio === 16 ? null : `ratio ${String(ratio)}`,
        at3 && Math.abs(at3.validation - 0.5) < 1e-9
          ? null
          : `LoRA+ at 3e-3: ${String(at3?.validation)}`,
        variant(r, 'lora').learningRate === 0.003 ? null : 'LoRA chose another rate',
        v.learningRate === 0.0003 ? null : `LoRA+ chose ${String(v.learningRate)}`,
      );
    },
  },
  {
    sentence:
      "DoRA, the one variant that adds weights, trains 55,938 against LoRA's 53,634 (one magnitude per output unit of each adapted module).",
    ja: 'DoRAは重みを追加する唯一の変種で、学習する重みはLoRAの53,634に対して55,938です（適応した各モジュールの出力ユニットごとに大きさが一つ）。',
    file: VARIANTS_FILE,
    check: (r) =>
      all(
        variant(r, 'dora').runs[0]?.trainable === 55938 ? null : 'DoRA count',
        ...['lora', 'rslora', 'loraplus', 'pissa'].map((n) =>
          variant(r, n).runs[0]?.trainable === 53634 ? null : `${n} count`,
        ),
      ),
  },
  {
    sentence:
      'Each tuned over the same four learning rates, rsLoRA, LoRA+, DoRA and PiSSA all landed within the seed-to-seed uncertainty of plain LoRA on our task',
    ja: '同じ四つの学習率でそれぞれ調整すると、rsLoRA、LoRA+、DoRA、PiSSAはいずれも、私たちのタスクで素のLoRAとの差がシード間のばらつきによる不確かさの範囲内に収まりました',
    file: VARIANTS_FILE,
    check: (r) =>
      all(
        ...['rslora', 'loraplus', 'dora', 'pissa'].map((n) => {
          const d = vsLora(r, n);
          return d.lo < 0 && d.hi > 0 ? null : `${n}: ${d.lo.toFixed(1)} to ${d.hi.toFixed(1)}`;
        }),
      ),
  },
];

/**
 * The benchmark records (`npm run bench`, not a lesson results file: it lives beside `public/`, so
 * the path climbs out of it).
 */
const BENCH_FILE = '../bench/results.json';

/** A QLoRA bench setting's step time relative to LoRA on float32. */
function stepRatio(records: Results, variantName: string, baseName: string): number {
  const r = (records as unknown as { benchmark: string; metric: string; value: number }[]).find(
    (x) =>
      x.benchmark === `qlora-train/${variantName}/${baseName}` &&
      x.metric === 'step_time_ratio_vs_lora_float32',
  );
  if (!r) throw new Error(`no bench record for ${variantName} on ${baseName}`);
  return r.value;
}

const stepClaims: Claim[] = [
  {
    sentence:
      "a DoRA step took 1.35 times as long as plain LoRA's, since it recomputes the norm of every column of the adapted weight at each step; rsLoRA, LoRA+ and PiSSA cost what plain LoRA costs, within 3%; and LoRA on the quantised bases took 4% to 7% longer than on float32",
    ja: 'DoRAのステップには素のLoRAの1.35倍の時間がかかりました。毎ステップ、適応した重みのすべての列のノルムを計算し直すためです。rsLoRA、LoRA+、PiSSAのコストは3%以内で素のLoRAと同じで、量子化したベースの上のLoRAはfloat32の場合より4%から7%長くかかりました',
    file: BENCH_FILE,
    check: (r) => {
      const same = ['rslora', 'loraplus', 'pissa'].map((v) => stepRatio(r, v, 'float32'));
      const bases = ['int8', 'nf4', 'nf4-dq'].map((b) => stepRatio(r, 'lora', b));
      return all(
        rounds('DoRA ×', stepRatio(r, 'dora', 'float32'), 1.35, 2),
        same.every((x) => Math.abs(x - 1) <= 0.03)
          ? null
          : `rsLoRA/LoRA+/PiSSA: ${same.join(', ')}`,
        rounds('quantised, least %', 100 * (Math.min(...bases) - 1), 4),
        rounds('quantised, most %', 100 * (Math.max(...bases) - 1), 7),
      );
    },
  },
];

export const claims: readonly Claim[] = [...quantClaims, ...variantClaims, ...stepClaims];
