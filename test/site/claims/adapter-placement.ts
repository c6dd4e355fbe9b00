/** Claims of lessons/adapter-placement.mdx: which modules, layers and ranks, on the tiny encoder. */
import { all, at, num, pct, rounds, type Claim, type Results } from './claim.ts';
import { ARMS, EVAL_GAP, armIs, fullAhead } from './eval-gap.ts';

const PLACEMENT = 'results/placement/sentiment.json';
const EVAL = 'models/tiny-roberta/eval.json';

interface Point {
  label: string;
  setting: { kind: string; modules?: string[]; layers?: string; r?: number };
  trainable: number;
  mean: number;
  sd: number;
  n: number;
  seeds: number[];
  accuracies: number[];
}

interface Run {
  label: string;
  seed: number;
  accuracy: number;
  finalLoss: number;
}

const points = (r: Results) => at(r, 'points') as Point[];

/** The point with this label; throws naming it when the file has none. */
function point(r: Results, label: string): Point {
  const p = points(r).find((q) => q.label === label);
  if (!p) throw new Error(`no point "${label}"`);
  return p;
}

const single = (module: string) => `LoRA r=8 ${module}, all layers`;
const rank = (r: number) => `LoRA r=${String(r)} all modules, all layers`;
const SINGLE = ['query', 'key', 'value', 'attention-output', 'ffn-up', 'ffn-down'];

/** Checks a point's mean (and optionally sd) in percent with one decimal. */
function meanSd(r: Results, label: string, mean: number, sd?: number): string | null {
  const p = point(r, label);
  return all(
    rounds(`${label} mean`, pct(p.mean), mean, 1),
    sd === undefined ? null : rounds(`${label} sd`, pct(p.sd), sd, 1),
  );
}

/** The eval.json arm's test mean and sd, in percent. */
function arm(r: Results, name: string, mean: number, sd: number): string | null {
  const a = at(r, `summary.${name}`) as Results;
  return all(
    rounds(`${name} mean`, pct(num(a, 'test.mean')), mean, 1),
    rounds(`${name} sd`, pct(num(a, 'test.sd')), sd, 1),
  );
}

/** The epochs every run of an eval.json arm trained for. */
function epochs(r: Results, name: string): number[] {
  const runs = at(r, 'runs') as { arm: string; epochs: number }[];
  return [...new Set(runs.filter((x) => x.arm === name).map((x) => x.epochs))];
}

