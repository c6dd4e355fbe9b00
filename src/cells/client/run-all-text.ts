/**
 * The words of the lesson bar's "Run all cells" in each edition: shared by the stand-in button
 * that the page shows before the cell runtime loads (start-when-needed.ts, in the page's
 * first-load JavaScript, so this file stays tiny) and the runtime's own bar (lesson-bar.ts).
 */
import type { Lang } from '../../lib/i18n.ts';

export interface RunAllText {
  readonly label: string;
  readonly title: string;
}

export const RUN_ALL_TEXT: Readonly<Record<Lang, RunAllText>> = {
  en: {
    label: 'Run all cells',
    title: 'Run every cell now, instead of each one as you scroll to it',
  },
  ja: {
    label: 'すべてのセルを実行',
    title: 'スクロールして近づいたセルから順に実行する代わりに、すべてのセルを今すぐ実行します',
  },
};
