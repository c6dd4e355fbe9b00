/**
 * The words of the live cells' page chrome in each edition (docs/japanese-edition.md): a cell's
 * toolbar and status, its error's heading, the lesson bar, the notices and banners about stored
 * edits and share links (mount.ts), Copy embed, Save figure, and the embed page's own notes. One
 * object per edition of the same shape (the compiler catches a missing key); terms from
 * docs/glossary-ja.md, button names as the Japanese lessons' prose names them (「実行」,
 * 「リセット」, 「すべてリセット」, 「共有」, 「共有されたコードを実行」, 「停止」).
 *
 * The English words are exactly what the site has always shown. The runtime's own messages
 * (errors, share links, embed parameters, the backend reason) are in ../text.ts.
 */
import { documentLang, type Lang } from '../../lib/i18n.ts';
import { RUN_ALL_TEXT } from './run-all-text.ts';

/** What a kept edit's label says of it. */
interface KeptEdit {
  /** 0-based cell index, when known. */
  readonly index?: number | undefined;
  readonly name?: string | undefined;
  readonly savedAt: number;
}

/** What the shared-code banner says, for `mount.ts`'s `updateBanner`. */
export interface SharedBannerFacts {
  /** Whether the code comes from the link just opened (else: saved on an earlier visit). */
  readonly fromLink: boolean;
  /** The cells that hold it (0-based, sorted). */
  readonly cells: readonly number[];
  /** When the earlier visit saved it (ms since the epoch). */
  readonly savedAt: number;
  /** The cells whose own edit the shared code would replace (0-based). */
  readonly overOwn: readonly number[];
  /** The lesson changed since the link was made. */
  readonly stale: boolean;
}

/** The chrome's words in one edition. */
export interface ClientText {
  /** One cell's editor, toolbar and status (cell-view.ts). */
  readonly cell: {
    /** The editor's accessible name (1-based `n`). */
    readonly editorLabel: (n: number, name: string | null) => string;
    readonly run: string;
    readonly runTitle: string;
    readonly stop: string;
    readonly stopTitle: string;
    readonly reset: string;
    readonly resetTitle: string;
    /** The toolbar's accessible name. */
    readonly controls: (n: number) => string;
    readonly waiting: string;
    readonly notRun: string;
    /** `seconds`: how long it has run, once a second has passed (else null). */
    readonly running: (seconds: number | null) => string;
    readonly showingProgress: (seconds: number | null) => string;
    readonly done: string;
    readonly error: string;
  };
  /** A cell's error (display.ts). */
  readonly error: {
    readonly line: (n: number) => string;
    readonly timeout: string;
    readonly syntax: string;
    readonly runtime: string;
    /** Between the heading and the message. */
    readonly gap: string;
  };
  /** The lesson bar (lesson-bar.ts). */
  readonly bar: {
    readonly help: string;
    readonly runAll: string;
    readonly runAllTitle: string;
    readonly group: string;
    readonly resetAll: string;
    readonly resetAllTitle: string;
    readonly share: string;
    readonly shareTitle: string;
    readonly shareLink: string;
    readonly keptCode: (label: string) => string;
    readonly copy: string;
    readonly forget: string;
    readonly forgetTitle: string;
    readonly keptSummary: (count: number) => string;
  };
  /** Stored edits, other tabs and share links (mount.ts). */
  readonly lesson: {
    readonly otherLesson: (slug: string) => string;
    readonly unreadable: (why: string) => string;
    readonly storageFailed: string;
    /** `cells`: 0-based indices of the link's cells that fit nowhere. */
    readonly unplaced: (cells: readonly number[]) => string;
    /** After a notice's bold sentence: where the kept edit is. */
    readonly keptWhere: string;
    readonly earlierKept: string;
    readonly otherTabSaved: string;
    /** After shared code ran in `cells` (0-based); `kept` of the reader's own edits were kept. */
    readonly sharedSaved: (cells: readonly number[], kept: number) => string;
    readonly sharedRan: string;
    readonly undo: string;
    readonly ok: string;
    readonly undone: string;
    readonly allReset: string;
    readonly banner: (facts: SharedBannerFacts) => {
      readonly intro: string;
      readonly text: string;
    };
    readonly runShared: string;
    readonly discardShared: string;
    readonly keptLabel: (edit: KeptEdit) => string;
    readonly conflictTitle: string;
    readonly conflictText: string;
    readonly useMine: string;
    readonly useNew: string;
    readonly resetElsewhere: string;
    readonly changedElsewhere: string;
    readonly otherTabText: string;
    readonly useLesson: string;
    readonly useOtherTab: string;
    readonly keepThisTab: string;
    readonly shareNote: (edited: number, copied: boolean) => string;
    readonly deferredTitle: string;
    readonly deferredLink: string;
    readonly deferredSaved: string;
  };
  /** Copy embed (embed-copy.ts) and the embed page (embed.ts). */
  readonly embed: {
    readonly copy: string;
    readonly copyTitle: string;
    /** A cell's name when its section has none (1-based `n`). */
    readonly cellLabel: (n: number) => string;
    readonly frameTitle: (label: string) => string;
    readonly editNote: string;
    readonly copied: (editNote: string) => string;
    readonly copyByHand: (editNote: string) => string;
    readonly codeLabel: string;
    readonly unused: (name: string) => string;
    /** The disclosure of an embed's folded code. */
    readonly code: string;
  };
  /** Save figure (figure-download.ts). */
  readonly figure: {
    readonly group: string;
    readonly label: string;
  };
}