export const claims: readonly Claim[] = [
  {
    sentence:
      'In the tiny model the embeddings are most of the parameters, because its vocabulary is large compared with its width',
    ja: '小さなモデルでは、語彙が幅に比べて大きいため、埋め込みがパラメータの大半を占めます',
    file: PLACEMENT,
    check: (r) => {
      const c = (key: string) => num(r, `settings.config.${key}`);
      // Token, position and type tables (their LayerNorm is counted with the LayerNorms).
      const embeddings =
        (c('vocabSize') + c('maxPositionEmbeddings') + c('typeVocabSize')) * c('hiddenSize');
      const total = (at(r, 'runs') as { all: number; label: string }[]).find(
        (x) => x.label === 'full fine-tuning',
      )?.all;
      if (total === undefined) return 'no full fine-tuning run';
      return embeddings / total > 0.5
        ? null
        : `embeddings are ${((100 * embeddings) / total).toFixed(1)}% of ${String(total)}`;
    },
  },
  {
    sentence:
      "the classifier alone; LoRA at r = 8 on each of query, key, value, attention output, feed-forward up and feed-forward down, and on all six; all six on the upper or the lower half of the layers (our model has two layers, so that is one layer each); all six at r = 1, 2, 4, 8, 16; and full fine-tuning. Every LoRA run also trains the classifier (PEFT's `modules_to_save`), with α = 2r and the same number of steps.",
    ja: '比較するのは次の設定です：分類器のみ。query、key、value、アテンション出力、フィードフォワードの上方射影、フィードフォワードの下方射影のそれぞれと、六つすべてにr = 8のLoRAを付けたもの。六つすべてを層の上半分または下半分に付けたもの（このモデルは二層なので、それぞれ一層ずつです）。六つすべてをr = 1, 2, 4, 8, 16にしたもの。そしてフルファインチューニングです。LoRAの実行ではすべて分類器も学習させ（PEFTの `modules_to_save`）、α = 2rで、ステップ数は同じです。',
    file: PLACEMENT,
    check: (r) => {
      const want = [
        'classifier only',
        ...SINGLE.map(single),
        rank(8),
        'LoRA r=8 all modules, upper layers',
        'LoRA r=8 all modules, lower layers',
        ...[1, 2, 4, 16].map(rank),
        'full fine-tuning',
      ].sort();
      const have = points(r)
        .map((p) => p.label)
        .sort();
      const runs = at(r, 'runs') as { label: string; steps: number; trainable: number }[];
      const steps = new Set(runs.map((x) => x.steps));
      const head = point(r, 'classifier only').trainable;
      const loraWithoutHead = points(r).filter(
        (p) => p.setting.kind === 'lora' && p.trainable <= head,
      );
      return all(
        have.join('|') === want.join('|') ? null : `settings: ${have.join(', ')}`,
        rounds('layers', num(r, 'settings.config.numHiddenLayers'), 2),
        String(at(r, 'settings.loraAlpha')).startsWith('2·r') ? null : 'α is not 2r',
        steps.size === 1 ? null : `steps differ: ${[...steps].join(', ')}`,
        loraWithoutHead.length === 0 ? null : 'a LoRA run does not train the classifier',
      );
    },
  },
  {
    sentence:
      "Here is this course's tiny encoder in the shape of the shipped pretrained model (2 layers, width 128, feed-forward width 512, a 16,000-token vocabulary, sequences up to 48 tokens)",
    ja: '同梱の事前学習済みモデルの形（2層、幅128、フィードフォワード幅512、16,000トークンの語彙、最大48トークンの系列）',
    file: 'models/tiny-roberta/config.json',
    check: (r) =>
      all(
        rounds('layers', num(r, 'num_hidden_layers'), 2),
        rounds('width', num(r, 'hidden_size'), 128),
        rounds('feed-forward width', num(r, 'intermediate_size'), 512),
        rounds('vocabulary', num(r, 'vocab_size'), 16000),
        // RoBERTa's positions start after the padding index: 48 tokens need 48 + pad + 1.
        rounds('tokens', num(r, 'max_position_embeddings') - num(r, 'pad_token_id') - 1, 48),
      ),
  },
  {
    sentence:
      'validation sentences from two or three candidates, with one seed and with all six modules at r = 8 standing for every LoRA setting',
    ja: '二つか三つの候補から検証データの文で一度だけ選びました。選ぶときはシード一つで、LoRAの設定はすべて六つのモジュールすべてにr = 8を付けた設定で代表させています',
    file: PLACEMENT,
    check: (r) => {
      const search = at(r, 'lrSearch') as { kind: string; setting: string }[];
      const per = ['classifier', 'lora', 'full'].map(
        (k) => search.filter((s) => s.kind === k).length,
      );
      const loraSettings = new Set(search.filter((s) => s.kind === 'lora').map((s) => s.setting));
      return all(
        per.every((n) => n === 2 || n === 3) ? null : `candidates per kind: ${per.join(', ')}`,
        loraSettings.size === 1 && loraSettings.has(rank(8))
          ? null
          : `LoRA rates searched on ${[...loraSettings].join(', ')}`,
        String(at(r, 'settings.learningRateChoice')).includes('seed 0')
          ? null
          : 'the choice does not say it used seed 0',
      );
    },
  },
  {
    sentence:
      '80 steps of 32 sentences, about one pass over the 2,379 training sentences; three seeds (0, 1, 2); 300 test sentences',
    ja: '32文ずつ80ステップ（2,379文の学習データをおよそ一巡）、三つのシード（0, 1, 2）、300文のテストデータ',
    file: PLACEMENT,
    check: (r) =>
      all(
        rounds('steps', num(r, 'settings.steps'), 80),
        rounds('batch', num(r, 'settings.batchSize'), 32),
        rounds('epochs', num(r, 'settings.epochs'), 1),
        rounds('training sentences', num(r, 'settings.trainExamples'), 2379),
        rounds('test sentences', num(r, 'settings.testExamples'), 300),
        (at(r, 'settings.seeds') as number[]).join(',') === '0,1,2'
          ? null
          : 'seeds are not 0, 1, 2',
        points(r).every((p) => p.n === 3) ? null : 'a point has fewer than three seeds',
      ),
  },
  {
    sentence:
      'LoRA on all six modules at r = 8 reaches 81.9 ± 1.0%, 4.3 points above the classifier alone (77.6 ± 1.2%).',
    ja: '六つのモジュールすべてにr = 8でLoRAを付けると81.9 ± 1.0%に達し、分類器のみ（77.6 ± 1.2%）を4.3ポイント上回ります。',
    file: PLACEMENT,
    check: (r) =>
      all(
        meanSd(r, rank(8), 81.9, 1.0),
        meanSd(r, 'classifier only', 77.6, 1.2),
        rounds('gap', pct(point(r, rank(8)).mean) - pct(point(r, 'classifier only').mean), 4.3, 1),
      ),
  },
  {
    sentence:
      'None beats the classifier alone: key ties it (77.6%), query and feed-forward up come close (76.7% and 76.1%), and attention output, value and feed-forward down fall below it (74.2%, 72.8% and 72.2%).',
    ja: 'どれも分類器のみを上回りません。keyは同点（77.6%）、queryとフィードフォワードの上方射影はそれに迫り（76.7%と76.1%）、アテンション出力、value、フィードフォワードの下方射影はそれを下回ります（74.2%、72.8%、72.2%）。',
    file: PLACEMENT,
    check: (r) => {
      const head = point(r, 'classifier only').mean;
      const beat = SINGLE.filter((m) => point(r, single(m)).mean > head + 1e-9);
      return all(
        beat.length === 0 ? null : `${beat.join(', ')} beat the classifier alone`,
        meanSd(r, single('key'), 77.6),
        meanSd(r, single('query'), 76.7),
        meanSd(r, single('ffn-up'), 76.1),
        meanSd(r, single('attention-output'), 74.2),
        meanSd(r, single('value'), 72.8),
        meanSd(r, single('ffn-down'), 72.2),
      );
    },
  },
  {
    sentence:
      'Our gaps between single modules are no larger than their spread over seeds (a standard deviation of up to 5.2 points), and the three lowest owe most of their deficit to seed 1 (68.3%, 68.0% and 67.3% there).',
    ja: '私たちの単一モジュール間の差は、シード間のばらつき（標準偏差で最大5.2ポイント）より大きくなく、最も低い三つは不足分の大半がシード1によるものです（そのシードでは68.3%、68.0%、67.3%）。',
    file: PLACEMENT,
    check: (r) => {
      const singles = SINGLE.map((m) => point(r, single(m)));
      const means = singles.map((p) => pct(p.mean));
      const range = Math.max(...means) - Math.min(...means);
      const maxSd = Math.max(...singles.map((p) => pct(p.sd)));
      const seed1 = ['attention-output', 'value', 'ffn-down'].map((m) => {
        const p = point(r, single(m));
        return pct(p.accuracies[p.seeds.indexOf(1)] ?? Number.NaN);
      });
      return all(
        rounds('largest sd', maxSd, 5.2, 1),
        range <= 2 * maxSd ? null : `means span ${range.toFixed(1)} points`,
        seed1.join(',') === '68.3,68,67.3' ? null : `seed 1: ${seed1.join(', ')}`,
      );
    },
  },
  {
    sentence:
      'LoRA stays well behind full fine-tuning**, which reaches 86.1 ± 0.7%; on RoBERTa-base the two tie',
    ja: 'LoRAはフルファインチューニングに大きく後れを取ったままです**。フルファインチューニングは86.1 ± 0.7%に達します。RoBERTa-baseでは両者は同等でした',
    file: PLACEMENT,
    check: (r) => {
      const best = Math.max(
        ...points(r)
          .filter((p) => p.setting.kind === 'lora')
          .map((p) => p.mean),
      );
      const full = point(r, 'full fine-tuning');
      return all(
        meanSd(r, 'full fine-tuning', 86.1, 0.7),
        full.mean - best > 0.03 ? null : `best LoRA ${pct(best).toString()}% is within 3 points`,
      );
    },
  },
  {
    sentence:
      "78.3% at r = 1, 80.6% at r = 2, 81.9% at r = 4 and at r = 8, 78.7% at r = 16, where Kamp's ranks",
    ja: 'r = 1で78.3%、r = 2で80.6%、r = 4とr = 8で81.9%、r = 16で78.7%です。一方、Kampのランク',
    file: PLACEMENT,
    check: (r) =>
      all(
        meanSd(r, rank(1), 78.3),
        meanSd(r, rank(2), 80.6),
        meanSd(r, rank(4), 81.9),
        meanSd(r, rank(8), 81.9),
        meanSd(r, rank(16), 78.7),
      ),
  },
  {
    sentence:
      'The r = 16 runs scored exactly 236 of 300 on all three seeds, a standard deviation of 0, though they ended at different training losses (0.387, 0.376 and 0.425)',
    ja: 'r = 16の実行は三つのシードすべてでちょうど300文中236文に正解し、標準偏差は0でしたが、最終的な学習損失はそれぞれ異なっていました（0.387、0.376、0.425）',
    file: PLACEMENT,
    check: (r) => {
      const runs = (at(r, 'runs') as Run[]).filter((x) => x.label === rank(16));
      const correct = runs.map((x) => Math.round(x.accuracy * num(r, 'settings.testExamples')));
      const losses = runs.map((x) => x.finalLoss.toFixed(3)).join(', ');
      return all(
        runs.length === 3 && correct.every((c) => c === 236)
          ? null
          : `correct: ${correct.join(', ')}`,
        losses === '0.387, 0.376, 0.425' ? null : `final losses ${losses}`,
      );
    },
  },
  {
    sentence: '80.8 ± 2.7% and 81.0 ± 3.1%, against 81.9 ± 1.0% for both layers.',
    ja: '80.8 ± 2.7%と81.0 ± 3.1%で、両方の層に付けた場合は81.9 ± 1.0%です。',
    file: PLACEMENT,
    check: (r) => {
      const upper = point(r, 'LoRA r=8 all modules, upper layers');
      const lower = point(r, 'LoRA r=8 all modules, lower layers');
      const both = point(r, rank(8));
      const gap =
        Math.max(...[upper, lower, both].map((p) => p.mean)) -
        Math.min(upper.mean, lower.mean, both.mean);
      return all(
        meanSd(r, upper.label, 80.8, 2.7),
        meanSd(r, lower.label, 81.0, 3.1),
        meanSd(r, both.label, 81.9, 1.0),
        gap < Math.max(upper.sd, lower.sd)
          ? null
          : `the gap ${pct(gap).toString()} exceeds the spread`,
      );
    },
  },
  {
    sentence:
      'there the classifier alone reaches 82.3 ± 0.3% after 10 epochs, and LoRA at r = 2 on query and value — fewer trainable parameters than any LoRA setting above — reaches 85.1 ± 0.7% after 12 epochs',
    ja: 'そこでは、分類器のみは10エポック後に82.3 ± 0.3%に達し、queryとvalueにr = 2で付けたLoRA（上のどのLoRA設定よりも学習可能なパラメータが少ない）は12エポック後に85.1 ± 0.7%に達します',
    file: EVAL,
    check: (r) => {
      const lora = (at(r, 'runs') as { arm: string; trainable: number }[]).find(
        (x) => x.arm === 'lora/pretrained:mean',
      );
      return all(
        arm(r, 'frozen/pretrained', 82.3, 0.3),
        arm(r, 'lora/pretrained:mean', 85.1, 0.7),
        epochs(r, 'frozen/pretrained').join() === '10' ? null : 'classifier epochs',
        epochs(r, 'lora/pretrained:mean').join() === '12' ? null : 'LoRA epochs',
        rounds('r', num(r, 'hyperParameters.lora.r'), 2),
        (at(r, 'hyperParameters.lora.targetModules') as string[]).join('+') === 'query+value'
          ? null
          : 'LoRA modules',
        // The placement run's smallest LoRA setting trains 20,866 (r = 8 on one module).
        lora && lora.trainable < 20866 ? null : `LoRA trains ${String(lora?.trainable)}`,
      );
    },
  },
  {
    sentence: 'above every LoRA setting here.',
    ja: 'ここでのどのLoRA設定よりも上です。',
    file: PLACEMENT,
    check: (r) => {
      const best = Math.max(
        ...points(r)
          .filter((p) => p.setting.kind === 'lora')
          .map((p) => p.mean),
      );
      return best < 0.851 ? null : `a LoRA setting reaches ${pct(best).toString()}%`;
    },
  },
  {
    sentence:
      'The gap to full fine-tuning survives the longer budget (89.7 ± 0.6% after 2 epochs, 4.6 points ahead)',
    ja: 'フルファインチューニングとの差は、長い予算でも残ります（2エポック後に89.7 ± 0.6%で、4.6ポイント上）',
    file: EVAL,
    check: (r) => {
      const full = num(r, 'summary.full/pretrained:mean.test.mean');
      const lora = num(r, 'summary.lora/pretrained:mean.test.mean');
      return all(
        arm(r, 'full/pretrained:mean', 89.7, 0.6),
        epochs(r, 'full/pretrained:mean').join() === '2' ? null : 'full epochs',
        rounds('gap', pct(full) - pct(lora), 4.6, 1),
      );
    },
  },
  {
    sentence:
      'Candidates we have not tested: the LoRA learning rate (0.003) was chosen for all six modules at r = 8',
    ja: 'LoRAの学習率（0.003）は六つのモジュールすべてにr = 8を付けた設定で選んだもので',
    file: PLACEMENT,
    check: (r) => rounds('LoRA learning rate', num(r, 'settings.learningRate'), 0.003, 4),
  },
  {
    sentence:
      'only all six modules together beat the classifier alone, rank mattered up to 4, and full fine-tuning stayed 4.2 points ahead of the best LoRA setting.',
    ja: '分類器のみを上回ったのは六つのモジュールすべてを合わせた場合だけで、ランクは4まで効き、フルファインチューニングは最良のLoRA設定を4.2ポイント上回ったままでした。',
    file: PLACEMENT,
    check: (r) => {
      const lora = points(r).filter((p) => p.setting.kind === 'lora');
      const head = point(r, 'classifier only').mean;
      const best = Math.max(...lora.map((p) => p.mean));
      const full = point(r, 'full fine-tuning').mean;
      const singlesBeat = lora.filter(
        (p) => p.setting.modules?.length === 1 && p.mean > head + 1e-9,
      );
      return all(
        singlesBeat.length === 0 ? null : `${singlesBeat.map((p) => p.label).join(', ')} beat it`,
        point(r, rank(8)).mean > head ? null : 'all six modules do not beat the classifier',
        point(r, rank(4)).mean > point(r, rank(2)).mean &&
          point(r, rank(2)).mean > point(r, rank(1)).mean
          ? null
          : 'accuracy does not rise from r = 1 to 4',
        rounds('full − best LoRA', pct(full) - pct(best), 4.2, 1),
      );
    },
  },
  {
    sentence:
      'single small adapter above the classifier alone, but not up to full fine-tuning: 85.1% against 89.7%.',
    ja: '一つの小さなアダプターを分類器のみより上に押し上げますが、フルファインチューニングまでは届きません：85.1%対89.7%。',
    file: EVAL,
    check: (r) =>
      all(
        arm(r, 'lora/pretrained:mean', 85.1, 0.7),
        arm(r, 'full/pretrained:mean', 89.7, 0.6),
        num(r, 'summary.lora/pretrained:mean.test.mean') >
          num(r, 'summary.frozen/pretrained.test.mean')
          ? null
          : 'LoRA does not beat the classifier alone',
      ),
  },
  {
    sentence:
      'More directions in the linear layers do not close it: with the word-embedding table frozen, full fine-tuning itself scores 84.7 ± 1.1%, and LoRA at r = 8 on all six modules 86.3 ± 1.2%',
    ja: '線形層の方向を増やしてもこの差は縮まりません。単語埋め込み表を凍結すると、フルファインチューニングそのものが84.7 ± 1.1%、六つのモジュールすべてにr = 8で付けたLoRAは86.3 ± 1.2%になります',
    file: EVAL_GAP,
    check: (r) =>
      all(
        armIs(r, ARMS.body, 84.7, 1.1),
        armIs(r, ARMS.lora8, 86.3, 1.2),
        fullAhead(r, ARMS.body),
        fullAhead(r, ARMS.lora8),
      ),
  },
];
