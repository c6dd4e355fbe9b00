/**
 * The words of the lesson kit in each edition (docs/japanese-edition.md): the training panel's
 * buttons, status, numbers and chart labels (training-panel.ts, live-chart.ts), why a shipped
 * file could not be read (site.ts), and what the URL state says of a refused value
 * (url-state.ts). One object per edition of the same shape (the compiler catches a missing key);
 * button names as the Japanese lessons' prose names them (「開始」, 「停止」, 「再開」), terms from
 * docs/glossary-ja.md. The English words are exactly what the kit has always shown.
 *
 * The kit's functions pick the page's edition (`<html lang>`, English outside a browser) when
 * they run, so a lesson cell calls them as before in both editions.
 */
import { documentLang, type Lang } from '../../lib/i18n.ts';

/** A trainer's progress, as the panel's numbers line shows it. */
export interface PanelStats {
  readonly loss: number;
  readonly stepsPerSecond: number;
  readonly etaSeconds: number;
  readonly memoryBytes: number;
  readonly tensors: number;
  readonly trainable: number;
  readonly total: number;
}

/** The kit's words in one edition. */
export interface KitText {
  /** The training panel (training-panel.ts). */
  readonly panel: {
    readonly start: string;
    readonly stop: string;
    readonly resume: string;
    /** The progress bar's accessible name. */
    readonly progress: string;
    /** The buttons' group's accessible name. */
    readonly controls: string;
    readonly steps: (done: number, total: number) => string;
    readonly notStarted: string;
    /** The loss chart's label (its accessible name and axis). */
    readonly loss: string;
    /** The accuracy chart's label. */
    readonly accuracy: string;
    /** The figures' x axis. */
    readonly step: string;
    readonly stats: (s: PanelStats) => string;
    /** How the status line names a run's `method` (any other name is shown as it is). */
    readonly methods: Readonly<Record<string, string>>;
    /** A run without a `method`. */
    readonly defaultMethod: string;
    readonly training: (method: string, backend: string) => string;
    readonly resumed: (backend: string) => string;
    readonly stopping: string;
    readonly stopped: (steps: number) => string;
    readonly memoryAfterStop: (stop: number, tensors: number, bytes: number) => string;
    readonly done: (steps: number, accuracy: number, msPerStep: number) => string;
    readonly failed: (message: string) => string;
  };
  /** The live chart (live-chart.ts). */
  readonly chart: {
    /** The accessible name: the label and the last value, or that there is none yet. */
    readonly named: (label: string, last: number | undefined) => string;
    readonly axis: (label: string) => string;
  };
  /** Why a shipped file could not be read (site.ts's SiteFileError, after the file's path). */
  readonly site: {
    readonly noSite: string;
    readonly couldNotRead: (why: string) => string;
    readonly notJson: (why: string) => string;
    readonly notSchema: (why: string) => string;
    readonly notObject: string;
    readonly couldNotFetch: (why: string) => string;
    /** An HTTP error status, with the server's short explanation when it gives one. */
    readonly http: (status: number, explanation: string | null) => string;
    /** weightsNote: the results record no weights. */
    readonly weightsUnrecorded: string;
    /** weightsNote: the results were made with other weights (the first 8 hex digits of each). */
    readonly weightsOther: (made: string, served: string) => string;
  };
  /** The URL state (url-state.ts). */
  readonly url: {
    readonly oneOf: (options: readonly string[]) => string;
    readonly between: (lo: number, hi: number) => string;
    readonly integer: (lo: number, hi: number) => string;
    readonly anyText: string;
    /** A refused value and the default used instead. */
    readonly refused: (name: string, raw: string, expects: string, fallback: string) => string;
  };
  /** The sentiment encoder's stand-in (sentiment-encoder.ts). */
  readonly sentiment: {
    readonly noSite: string;
  };
}

