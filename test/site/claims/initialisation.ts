/**
 * Claims of lessons/initialisation.mdx: the precomputed first frames on the pretrained encoder
 * (results/initialisation/encoder.json, made at the page's opening settings).
 */
import { all, at, num, rounds, type Claim, type Results } from './claim.ts';

const FRAMES = 'results/initialisation/encoder.json';

interface Step {
  step: number;
  loss: number;
}

/** Per seed, each step's loss minus the base model's loss on the same batch. */
function relative(r: Results, id: string): number[][] {
  const base = at(r, 'runs.base') as number[];
  const results = at(r, 'runs.results') as { id: string; perSeed: Step[][] }[];
  const scheme = results.find((x) => x.id === id);
  if (!scheme) throw new Error(`no scheme ${id}`);
  return scheme.perSeed.map((run) =>
    run.map((s) => s.loss - (base[s.step % base.length] ?? Number.NaN)),
  );
}

const fixed = (xs: readonly number[], digits: number) =>
  xs.map((x) => x.toFixed(digits)).join(', ');

interface Variant {
  name: string;
  jump: number[];
  worst: number[];
  last: number[];
}

const spike = (r: Results) => ({
  scales: at(r, 'spike.scales') as number[],
  variants: at(r, 'spike.variants') as Variant[],
});

/** The spike variant whose name includes `part`. */
function variant(r: Results, part: string): Variant {
  const v = spike(r).variants.find((x) => x.name.includes(part));
  if (!v) throw new Error(`no spike variant "${part}"`);
  return v;
}

/** The spike experiment's values at `scales`, in that order. */
function atScales(r: Results, values: readonly number[], scales: readonly number[]): number[] {
  const all = spike(r).scales;
  return scales.map((s) => {
    const i = all.indexOf(s);
    if (i < 0) throw new Error(`no scale ${String(s)}`);
    return values[i] ?? Number.NaN;
  });
}

/** The settings the file was made with are the page's opening ones (scale 0.5, r 4, α 8, lr 0.01, seed 0). */
const opening = (r: Results): string | null =>
  all(
    rounds('scale', num(r, 'settings.scale'), 0.5, 2),
    rounds('r', num(r, 'settings.r'), 4),
    rounds('alpha', num(r, 'settings.alpha'), 8),
    rounds('learning rate', num(r, 'settings.lr'), 0.01, 3),
    rounds('seed', num(r, 'settings.seed'), 0),
  );

