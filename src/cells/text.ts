/**
 * The words the cell runtime itself produces, in each edition (docs/japanese-edition.md): the
 * messages of a cell's errors (syntax, runaway loop, stopped, an input that failed), share links
 * that cannot be read, an embed's address parameters, `progress`, and the backend badge's reason.
 * One object per edition of the same shape (the compiler catches a missing key), terms from
 * docs/glossary-ja.md. The page chrome's words are in client/text.ts.
 *
 * The language is the page's (`documentLang()`: English outside a browser, so Node tests and
 * scripts read English); the English words are exactly what the site has always shown.
 */
import { ENGLISH_BACKEND_REASONS, type BackendReasonWords } from '../core/backend.ts';
import { documentLang, type Lang } from '../lib/i18n.ts';
import { ENGLISH_WASM_WORDS, type WasmReasonWords } from '../platform/wasm-threads.ts';

/** The runtime's words in one edition. */
export interface CellsText {
  /** remark-cells.ts: a cell section's accessible name (1-based `n`). */
  readonly cellLabel: (n: number, name: string | null) => string;
  /** compile.ts: a syntax error's position after the parser's message. */
  readonly syntaxAt: (message: string, line: number, column: number) => string;
  /** compile.ts: a cell with `import`. */
  readonly noImport: string;
  /** loop-guard.ts: a loop stopped after `limit` ("5 s"). */
  readonly loopTimeout: (limit: string) => string;
  /** loop-guard.ts: the reader pressed Stop. */
  readonly stopped: string;
  /** runtime.ts: a cell threw something that is not an Error. */
  readonly nonError: (value: string) => string;
  /** runtime.ts: this cell reads `name`, which failed (at `line` of its own code, when known). */
  readonly waitingOn: (name: string, line: number | null, message: string) => string;
  /** runtime.ts: how a cell without a name is called (1-based). */
  readonly cellN: (n: number) => string;
  /** generators.ts: `viewof x = …` whose value is no element. */
  readonly viewofNotInput: (type: string) => string;
  readonly progress: {
    /** The bar's accessible name when the cell gives no label. */
    readonly label: string;
    readonly badFraction: (value: string) => string;
  };
  /** share.ts: why a share link cannot be read (mount.ts puts it in a sentence). */
  readonly share: {
    readonly notBase64Url: string;
    readonly badBase64: string;
    readonly tooLargeInflated: (limit: number) => string;
    readonly notObject: string;
    readonly formatVersion: (version: string) => string;
    readonly noSlug: string;
    readonly noVersion: string;
    readonly noCells: string;
    readonly badEntry: (k: number) => string;
    readonly badIndex: (k: number, index: string) => string;
    readonly noSource: (index: number) => string;
    readonly badId: (index: number) => string;
    readonly twice: (index: number) => string;
    readonly noDecompression: string;
    readonly notDecompressing: string;
    readonly tooLarge: string;
    readonly unknownFormat: (kind: string) => string;
    readonly notJson: string;
  };
  /** embed-params.ts and client/embed-inputs.ts: an embed's address parameters. */
  readonly params: {
    /** A value wrapped in quotes, as messages show it. */
    readonly quote: (text: string) => string;
    readonly notOneOf: (param: string, allowed: readonly string[], fallback: string) => string;
    readonly notAName: (name: string) => string;
    readonly tooLong: (name: string, length: number, max: number) => string;
    readonly tooMany: (max: number, name: string) => string;
    readonly belowMin: (min: number) => string;
    readonly aboveMax: (max: number) => string;
    readonly notMultiple: (step: number) => string;
    /** `param` ("r=100") was clamped and snapped to `value`; `notes` say why. */
    readonly clamped: (param: string, notes: readonly string[], value: number) => string;
    readonly notNumber: (param: string, current: string) => string;
    readonly notBoolean: (param: string, current: string) => string;
    /** What kind of value cannot come from an address: `null`, `list`, `object`, or a `typeof`. */
    readonly kind: (kind: string) => string;
    readonly notSettable: (name: string, kind: string) => string;
    readonly notAChoice: (param: string, current: string) => string;
    readonly adjusted: (param: string, value: string) => string;
  };
  /** backend.ts: the badge's reason. */
  readonly backend: {
    readonly reasons: BackendReasonWords;
    readonly wasm: WasmReasonWords;
    /** A probe's description in this language (the English ones that have a translation). */
    readonly probe: Readonly<Record<string, string>>;
    readonly failedToStart: (failed: readonly string[], name: string) => string;
    readonly deviceLost: (why: string) => string;
    readonly noReason: string;
  };
}

