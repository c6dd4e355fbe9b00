/**
 * The instructors' page's short words in each edition (title, frame titles, the catalogue's
 * labels, the kinds of cells and inputs in words, the preview script's fallback), and the
 * catalogue's Japanese helpers. Its prose is in src/views/InstructorsPage.astro. Terms from
 * docs/glossary-ja.md; the names of the lesson pages' buttons as src/cells/client/text.ts has them.
 */
import { inputPhrase, type InputInWords } from '../cells/catalogue.ts';
import { documentLang, type Lang } from '../lib/i18n.ts';

/** The instructors' page's words in one edition. */
export interface InstructorsText {
  readonly title: string;
  readonly description: string;
  /** The title of the example frame in the snippet shown on the page. */
  readonly snippetTitle: string;
  /** The titles of the two live example frames. */
  readonly exampleFrame: string;
  readonly plotFrame: string;
  /** The SVG example's comment and link text (code, but words the reader sees). */
  readonly svgComment: string;
  readonly downloadSvg: string;
  readonly catalogue: {
    readonly demos: string;
    readonly exercises: string;
    /** A catalogue entry's inputs: the label, "none", and the separator between inputs. */
    readonly inputs: string;
    readonly none: string;
    readonly separator: string;
    readonly address: string;
    /** The link to an exercise in its lesson. */
    readonly inLesson: string;
    readonly preview: string;
  };
  /** A preview frame's title (also the fallback of the preview script). */
  readonly previewTitle: (title: string) => string;
  /** The preview script's frame title when the entry carries none. */
  readonly previewFallback: string;
}

const en: InstructorsText = {
  title: 'For instructors: embed a live cell',
  description:
    'Put any live cell of these lessons into your own course page or slides, with its inputs set from the address, and save its figures.',
  snippetTitle: 'Live cell: LoRA parameter count (LoRA, live)',
  exampleFrame: 'Live cell: LoRA parameter count, rank 6',
  plotFrame: 'Live cell: trainable numbers against rank',
  svgComment: 'any SVG a cell made',
  downloadSvg: 'Download SVG',
  catalogue: {
    demos: 'Demos',
    exercises: 'Exercises',
    inputs: 'Inputs: ',
    none: 'none',
    separator: '; ',
    address: 'Address:',
    inLesson: 'in the lesson, with its check and hints',
    preview: 'Preview',
  },
  previewTitle: (title) => `Live cell: ${title}`,
  previewFallback: 'Live cell',
};

const ja: InstructorsText = {
  title: '講師の方へ: ライブセルを埋め込む',
  description:
    'これらのレッスンのライブセルを、入力をアドレスで指定して自分の講義ページやスライドに埋め込み、図を保存できます。',
  snippetTitle: 'ライブセル: LoRAのパラメータ数（LoRA, live）',
  exampleFrame: 'ライブセル: LoRAのパラメータ数、ランク6',
  plotFrame: 'ライブセル: ランクと学習する数の関係',
  svgComment: 'セルが作ったSVGならどれでも',
  downloadSvg: 'SVGをダウンロード',
  catalogue: {
    demos: 'デモ',
    exercises: '演習',
    inputs: '入力: ',
    none: 'なし',
    separator: '、',
    address: 'アドレス:',
    inLesson: 'レッスンで開く（確認とヒント付き）',
    preview: 'プレビュー',
  },
  previewTitle: (title) => `ライブセル: ${title}`,
  previewFallback: 'ライブセル',
};

const TEXT: Readonly<Record<Lang, InstructorsText>> = { en, ja };

/** The instructors' page's words in `lang` (by default the page's edition, `<html lang>`). */
export function instructorsText(lang: Lang = documentLang()): InstructorsText {
  return TEXT[lang];
}

/** What a cell makes (src/cells/catalogue.ts `cellKind`), in Japanese. */
const CELL_KINDS_JA: Readonly<Record<string, string>> = {
  'training run': '学習の実行',
  controls: '入力',
  figure: '図',
  table: '表',
  text: 'テキスト',
  value: '値',
};

/** The kinds of input (src/cells/catalogue.ts `InputInWords.kind`), in Japanese. */
const INPUT_KINDS_JA: Readonly<Record<string, string>> = {
  slider: 'スライダー',
  'number box': '数値ボックス',
  menu: 'メニュー',
  choice: 'ラジオボタン',
  checkboxes: 'チェックボックス',
  switch: 'スイッチ',
  'text box': 'テキストボックス',
  button: 'ボタン',
  'search box': '検索ボックス',
  'colour picker': 'カラーピッカー',
  date: '日付',
  input: '入力',
  'value in the code': 'コード中の値',
};

/** A demo's title: its lesson section and what it makes (`cellKind`'s word). */
export function demoTitle(lang: Lang, section: string, kind: string): string {
  return lang === 'en' ? `${section}: ${kind}` : `${section}（${CELL_KINDS_JA[kind] ?? kind}）`;
}

/** One input as a phrase: `rank r (slider, ?r=…)`, `ランクr（スライダー、?r=…）`. */
export function inputPhraseIn(lang: Lang, input: InputInWords): string {
  if (lang === 'en') return inputPhrase(input);
  const what = input.label ?? input.param;
  return `${what}（${INPUT_KINDS_JA[input.kind] ?? input.kind}、?${input.param}=…）`;
}

/**
 * The first Japanese sentence of `text` (up to its first 。！？). The catalogue's lead sentence
 * (src/cells/catalogue.ts `firstSentence`) ends sentences at `.`, `!` or `?` and a space, which
 * Japanese prose does not have.
 */
export function firstSentenceJa(text: string): string {
  const m = /^(.+?[。！？])/u.exec(text);
  return m?.[1] ?? text;
}
