/**
 * The words of an embed page (`/embed/<lesson>/<cell>/`, `/ja/embed/…`) in each edition: its
 * title, the cell's and the inputs' accessible names, the code disclosure, the credit line, and
 * the message when the cell runtime cannot start. Terms from docs/glossary-ja.md.
 */
import type { Lang } from '../lib/i18n.ts';

/** An embed's words in one edition. */
export interface EmbedText {
  /** The cell's accessible name: its number from 1, and its name when it has one. */
  readonly cellLabel: (number: string, name: string | null) => string;
  /** The accessible name of the group of inputs above the cell. */
  readonly inputs: string;
  /** The summary of the code disclosure. */
  readonly code: string;
  /** The credit line: before the link to the lesson, and after it. */
  readonly creditBefore: string;
  readonly creditAfter: string;
  /** Shown when the cell runtime could not start. */
  readonly startFailed: (message: string) => string;
}

const en: EmbedText = {
  cellLabel: (number, name) =>
    name === null ? `Live cell ${number}` : `Live cell ${number}: ${name}`,
  inputs: 'Inputs',
  code: 'Code',
  creditBefore: 'From ',
  creditAfter: ' · LoRA, live · runs in your browser',
  startFailed: (message) =>
    `This live cell could not start (${message}). Reload the page to try again.`,
};

const ja: EmbedText = {
  cellLabel: (number, name) =>
    name === null ? `ライブセル${number}` : `ライブセル${number}：${name}`,
  inputs: '入力',
  code: 'コード',
  creditBefore: '',
  creditAfter: 'より · LoRA, live · ブラウザーの中で動きます',
  startFailed: (message) =>
    `このライブセルを開始できませんでした（${message}）。ページを再読み込みして、もう一度お試しください。`,
};

const TEXT: Readonly<Record<Lang, EmbedText>> = { en, ja };

/** An embed's words in `lang`. */
export function embedText(lang: Lang): EmbedText {
  return TEXT[lang];
}