/** The 1-based numbers of 0-based cells, joined by `sep`. */
const numbers = (cells: readonly number[], sep: string): string =>
  cells.map((i) => String(i + 1)).join(sep);
const plural = (n: number): string => (n === 1 ? '' : 's');
const elapsed = (seconds: number | null, space: string): string =>
  seconds === null ? '' : `${space}${seconds.toFixed(1)} s`;

const en: ClientText = {
  cell: {
    editorLabel: (n, name) => `Code of live cell ${String(n)}${name === null ? '' : `: ${name}`}`,
    run: 'Run',
    runTitle: 'Run this cell (Shift+Enter in the editor)',
    stop: 'Stop',
    stopTitle: 'Stop this cell',
    reset: 'Reset',
    resetTitle: "Restore this cell's original code and run it",
    controls: (n) => `Live cell ${String(n)} controls`,
    waiting: 'Runs when you scroll here, or press Run',
    notRun: 'Not run',
    running: (s) => `Running…${elapsed(s, ' ')}`,
    showingProgress: (s) => `Running…${elapsed(s, ' ')} (showing progress)`,
    done: 'Done',
    error: 'Error',
  },
  error: {
    line: (n) => `Line ${String(n)}: `,
    timeout: 'Runaway loop.',
    syntax: 'Syntax error.',
    runtime: 'Error.',
    gap: ' ',
  },
  bar: {
    help: 'Shift+Enter runs the cell. Tab moves out of the editor.',
    runAll: RUN_ALL_TEXT.en.label,
    runAllTitle: RUN_ALL_TEXT.en.title,
    group: 'Lesson cells',
    resetAll: 'Reset all',
    resetAllTitle: "Restore every cell's original code",
    share: 'Share',
    shareTitle: 'Make a link that carries your edited cells',
    shareLink: 'Share link',
    keptCode: (label) => `Code of ${label}`,
    copy: 'Copy',
    forget: 'Forget',
    forgetTitle: 'Delete this kept edit from this browser',
    keptSummary: (count) =>
      `Earlier edits kept in this browser (${String(count)}): code no cell of this page holds now`,
  },
  lesson: {
    otherLesson: (slug) => `The share link is for another lesson (“${slug}”); it was ignored.`,
    unreadable: (why) =>
      `The share link could not be read: ${why}. The lesson's own code is shown.`,
    storageFailed:
      'Your edits cannot be saved in this browser (storage is off or full); they will be lost when you leave the page.',
    unplaced: (cells) =>
      `The share link has code for ${String(cells.length)} cell${plural(cells.length)} this version of the lesson no longer has (${cells.map((i) => `cell ${String(i + 1)}`).join(', ')}); that code was left out.`,
    keptWhere: ' It is kept under “Earlier edits” in the lesson bar.',
    earlierKept: 'Your earlier edit of this cell is kept.',
    otherTabSaved: 'Another tab had saved different code for this cell.',
    sharedSaved: (cells, kept) =>
      `It is now saved in this browser as the code of cell${plural(cells.length)} ${numbers(cells, ', ')}. ` +
      'On your next visit it is shown again but does not run until you press Run. ' +
      'Reset (or Reset all) gives the lesson’s own code back.' +
      (kept > 0 ? ` Your own edit${kept === 1 ? ' is' : 's are'} kept under “Earlier edits”.` : ''),
    sharedRan: 'The shared code ran. ',
    undo: 'Undo: back to my code',
    ok: 'OK',
    undone: 'Your own code is back; the shared code was removed.',
    allReset: 'Every cell has its original code again.',
    banner: ({ fromLink, cells, savedAt, overOwn, stale }) => {
      const s = plural(cells.length);
      const own =
        overOwn.length > 0
          ? ` Running it replaces your own edit of cell${plural(overOwn.length)} ${numbers(overOwn, ', ')} (your edit is kept under “Earlier edits”); discarding it gives your edit back.`
          : '';
      const changed = stale
        ? ' The lesson has changed since the link was made, so the shared code may not fit it.'
        : '';
      return {
        intro: fromLink
          ? 'This link carries code someone else edited'
          : 'Shared code you ran on an earlier visit',
        text:
          (fromLink
            ? ` (cell${s} ${numbers(cells, ', ')}).`
            : ` (saved ${new Date(savedAt).toLocaleString()}) is in this lesson again; it does not run on a new visit until you agree.`) +
          ` It is shown in the editor${s} but has not run. Read it first; run it only if you trust it.${own}${changed}`,
      };
    },
    runShared: 'Run shared code',
    discardShared: 'Discard shared code',
    keptLabel: ({ index, name, savedAt }) =>
      `${index === undefined ? 'A cell' : `Cell ${String(index + 1)}`}${name === undefined ? '' : ` (${name})`}, saved ${new Date(savedAt).toLocaleString()}`,
    conflictTitle: 'This cell changed since you edited it. ',
    conflictText:
      'The lesson’s new version is shown and has run; your edit is kept until you choose.',
    useMine: 'Use my edit',
    useNew: 'Use the new version',
    resetElsewhere: 'This cell was reset in another tab. ',
    changedElsewhere: 'This cell was changed in another tab. ',
    otherTabText: 'This tab still shows its own code; neither version is lost until you choose.',
    useLesson: 'Use the lesson’s code',
    useOtherTab: 'Use the other tab’s code',
    keepThisTab: 'Keep this tab’s code',
    shareNote: (edited, copied) =>
      `${
        edited === 0
          ? 'No cell is edited; this link opens the lesson as it is.'
          : `Link with ${String(edited)} edited cell${plural(edited)}`
      }${copied ? ' — copied to the clipboard:' : ':'}`,
    deferredTitle: 'Shared code, not run yet. ',
    deferredLink:
      'This cell holds code from the link you opened. Use “Run shared code” above when you have read it.',
    deferredSaved:
      'This cell holds shared code you ran on an earlier visit. Use “Run shared code” above to run it again.',
  },
  embed: {
    copy: 'Copy embed',
    copyTitle: 'Copy HTML that shows this cell in another page, with the current input values',
    cellLabel: (n) => `Live cell ${String(n)}`,
    frameTitle: (label) => `${label} (LoRA, live)`,
    editNote:
      ' The embed runs the lesson’s original code: your edits are not included, only input values.',
    copied: (note) => `Embed code copied to the clipboard (an iframe and a resize script).${note}`,
    copyByHand: (note) => `Copy this embed code (the clipboard is not available here).${note}`,
    codeLabel: 'Embed code ',
    unused: (name) => `This cell does not depend on “${name}”; it was ignored.`,
    code: 'Code',
  },
  figure: {
    group: 'Save figure',
    label: 'Save figure:',
  },
};

