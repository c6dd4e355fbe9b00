/**
 * The words of the exercises' controls in each edition (exercise-view.ts): the verdict line, the
 * hint, solution and start-over buttons, the confirmation and the lesson's done count. One object
 * per edition of the same shape (the compiler catches a missing key); button names as the
 * Japanese lessons' prose names them (「ヒントを表示」, 「解答を表示」, 「最初からやり直す」,
 * 「キャンセル」), terms from docs/glossary-ja.md. The English words are exactly what the site
 * has always shown. The checks' own messages, hints and solutions are in ../exercises/.
 */
import { documentLang, type Lang } from '../../lib/i18n.ts';

/** The exercises' words in one edition. */
export interface ExerciseText {
  /** Said before the reader's first run of changed code. */
  readonly pending: string;
  /** The hint list's accessible name. */
  readonly hints: string;
  /** The hint button: `shown` hints of `total` are open (there is at least one more). */
  readonly showHint: (shown: number, total: number) => string;
  readonly noMoreHints: string;
  readonly showSolution: string;
  readonly confirmSolution: string;
  readonly cancel: string;
  /** The confirmation group's accessible name. */
  readonly confirm: string;
  readonly confirmText: string;
  readonly startOver: string;
  readonly startOverTitle: string;
  readonly solutionNote: string;
  /** The panel's accessible name. */
  readonly panel: (title: string) => string;
  /** The verdict when the reader's code stopped with an error. */
  readonly codeFailed: string;
  /** The verdict when the check itself failed on the reader's value. */
  readonly checkFailed: (why: string) => string;
  readonly right: string;
  readonly notYet: string;
  /** What an earlier visit's verdict is shown as until the cell runs. */
  readonly earlier: (right: boolean) => string;
  /** The lesson's done count. */
  readonly count: (done: number, total: number) => string;
}

const en: ExerciseText = {
  pending:
    'Edit the code above, then run it (Run, or Shift+Enter in the editor): your answer is checked each time the cell runs.',
  hints: 'Hints',
  showHint: (shown, total) =>
    `Show ${shown === 0 ? 'a' : 'another'} hint (${String(shown + 1)} of ${String(total)})`,
  noMoreHints: 'No more hints',
  showSolution: 'Show the solution',
  confirmSolution: 'Yes, show the solution',
  cancel: 'Cancel',
  confirm: 'Confirm',
  confirmText:
    'Show the solution? It replaces the code in the cell above and runs it. Your own code is kept under “Earlier edits” in the lesson bar. Trying with the hints first teaches more.',
  startOver: 'Start over',
  startOverTitle: 'The starter code again, with no hints and no solution shown',
  solutionNote:
    'You asked for the solution: it is in the cell above. Change it and run it again to see what each part does, or press Start over to try on your own.',
  panel: (title) => `Exercise: ${title}`,
  codeFailed:
    'Your code stopped with an error (shown above the output). Fix it and run the cell again.',
  checkFailed: (why) => `The check could not read your answer: ${why}`,
  right: 'Right. ',
  notYet: 'Not yet. ',
  earlier: (right) =>
    `${right ? 'Answered right' : 'Not answered right yet'} on an earlier visit; checked again when the cell runs.`,
  count: (done, total) => `Exercises in this lesson: ${String(done)} of ${String(total)} done.`,
};

const ja: ExerciseText = {
  pending:
    '上のコードを編集して実行してください（「実行」ボタン、またはエディター内でShift+Enter）。セルが実行されるたびに答えを確認します。',
  hints: 'ヒント',
  showHint: (shown, total) => `ヒントを表示（${String(shown + 1)}/${String(total)}）`,
  noMoreHints: 'ヒントはもうありません',
  showSolution: '解答を表示',
  confirmSolution: 'はい、解答を表示します',
  cancel: 'キャンセル',
  confirm: '確認',
  confirmText:
    '解答を表示しますか？　上のセルのコードが解答に置き換わり、実行されます。あなた自身のコードはレッスンバーの「以前の編集」に保管されます。先にヒントを使って試すほうが、多くを学べます。',
  startOver: '最初からやり直す',
  startOverTitle: 'ヒントも解答も表示していない状態で、最初のコードに戻します',
  solutionNote:
    '解答を表示しました。解答は上のセルに入っています。書き換えて実行し直し、各部分が何をしているかを確かめるか、「最初からやり直す」を押して自分で試してください。',
  panel: (title) => `演習：${title}`,
  codeFailed:
    'あなたのコードはエラーで止まりました（エラーは出力の上に表示されています）。直してから、もう一度セルを実行してください。',
  checkFailed: (why) => `確認の際にあなたの答えを読み取れませんでした：${why}`,
  right: '正解です。',
  notYet: 'まだ正解ではありません。',
  earlier: (right) =>
    `前回の訪問で${right ? '正解しました' : 'まだ正解していませんでした'}。セルが実行されると、もう一度確認します。`,
  count: (done, total) => `このレッスンの演習：${String(total)}問中${String(done)}問が完了。`,
};

/** The exercises' words in the edition `lang` (by default the page's). */
export function exerciseText(lang: Lang = documentLang()): ExerciseText {
  return lang === 'ja' ? ja : en;
}