const en: CellsText = {
  cellLabel: (n, name) =>
    name === null ? `Live cell ${String(n)}` : `Live cell ${String(n)}: ${name}`,
  syntaxAt: (message, line, column) =>
    `${message} (line ${String(line)}, column ${String(column)})`,
  noImport:
    'import is not available in lesson cells (the site works offline); use the built-ins (tf, core, Plotly, Inputs…)',
  loopTimeout: (limit) =>
    `This loop ran for more than ${limit} without finishing — stopped to keep the page responsive`,
  stopped: 'Stopped by reader',
  nonError: (value) => `The cell threw a non-Error value: ${value}`,
  waitingOn: (name, line, message) =>
    `Waiting on \`${name}\`, which failed${line === null ? '' : ` (line ${String(line)})`}: ${message}`,
  cellN: (n) => `cell ${String(n)}`,
  viewofNotInput: (type) =>
    `viewof: the cell's value must be an element with a value (got ${type})`,
  progress: {
    label: 'Progress',
    badFraction: (value) => `progress: fraction must be between 0 and 1, got ${value}`,
  },
  share: {
    notBase64Url: 'the link is damaged (not base64url)',
    badBase64: 'the link is damaged (bad base64)',
    tooLargeInflated: (limit) => `the link's content is larger than ${String(limit)} bytes`,
    notObject: 'the link does not hold an object',
    formatVersion: (version) => `the link has format version ${version}; this page reads version 1`,
    noSlug: 'the link has no lesson slug',
    noVersion: 'the link has no lesson version',
    noCells: 'the link has no list of cells',
    badEntry: (k) => `cell entry ${String(k)} is not [index, source] or [index, source, id]`,
    badIndex: (k, index) => `cell entry ${String(k)} has index ${index}, not a cell number`,
    noSource: (index) => `cell ${String(index)} has no source text`,
    badId: (index) => `cell ${String(index)} has an identity that is not a string`,
    twice: (index) => `cell ${String(index)} appears twice`,
    noDecompression: 'this browser cannot decompress the link (no DecompressionStream)',
    notDecompressing: 'the link is damaged (it does not decompress)',
    tooLarge: 'the link is too large',
    unknownFormat: (kind) => `unknown link format ${kind}`,
    notJson: 'the link is damaged (not JSON)',
  },
  params: {
    quote: (text) => `“${text}”`,
    notOneOf: (param, allowed, fallback) =>
      `“${param}” is not one of ${allowed.join(', ')}; using “${fallback}”.`,
    notAName: (name) => `“${name}” is not the name of an input; it was ignored.`,
    tooLong: (name, length, max) =>
      `The value of “${name}” is ${String(length)} characters long (at most ${String(max)}); it was ignored.`,
    tooMany: (max, name) => `More than ${String(max)} inputs; “${name}” was ignored.`,
    belowMin: (min) => `below the minimum ${String(min)}`,
    aboveMax: (max) => `above the maximum ${String(max)}`,
    notMultiple: (step) => `not a multiple of the step ${String(step)}`,
    clamped: (param, notes, value) =>
      `“${param}” is ${notes.join(' and ')}; using ${String(value)}.`,
    notNumber: (param, current) => `“${param}” is not a number; keeping ${current}.`,
    notBoolean: (param, current) => `“${param}” is not true or false; keeping ${current}.`,
    kind: (kind) =>
      kind === 'null'
        ? 'null'
        : kind === 'list'
          ? 'a list'
          : kind === 'object'
            ? 'an object'
            : `a ${kind}`,
    notSettable: (name, kind) => `“${name}” cannot be set from the address (its value is ${kind}).`,
    notAChoice: (param, current) => `“${param}” is not one of the choices; keeping ${current}.`,
    adjusted: (param, value) => `“${param}” is not allowed by the control; using ${value}.`,
  },
  backend: {
    reasons: ENGLISH_BACKEND_REASONS,
    wasm: ENGLISH_WASM_WORDS,
    probe: {},
    failedToStart: (failed, name) => `${failed.join(', ')} failed to start here, so ${name}`,
    deviceLost: (why) =>
      `the WebGPU device was lost (${why}), so cells ` +
      'that use TF.js fail until the page is reloaded. Reload on WASM to go on: your edits are kept',
    noReason: 'no reason given',
  },
};

