/**
 * The words of the site's frame in each edition: header, navigation, footer, the lesson list and
 * a lesson's header and footer, the theme and language switches, the backend badge. One object
 * per edition of the same shape (TypeScript fails the build when a key is missing in one), terms
 * from docs/glossary-ja.md.
 */
import type { Lang } from './i18n.ts';

/** The frame's words in one edition. */
export interface SiteText {
  readonly siteName: string;
  /** Appended to every page's title: "Page · LoRA, live". */
  readonly titleSeparator: string;
  readonly skipLink: string;
  readonly navLabel: string;
  readonly nav: {
    readonly lessons: string;
    readonly data: string;
    readonly instructors: string;
    readonly licences: string;
  };
  readonly footer: {
    readonly before: string;
    readonly work: string;
    readonly after: string;
    readonly licences: string;
    /** After the link: the sentence's full stop (none in Japanese). */
    readonly end: string;
  };
  readonly theme: {
    readonly label: string;
    readonly light: string;
    readonly dark: string;
    readonly system: string;
  };
  readonly language: {
    /** The switch's accessible name. */
    readonly label: string;
    /** Said of the link to the other edition: "Read this page in 日本語". */
    readonly readIn: string;
  };
  readonly lesson: {
    readonly minutes: (n: number) => string;
    readonly readFirst: string;
    readonly listReadFirst: string;
    readonly noscript: string;
    readonly navLabel: string;
    readonly previous: string;
    readonly next: string;
  };
  readonly badge: {
    readonly label: string;
    readonly pending: string;
    readonly lost: string;
    readonly reload: string;
  };
}

const en: SiteText = {
  siteName: 'LoRA, live',
  titleSeparator: ' · ',
  skipLink: 'Skip to content',
  navLabel: 'Site',
  nav: { lessons: 'Lessons', data: 'Data', instructors: 'Instructors', licences: 'Licences' },
  footer: {
    before: "Lessons in our own words after Mariano Kamp's ",
    work: 'Dive Into LoRA Adapters',
    after: '. Everything runs in your browser; nothing is loaded from any other site. ',
    licences: 'Licences and attribution',
    end: '.',
  },
  theme: { label: 'Colour theme', light: 'Light', dark: 'Dark', system: 'System' },
  language: { label: 'Language', readIn: 'Read this page in' },
  lesson: {
    minutes: (n) => `About ${String(n)} minutes`,
    readFirst: 'Read first: ',
    listReadFirst: 'read first: ',
    noscript:
      "The live cells need JavaScript. Without it you can read each cell's code, but not run it.",
    navLabel: 'Previous and next lessons',
    previous: 'Previous',
    next: 'Next',
  },
  badge: {
    label: 'Backend:',
    pending: 'not chosen yet',
    lost: 'lost',
    reload: 'Reload on WASM',
  },
};

const ja: SiteText = {
  siteName: 'LoRA, live',
  titleSeparator: ' · ',
  skipLink: '本文へ移動',
  navLabel: 'サイト',
  nav: { lessons: 'レッスン', data: 'データ', instructors: '講師の方へ', licences: 'ライセンス' },
  footer: {
    before: 'Mariano Kampの',
    work: 'Dive Into LoRA Adapters',
    after:
      'をもとに、私たち自身の言葉で書いたレッスンです。すべてブラウザーの中で動き、ほかのサイトからは何も読み込みません。',
    licences: 'ライセンスと出典',
    end: '',
  },
  theme: { label: '配色', light: 'ライト', dark: 'ダーク', system: 'システム設定' },
  language: { label: '言語', readIn: 'このページを次の言語で読む:' },
  lesson: {
    minutes: (n) => `所要時間 約${String(n)}分`,
    readFirst: '先に読むレッスン: ',
    listReadFirst: '先に読むレッスン: ',
    noscript:
      'ライブセルの実行にはJavaScriptが必要です。JavaScriptが無効でも各セルのコードは読めますが、実行はできません。',
    navLabel: '前後のレッスン',
    previous: '前へ',
    next: '次へ',
  },
  badge: {
    label: 'バックエンド:',
    pending: '未選択',
    lost: '停止',
    reload: 'WASMで再読み込み',
  },
};

const TEXT: Readonly<Record<Lang, SiteText>> = { en, ja };

/** The frame's words in `lang`. */
export function siteText(lang: Lang): SiteText {
  return TEXT[lang];
}