const ja: ClientText = {
  cell: {
    editorLabel: (n, name) => `ライブセル${String(n)}${name === null ? '' : `（${name}）`}のコード`,
    run: '実行',
    runTitle: 'このセルを実行（エディターではShift+Enter）',
    stop: '停止',
    stopTitle: 'このセルを停止',
    reset: 'リセット',
    resetTitle: 'このセルを元のコードに戻して実行',
    controls: (n) => `ライブセル${String(n)}の操作`,
    waiting: 'ここまでスクロールするか「実行」を押すと実行します',
    notRun: '未実行',
    running: (s) => `実行中…${elapsed(s, '')}`,
    showingProgress: (s) => `実行中…${elapsed(s, '')}（途中経過を表示中）`,
    done: '完了',
    error: 'エラー',
  },
  error: {
    line: (n) => `${String(n)}行目：`,
    timeout: '終わらないループ。',
    syntax: '構文エラー。',
    runtime: 'エラー。',
    gap: '',
  },
  bar: {
    help: 'Shift+Enterでセルを実行します。Tabでエディターの外へ移動します。',
    runAll: RUN_ALL_TEXT.ja.label,
    runAllTitle: RUN_ALL_TEXT.ja.title,
    group: 'レッスンのセル',
    resetAll: 'すべてリセット',
    resetAllTitle: 'すべてのセルを元のコードに戻す',
    share: '共有',
    shareTitle: '編集したセルを含むリンクを作成',
    shareLink: '共有リンク',
    keptCode: (label) => `${label}のコード`,
    copy: 'コピー',
    forget: '削除',
    forgetTitle: '保管したこの編集をこのブラウザーから削除',
    keptSummary: (count) =>
      `このブラウザーに保管している以前の編集（${String(count)}件）：このページのどのセルにも入っていないコード`,
  },
  lesson: {
    otherLesson: (slug) =>
      `この共有リンクは別のレッスン（「${slug}」）のものなので、無視しました。`,
    unreadable: (why) =>
      `共有リンクを読み取れませんでした（${why}）。レッスン本来のコードを表示しています。`,
    storageFailed:
      'このブラウザーでは編集内容を保存できません（ストレージが無効か、いっぱいです）。ページを離れると編集内容は失われます。',
    unplaced: (cells) =>
      `共有リンクには、このバージョンのレッスンにはもうないセル${String(cells.length)}個（${cells.map((i) => `セル${String(i + 1)}`).join('、')}）のコードが含まれていたため、そのコードは除外しました。`,
    keptWhere: 'レッスンバーの「以前の編集」に保管しています。',
    earlierKept: 'このセルに対するあなたの以前の編集を保管しました。',
    otherTabSaved: '別のタブが、このセルに異なるコードを保存していました。',
    sharedSaved: (cells, kept) =>
      `このコードは、セル${numbers(cells, '、')}のコードとしてこのブラウザーに保存されました。` +
      '次に開いたときも表示されますが、「実行」を押すまでは実行されません。' +
      '「リセット」（または「すべてリセット」）でレッスン本来のコードに戻せます。' +
      (kept > 0 ? 'あなた自身の編集は「以前の編集」に保管しています。' : ''),
    sharedRan: '共有されたコードを実行しました。',
    undo: '元に戻す（自分のコードに戻す）',
    ok: 'OK',
    undone: '自分のコードに戻しました。共有されたコードは取り除きました。',
    allReset: 'すべてのセルを元のコードに戻しました。',
    banner: ({ fromLink, cells, savedAt, overOwn, stale }) => {
      const own =
        overOwn.length > 0
          ? `実行すると、セル${numbers(overOwn, '、')}に対するあなた自身の編集が置き換わります（あなたの編集は「以前の編集」に保管します）。破棄すれば、あなたの編集に戻ります。`
          : '';
      const changed = stale
        ? 'このリンクが作られた後にレッスンが変わったため、共有されたコードがレッスンに合わないおそれがあります。'
        : '';
      return {
        intro: fromLink
          ? 'このリンクには、ほかの人が編集したコードが含まれています'
          : '以前に開いたときに実行した共有コード',
        text:
          (fromLink
            ? `（セル${numbers(cells, '、')}）。`
            : `（${new Date(savedAt).toLocaleString('ja-JP')}に保存）が、このレッスンに再び入っています。同意するまで、新たに開いたときには実行されません。`) +
          `エディターに表示していますが、まだ実行していません。まず読んで、信頼できる場合にだけ実行してください。${own}${changed}`,
      };
    },
    runShared: '共有されたコードを実行',
    discardShared: '共有されたコードを破棄',
    keptLabel: ({ index, name, savedAt }) =>
      `${index === undefined ? 'あるセル' : `セル${String(index + 1)}`}${name === undefined ? '' : `（${name}）`}、${new Date(savedAt).toLocaleString('ja-JP')}に保存`,
    conflictTitle: 'あなたが編集した後に、このセルが変更されました。',
    conflictText:
      'レッスンの新しいバージョンを表示し、実行しました。あなたの編集は、どちらかを選ぶまで保管されます。',
    useMine: '自分の編集を使う',
    useNew: '新しいバージョンを使う',
    resetElsewhere: 'このセルは別のタブでリセットされました。',
    changedElsewhere: 'このセルは別のタブで変更されました。',
    otherTabText:
      'このタブには、このタブのコードを表示したままです。どちらかを選ぶまで、どちらのバージョンも失われません。',
    useLesson: 'レッスンのコードを使う',
    useOtherTab: '別のタブのコードを使う',
    keepThisTab: 'このタブのコードを残す',
    shareNote: (edited, copied) =>
      `${
        edited === 0
          ? '編集したセルはありません。このリンクはレッスンをそのまま開きます'
          : `編集したセル${String(edited)}個を含むリンク`
      }${copied ? '（クリップボードにコピーしました）：' : '：'}`,
    deferredTitle: '共有されたコード（未実行）。',
    deferredLink:
      'このセルには、開いたリンクのコードが入っています。読んだうえで、上の「共有されたコードを実行」を押してください。',
    deferredSaved:
      'このセルには、以前に開いたときに実行した共有コードが入っています。もう一度実行するには、上の「共有されたコードを実行」を押してください。',
  },
  embed: {
    copy: '埋め込みコードをコピー',
    copyTitle: 'このセルをほかのページに表示するHTMLを、現在の入力値とともにコピー',
    cellLabel: (n) => `ライブセル${String(n)}`,
    frameTitle: (label) => `${label}（LoRA, live）`,
    editNote:
      '埋め込みはレッスン本来のコードを実行します。あなたの編集は含まれず、入力値だけが反映されます。',
    copied: (note) =>
      `埋め込みコード（iframeとサイズ調整用のスクリプト）をクリップボードにコピーしました。${note}`,
    copyByHand: (note) =>
      `この埋め込みコードをコピーしてください（ここではクリップボードを使えません）。${note}`,
    codeLabel: '埋め込みコード ',
    unused: (name) => `このセルは「${name}」を使わないため、無視しました。`,
    code: 'コード',
  },
  figure: {
    group: '図を保存',
    label: '図を保存：',
  },
};

const TEXT: Readonly<Record<Lang, ClientText>> = { en, ja };

/** The chrome's words in `lang` (by default the page's edition, `<html lang>`). */
export function clientText(lang: Lang = documentLang()): ClientText {
  return TEXT[lang];
}