const ja: CellsText = {
  cellLabel: (n, name) =>
    name === null ? `ライブセル${String(n)}` : `ライブセル${String(n)}：${name}`,
  syntaxAt: (message, line, column) => `${message}（${String(line)}行${String(column)}列）`,
  noImport:
    'レッスンのセルではimportを使えません（このサイトはオフラインでも動くようにしています）。組み込みのtf、core、Plotly、Inputsなどを使ってください',
  loopTimeout: (limit) =>
    `このループは${limit}を過ぎても終わらなかったため、ページが応答しなくならないよう停止しました`,
  stopped: '「停止」で止めました',
  nonError: (value) => `セルがError以外の値を投げました：${value}`,
  waitingOn: (name, line, message) =>
    `読み込んでいる\`${name}\`${line === null ? '' : `（${String(line)}行目）`}でエラーが起きたため、待機しています：${message}`,
  cellN: (n) => `セル${String(n)}`,
  viewofNotInput: (type) =>
    `viewof：セルの値は、valueを持つ要素でなければなりません（実際の値の型：${type}）`,
  progress: {
    label: '進捗',
    badFraction: (value) =>
      `progress：割合は0から1の間で指定してください（指定された値：${value}）`,
  },
  share: {
    notBase64Url: 'リンクが壊れています（base64urlではありません）',
    badBase64: 'リンクが壊れています（base64として読めません）',
    tooLargeInflated: (limit) => `リンクの内容が${String(limit)}バイトを超えています`,
    notObject: 'リンクにオブジェクトが入っていません',
    formatVersion: (version) =>
      `リンクの形式はバージョン${version}ですが、このページが読めるのはバージョン1です`,
    noSlug: 'リンクにレッスンの識別名（slug）がありません',
    noVersion: 'リンクにレッスンのバージョンがありません',
    noCells: 'リンクにセルの一覧がありません',
    badEntry: (k) => `セルの項目${String(k)}が[index, source]でも[index, source, id]でもありません`,
    badIndex: (k, index) => `セルの項目${String(k)}のindex（${index}）がセルの番号ではありません`,
    noSource: (index) => `セル${String(index)}にコードがありません`,
    badId: (index) => `セル${String(index)}の識別子が文字列ではありません`,
    twice: (index) => `セル${String(index)}が2回出てきます`,
    noDecompression: 'このブラウザーはリンクを展開できません（DecompressionStreamがありません）',
    notDecompressing: 'リンクが壊れています（展開できません）',
    tooLarge: 'リンクが大きすぎます',
    unknownFormat: (kind) => `リンクの形式${kind}を読めません`,
    notJson: 'リンクが壊れています（JSONではありません）',
  },
  params: {
    quote: (text) => `「${text}」`,
    notOneOf: (param, allowed, fallback) =>
      `「${param}」は${allowed.join(', ')}のいずれでもないため、「${fallback}」を使います。`,
    notAName: (name) => `「${name}」は入力の名前ではないため、無視しました。`,
    tooLong: (name, length, max) =>
      `「${name}」の値は${String(length)}文字あり、上限の${String(max)}文字を超えているため、無視しました。`,
    tooMany: (max, name) => `入力が${String(max)}個を超えたため、「${name}」は無視しました。`,
    belowMin: (min) => `最小値${String(min)}より小さい`,
    aboveMax: (max) => `最大値${String(max)}より大きい`,
    notMultiple: (step) => `刻み幅${String(step)}の倍数ではない`,
    clamped: (param, notes, value) =>
      `「${param}」は${notes.join('、')}ため、${String(value)}を使います。`,
    notNumber: (param, current) => `「${param}」は数値ではないため、${current}のままにします。`,
    notBoolean: (param, current) =>
      `「${param}」はtrueでもfalseでもないため、${current}のままにします。`,
    kind: (kind) =>
      kind === 'null'
        ? 'null'
        : kind === 'list'
          ? 'リスト'
          : kind === 'object'
            ? 'オブジェクト'
            : `${kind}型`,
    notSettable: (name, kind) => `「${name}」はアドレスから設定できません（値が${kind}です）。`,
    notAChoice: (param, current) => `「${param}」は選択肢にないため、${current}のままにします。`,
    adjusted: (param, value) => `「${param}」はこの入力では使えないため、${value}を使います。`,
  },
  backend: {
    reasons: {
      notABackend: (shown, names) =>
        `?backend=${shown}はバックエンドではありません（${names.join(', ')}のいずれかを指定してください）。`,
      notAvailable: (shown) => `?backend=${shown}が指定されましたが、ここでは使えません。`,
      forced: (name, description) =>
        `?backend=${name}による指定${description ? `（${description}）` : ''}`,
      fastestMeasured: (ms) =>
        `この環境で測った1 ステップの時間が最も短いバックエンドです（${ms} ms）`,
      hardwareGpu: (description) =>
        `ハードウェアのWebGPUアダプターがあります${description ? `（${description}）` : ''}`,
      softwareGpuSo: 'WebGPUアダプターが低速なソフトウェア実装なので、',
      noGpuSo: 'WebGPUアダプターがないので、',
      cpuPath: {
        wasm: '私たちの測定でCPU上の最速の経路だったWASM（SIMD）を使います',
        webgl: '残るなかで最速のWebGLを使います',
        cpu: '使えるのはプレーンなJavaScriptのバックエンドだけです',
      },
      onlySoftwareGpu: '使えるのはソフトウェア実装のWebGPUアダプターだけです',
    },
    wasm: {
      describe: (base, threads) => `${base}、${String(threads)}スレッド`,
      off: {
        'not-isolated': 'クロスオリジン分離されていないため',
        default: '既定値。この環境ではスレッドを増やしても学習の1 ステップは速くなりませんでした',
        forced: '?threads=1による指定',
      },
      suffix: (described, why) => `。${described}${why === '' ? '' : `（${why}）`}`,
    },
    probe: {
      'plain JavaScript': 'プレーンなJavaScript',
      'WebGPU adapter': 'WebGPUアダプター',
    },
    failedToStart: (failed, name) =>
      `${failed.join(', ')}はここで起動できなかったため、${name}を使います`,
    deviceLost: (why) =>
      `WebGPUデバイスが失われました（${why}）。ページを再読み込みするまで、TF.jsを使うセルは失敗します。続けるには「WASMで再読み込み」を押してください。編集内容は保たれます`,
    noReason: '理由は示されていません',
  },
};

const TEXT: Readonly<Record<Lang, CellsText>> = { en, ja };

/** The runtime's words in `lang` (by default the page's edition; English outside a browser). */
export function cellsText(lang: Lang = documentLang()): CellsText {
  return TEXT[lang];
}