export const claims: readonly Claim[] = [
  {
    sentence:
      'Four of the five are exactly zero — not small, zero, bit for bit — because the adapter\'s contribution is a product with a zero factor in it. Only "both random" changes the model before it has seen a single example',
    ja: '五つのうち四つは厳密にゼロです。小さいのではなく、ビット単位でゼロです。アダプターの寄与が、ゼロの因子を含む積だからです。「両方ランダム」だけが、一つの例も見ないうちにモデルを変えます',
    file: FRAMES,
    check: (r) => {
      const rows = at(r, 'startChange') as { id: string; change: number }[];
      const moved = rows.filter((x) => x.change !== 0).map((x) => x.id);
      return moved.join() === 'random-both' ? null : `changed at step 0: ${moved.join(', ')}`;
    },
  },
  {
    sentence:
      'The precomputed runs (the opening settings: scale 0.5, r = 4, α = 8, learning rate 0.01; seeds 0, 1 and 2)',
    ja: '事前計算した実行（ページを開いたときの設定：スケール0.5、r = 4、α = 8、学習率0.01、シード0、1、2）',
    file: FRAMES,
    check: (r) =>
      all(
        opening(r),
        (at(r, 'runs.seeds') as number[]).join() === '0,1,2' ? null : 'seeds are not 0, 1, 2',
      ),
  },
  {
    sentence:
      '"A zero, B random" jumps about 2.2 above the base model\'s loss at step 1 on every seed (2.28, 2.29 and 2.14), though it started as a no-op.',
    ja: '「Aゼロ、Bランダム」はno-opとして始まったにもかかわらず、ステップ1ではどのシードでもベースモデルの損失より約2.2高く跳ね上がります（2.28、2.29、2.14）。',
    file: FRAMES,
    check: (r) => {
      const runs = relative(r, 'a-zero-b-random');
      const step1 = runs.map((x) => x[1] ?? Number.NaN);
      return all(
        fixed(step1, 2) === '2.28, 2.29, 2.14' ? null : `step 1: ${fixed(step1, 3)}`,
        runs.every((x) => x[0] === 0) ? null : 'it does not start at the base model',
      );
    },
  },
  {
    sentence:
      'multiplied by an $A$ drawn uniformly within $\\pm 1/\\sqrt{128} \\approx \\pm 0.088$',
    ja: '$\\pm 1/\\sqrt{128} \\approx \\pm 0.088$ の範囲の一様分布から引いた $A$',
    file: 'models/tiny-roberta/config.json',
    // The adapted query and value projections take the hidden width as input.
    check: (r) => rounds('hidden width', num(r, 'hidden_size'), 128),
  },
  {
    sentence:
      '"Both random" also climbs in its first steps, at worst 1.08, 1.85 and 0.94 above the base model\'s loss, while LoRA\'s default never rises more than 0.29 above it.',
    ja: '「両方ランダム」も最初の数ステップで上昇し、最悪でベースモデルの損失より1.08、1.85、0.94高くなります。一方、LoRAの既定の方式がベースモデルの損失を0.29より大きく上回ることはありません。',
    file: FRAMES,
    check: (r) => {
      const both = relative(r, 'random-both').map((x) => Math.max(...x));
      const def = relative(r, 'default').map((x) => Math.max(...x));
      return all(
        fixed(both, 2) === '1.08, 1.85, 0.94' ? null : `worst: ${fixed(both, 3)}`,
        Math.max(...def) <= 0.29 ? null : `the default reaches ${fixed(def, 3)}`,
      );
    },
  },
  {
    sentence:
      "The zero gate is the smoothest of the five: never more than 0.08 above the base model's loss, and 0.12 below it at the last step on every seed, the lowest of the five there.",
    ja: 'ゼロゲートは五つの中で最も滑らかです。ベースモデルの損失を0.08より大きく上回ることはなく、最後のステップではどのシードでもベースモデルの損失を0.12下回り、そこでは五つの中で最も低くなります。',
    file: FRAMES,
    check: (r) => {
      const gate = relative(r, 'gated');
      const worst = Math.max(...gate.flat());
      const last = gate.map((x) => x[x.length - 1] ?? Number.NaN);
      const others = ['default', 'zero-both', 'random-both', 'a-zero-b-random'].map((id) =>
        relative(r, id).map((x) => x[x.length - 1] ?? Number.NaN),
      );
      const beaten = last.filter((g, seed) => others.some((o) => (o[seed] ?? Infinity) <= g));
      return all(
        worst <= 0.08 ? null : `it reaches ${worst.toFixed(3)} above`,
        last.every((x) => x.toFixed(2) === '-0.12') ? null : `last: ${fixed(last, 3)}`,
        beaten.length === 0 ? null : 'another scheme ends as low on some seed',
      );
    },
  },
  {
    sentence:
      "In the precomputed runs on the encoder (the opening settings, seed 0) the start sits 0.014 below the base model's loss at scale 0.25, then 0.050, 0.086 and 0.567 above it at scales 0.5, 1 and 2.",
    ja: 'エンコーダーでの事前計算した実行（ページを開いたときの設定、シード0）では、開始点はスケール0.25でベースモデルの損失を0.014下回り、スケール0.5、1、2ではそれぞれ0.050、0.086、0.567上回ります。',
    file: FRAMES,
    check: (r) => {
      const jump = atScales(r, variant(r, '0.1').jump, [0.25, 0.5, 1, 2]);
      return all(
        opening(r),
        fixed(jump, 3) === '-0.014, 0.050, 0.086, 0.567' ? null : `jumps ${fixed(jump, 4)}`,
      );
    },
  },
  {
    sentence:
      "at 0.1 the loss climbed 2.65 above the base model's even from scale 0, where the start changes nothing, and 2.77 and 3.91 from scales 0.25 and 0.5.",
    ja: '学習率0.1では、開始点が何も変えないスケール0からでさえ損失はベースモデルの損失を2.65上回るまで上昇し、スケール0.25と0.5からではそれぞれ2.77と3.91上回りました。',
    file: FRAMES,
    check: (r) => {
      const worst = atScales(r, variant(r, 'learning rate 0.1').worst, [0, 0.25, 0.5]);
      return fixed(worst, 2) === '2.65, 2.77, 3.91' ? null : `worst ${fixed(worst, 3)}`;
    },
  },
  {
    sentence:
      'The opening rate, 0.01, kept the steps after every start lower than 0.1 did, and ended lower at every scale.',
    ja: 'ページを開いたときの学習率0.01は、どの開始点からでもその後のステップを0.1のときより低く抑え、最後の値もどのスケールでもより低くなりました。',
    file: FRAMES,
    check: (r) => {
      const hot = variant(r, 'learning rate 0.1');
      const cool = variant(r, 'learning rate 0.01');
      const higher = spike(r).scales.filter(
        (_, i) =>
          (cool.worst[i] ?? Infinity) >= (hot.worst[i] ?? -Infinity) ||
          (cool.last[i] ?? Infinity) >= (hot.last[i] ?? -Infinity),
      );
      return higher.length === 0 ? null : `not lower at scales ${higher.join(', ')}`;
    },
  },
  {
    sentence:
      "The warm-up to 0.1 did not help consistently: its worst step was higher than the constant 0.1's from scales 0, 1 and 2 and lower from 0.25 and 0.5.",
    ja: '0.1へのウォームアップは一貫して役立ったわけではありません。その最悪のステップは、スケール0、1、2からでは一定の0.1のときより高く、0.25と0.5からでは低くなりました。',
    file: FRAMES,
    check: (r) => {
      const hot = variant(r, 'learning rate 0.1');
      const warm = variant(r, 'warm-up');
      const { scales } = spike(r);
      const higher = scales.filter((_, i) => (warm.worst[i] ?? 0) > (hot.worst[i] ?? 0));
      const lower = scales.filter((_, i) => (warm.worst[i] ?? 0) < (hot.worst[i] ?? 0));
      return higher.join() === '0,1,2' && lower.join() === '0.25,0.5'
        ? null
        : `higher at ${higher.join(', ')}; lower at ${lower.join(', ')}`;
    },
  },
  {
    sentence: 'That is one seed of 20 steps',
    ja: 'これはシード一つ、20ステップの結果です',
    file: FRAMES,
    check: (r) =>
      all(rounds('steps', num(r, 'spike.steps'), 20), rounds('seed', num(r, 'settings.seed'), 0)),
  },
  {
    sentence:
      'the loss falls at every step up in rank, from 0.457 at $r = 1$ to 0.361 at $r = 16$. Under $\\alpha/\\sqrt{r}$ it goes up and down (0.541 at $r = 2$, 0.344 at $r = 4$, 0.401 at $r = 8$) and ends lowest at $r = 16$ (0.328).',
    ja: 'ランクを上げるたびに損失は下がり、$r = 1$ での0.457から $r = 16$ での0.361になります。$\\alpha/\\sqrt{r}$ では上下し（$r = 2$ で0.541、$r = 4$ で0.344、$r = 8$ で0.401）、$r = 16$ で最も低くなります（0.328）。',
    file: FRAMES,
    check: (r) => {
      const ranks = at(r, 'rankRuns.ranks') as number[];
      const variants = at(r, 'rankRuns.variants') as { useRslora: boolean; final: number[] }[];
      const plain = variants.find((v) => !v.useRslora)?.final ?? [];
      const rs = variants.find((v) => v.useRslora)?.final ?? [];
      const falls = plain.every((x, i) => i === 0 || x < (plain[i - 1] ?? -Infinity));
      return all(
        ranks.join() === '1,2,4,8,16' ? null : `ranks ${ranks.join(', ')}`,
        falls ? null : `α/r: ${fixed(plain, 3)}`,
        fixed([plain[0] ?? NaN, plain[4] ?? NaN], 3) === '0.457, 0.361'
          ? null
          : `α/r ${fixed(plain, 3)}`,
        fixed(rs.slice(1), 3) === '0.541, 0.344, 0.401, 0.328' ? null : `α/√r ${fixed(rs, 3)}`,
        Math.min(...rs) === rs[4] ? null : 'α/√r is not lowest at r = 16',
      );
    },
  },
  {
    sentence:
      'Read the rest with the size of the experiment in mind: 20 steps on a small model, one seed.',
    ja: '残りは実験の規模を念頭に置いて読んでください。小さなモデルで20ステップ、シード一つです。',
    file: FRAMES,
    check: (r) => rounds('steps', num(r, 'steps'), 20),
  },
  {
    sentence:
      'on our encoder a $B$ drawn at scale 0.5 made "A zero, B random" jump about 2.2 above the base model\'s loss at step 1.',
    ja: '私たちのエンコーダーではスケール0.5で引いた $B$ により、「Aゼロ、Bランダム」はステップ1でベースモデルの損失より約2.2高く跳ね上がりました。',
    file: FRAMES,
    check: (r) => {
      const step1 = relative(r, 'a-zero-b-random').map((x) => x[1] ?? Number.NaN);
      return all(
        rounds('scale', num(r, 'settings.scale'), 0.5, 2),
        step1.every((x) => x > 2 && x < 2.4) ? null : `step 1: ${fixed(step1, 3)}`,
      );
    },
  },
  {
    sentence:
      "ten times the opening rate drove the loss 2.65 above the base model's even from a no-op start, and a warm-up did not help consistently.",
    ja: 'ページを開いたときの学習率の十倍では、no-opの開始点からでさえ損失がベースモデルの損失を2.65上回り、ウォームアップも一貫して役立ったわけではありませんでした。',
    file: FRAMES,
    check: (r) => {
      const worst = atScales(r, variant(r, 'learning rate 0.1').worst, [0]);
      return all(
        rounds('worst from scale 0', worst[0] ?? NaN, 2.65, 2),
        variant(r, 'learning rate 0.1').name ===
          `learning rate ${String(10 * num(r, 'settings.lr'))}`
          ? null
          : 'the hot rate is not ten times the opening rate',
      );
    },
  },
];