const en: KitText = {
  panel: {
    start: 'Start',
    stop: 'Stop',
    resume: 'Resume',
    progress: 'Training progress',
    controls: 'Training controls',
    steps: (done, total) => `${String(done)} / ${String(total)} steps`,
    notStarted: 'Not started.',
    loss: 'training loss',
    accuracy: 'validation accuracy',
    step: 'step',
    stats: (s) =>
      `loss ${s.loss.toFixed(4)} · ${s.stepsPerSecond.toFixed(2)} steps/s · ` +
      `about ${String(Math.ceil(s.etaSeconds))} s left · memory ${(s.memoryBytes / 2 ** 20).toFixed(1)} MiB in ` +
      `${String(s.tensors)} tensors · ${s.trainable.toLocaleString('en')} of ` +
      `${s.total.toLocaleString('en')} weights train ` +
      `(${((100 * s.trainable) / s.total).toFixed(2)}%)`,
    methods: { lora: 'LoRA', full: 'full fine-tuning', head: 'the classifier alone' },
    defaultMethod: 'full fine-tuning',
    training: (method, backend) => `Training (${method}) on ${backend}…`,
    resumed: (backend) => `Training (resumed) on ${backend}…`,
    stopping: 'Stopping…',
    stopped: (steps) => `Stopped after ${String(steps)} steps. Resume continues from there.`,
    memoryAfterStop: (stop, tensors, bytes) =>
      `After Stop ${String(stop)}, the worker holds ${String(tensors)} tensors ` +
      `(${(bytes / 2 ** 20).toFixed(2)} MiB).`,
    done: (steps, accuracy, msPerStep) =>
      `Done: ${String(steps)} steps, validation accuracy ${accuracy.toFixed(3)}, ` +
      `${msPerStep.toFixed(0)} ms per step (median).`,
    failed: (message) => `Training failed: ${message}`,
  },
  chart: {
    named: (label, last) => `${label}: ${last === undefined ? 'none yet' : last.toFixed(3)}`,
    axis: (label) => `${label} · step →`,
  },
  site: {
    noSite: 'there is no site to load it from',
    couldNotRead: (why) => `could not be read (${why})`,
    notJson: (why) => `is not valid JSON (${why})`,
    notSchema: (why) => `does not fit its schema (${why})`,
    notObject: 'must hold a JSON object',
    couldNotFetch: (why) => `could not be fetched (${why})`,
    http: (status, explanation) =>
      `HTTP ${String(status)}${explanation === null ? '' : ` (${explanation})`}`,
    weightsUnrecorded:
      ' These results do not record which weights of the pretrained model they were made with, so they may come from an earlier version of it.',
    weightsOther: (made, served) =>
      ` These results were made with other weights (${made}…) than the pretrained model this site serves now (${served}…); rerun the precompute script to remake them.`,
  },
  url: {
    oneOf: (options) => `one of ${options.join(', ')}`,
    between: (lo, hi) => `a number from ${String(lo)} to ${String(hi)}`,
    integer: (lo, hi) => `a whole number from ${String(lo)} to ${String(hi)}`,
    anyText: 'any text',
    refused: (name, raw, expects, fallback) =>
      `${name}=${raw} is not ${expects}: using ${fallback}`,
  },
  sentiment: { noSite: 'no site to load the model from' },
};

const ja: KitText = {
  panel: {
    start: '開始',
    stop: '停止',
    resume: '再開',
    progress: '学習の進み具合',
    controls: '学習の操作',
    steps: (done, total) => `${String(done)} / ${String(total)}ステップ`,
    notStarted: 'まだ開始していません。',
    loss: '学習データでの損失',
    accuracy: '検証データでの正解率',
    step: 'ステップ',
    stats: (s) =>
      `損失${s.loss.toFixed(4)} · 毎秒${s.stepsPerSecond.toFixed(2)}ステップ · ` +
      `残り約${String(Math.ceil(s.etaSeconds))}秒 · メモリ${(s.memoryBytes / 2 ** 20).toFixed(1)} MiB` +
      `（テンソル${String(s.tensors)}個） · 学習する重み${s.trainable.toLocaleString('en')}個` +
      `（全${s.total.toLocaleString('en')}個の${((100 * s.trainable) / s.total).toFixed(2)}%）`,
    methods: { lora: 'LoRA', full: 'フルファインチューニング', head: '分類器のみ' },
    defaultMethod: 'フルファインチューニング',
    training: (method, backend) => `${backend}で学習中（${method}）…`,
    resumed: (backend) => `${backend}で学習中（再開）…`,
    stopping: '停止しています…',
    stopped: (steps) =>
      `${String(steps)}ステップで停止しました。「再開」でその続きから学習します。`,
    memoryAfterStop: (stop, tensors, bytes) =>
      `${String(stop)}回目の停止の後、ワーカーが保持しているテンソルは${String(tensors)}個` +
      `（${(bytes / 2 ** 20).toFixed(2)} MiB）です。`,
    done: (steps, accuracy, msPerStep) =>
      `完了：${String(steps)}ステップ、検証データでの正解率${accuracy.toFixed(3)}、` +
      `1ステップあたり${msPerStep.toFixed(0)} ms（中央値）。`,
    failed: (message) => `学習に失敗しました：${message}`,
  },
  chart: {
    named: (label, last) => `${label}：${last === undefined ? 'まだありません' : last.toFixed(3)}`,
    axis: (label) => `${label} · ステップ →`,
  },
  site: {
    noSite: '読み込み元のサイトがありません',
    couldNotRead: (why) => `読み込めませんでした（${why}）`,
    notJson: (why) => `正しいJSONではありません（${why}）`,
    notSchema: (why) => `スキーマに合いません（${why}）`,
    notObject: 'JSONオブジェクトでなければなりません',
    couldNotFetch: (why) => `取得できませんでした（${why}）`,
    http: (status, explanation) =>
      `HTTP ${String(status)}${explanation === null ? '' : `（${explanation}）`}`,
    weightsUnrecorded:
      'これらの結果には、事前学習済みモデルのどの重みで作ったかが記録されていないため、以前の版の重みで作られた可能性があります。',
    weightsOther: (made, served) =>
      `これらの結果は、このサイトが現在配信している事前学習済みモデル（${served}…）とは別の重み（${made}…）で作られています。作り直すには事前計算スクリプトを再実行してください。`,
  },
  url: {
    oneOf: (options) => `${options.join('、')}のいずれか`,
    between: (lo, hi) => `${String(lo)}から${String(hi)}までの数`,
    integer: (lo, hi) => `${String(lo)}から${String(hi)}までの整数`,
    anyText: '任意のテキスト',
    refused: (name, raw, expects, fallback) =>
      `${name}=${raw}は${expects}ではないため、${fallback}を使います`,
  },
  sentiment: { noSite: 'モデルを読み込むサイトがありません' },
};

/** The kit's words in the edition `lang` (by default the page's, English outside a browser). */
export function kitText(lang: Lang = documentLang()): KitText {
  return lang === 'ja' ? ja : en;
}
