/**
 * Exercises of the own-data lesson: name the row the page refuses in a broken file, fix a file so
 * that the page reads every sentence, and the majority-label score the lesson compares against.
 * The checks read files with the lesson's own reader (`parseTable`, Papa Parse loaded on first
 * use) and the core's `labelledFromTable` and `majorityBaseline`, so what counts as "refused" and
 * the scores are exactly what the lesson's cells compute.
 */
import { DataError } from '../../core/data/errors.ts';
import {
  labelledFromTable,
  majorityBaseline,
  type LabelledSplit,
  type LabelledTexts,
} from '../../core/data/labelled.ts';
import { parseTable } from '../../experiments/own-data/parse-table.ts';
import type { Lang } from '../../lib/i18n.ts';
import type { Exercise, Verdict } from './types.ts';
import { callReader, notYet, right, shown, translator, type Tr } from './verdict.ts';

/** Reads a CSV as the lesson does, with the columns `text` and `label`; a refusal is returned. */
export async function readLabelled(
  csv: string,
): Promise<{ ok: true; set: LabelledTexts } | { ok: false; error: DataError | Error }> {
  try {
    const table = await parseTable(csv, 'csv');
    return { ok: true, set: labelledFromTable(table, 'text', 'label') };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error : new Error(String(error)) };
  }
}

/** The data row (1-based) a refusal names, or null when it names none. */
export function refusedRow(error: Error): number | null {
  if (!(error instanceof DataError)) return null;
  const m = /^row (\d+)/.exec(error.field);
  return m ? Number(m[1]) : null;
}

/** The file of the first exercise, as its cell shows it. */
export const BROKEN_FILE = `text,label
The screen cracked in a week,hardware
I was charged twice,billing
The battery, once full, lasts an hour,hardware
My invoice shows the wrong address,billing`;

const failingRow = (tr: Tr): Exercise => ({
  name: 'failingRow',
  title: tr('Which row does the page refuse?', 'ページが受け付けないのはどの行？'),
  task: tr(
    'Read the small CSV file in the cell as the page would, and return the number of the row it refuses, counted as the page counts rows.',
    'セルの小さなCSVファイルをページと同じように読み、ページが拒否する行の番号を、ページと同じ数え方で返してください。',
  ),
  async check(value) {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      return notYet(
        tr(
          `The cell should return a row number; it returned ${shown(value)}.`,
          `セルは行番号を返す必要がありますが、${shown(value, tr.lang)}が返されました。`,
        ),
      );
    }
    const read = await readLabelled(BROKEN_FILE);
    const want = read.ok ? null : refusedRow(read.error);
    if (want === null)
      return notYet(
        tr(
          'The check could not read its own file; please report this.',
          '確認用のファイルを確認自身が読めませんでした。この問題を報告してください。',
        ),
      );
    const why = read.ok ? '' : read.error.message;
    if (value === want) {
      return right(
        tr(
          `Right: row ${String(want)}, as the page says (“${why}”). Its text has commas of its own, so it splits into four cells; in double quotes, "The battery, once full, lasts an hour" is one.`,
          `正解：ページの表示（「${why}」）のとおり、${String(want)}行目です。この行のテキストにはそれ自体にカンマが含まれるので、四つのセルに分かれてしまいます。二重引用符で囲んだ"The battery, once full, lasts an hour"なら一つのセルです。`,
        ),
      );
    }
    if (value === 0)
      return notYet(
        tr(
          'The cell still returns 0: which row has something wrong?',
          'セルはまだ0を返しています。どの行に問題があるでしょうか？',
        ),
      );
    if (value === want + 1)
      return notYet(
        tr(
          `${shown(value)} counts the header as row 1. The page counts data rows from 1 below the header, as a spreadsheet numbers them.`,
          `${shown(value)}はヘッダーを1行目として数えています。ページは、表計算ソフトの行番号と同じように、ヘッダーの下のデータ行を1から数えます。`,
        ),
      );
    if (value === want - 1)
      return notYet(
        tr(
          `${shown(value)} counts from 0. The page counts data rows from 1: the first sentence is row 1.`,
          `${shown(value)}は0から数えています。ページはデータ行を1から数えるので、最初の文が1行目です。`,
        ),
      );
    return notYet(
      tr(
        `Row ${shown(value)} reads fine. Count the cells in each row: the header names two columns, text and label.`,
        `${shown(value, tr.lang)}行目は問題なく読めます。各行のセルの数を数えてください。ヘッダーはtextとlabelの二つの列を指定しています。`,
      ),
    );
  },
  hints: [
    tr(
      'The header names two columns, so every row must split into exactly two cells at its commas.',
      'ヘッダーが二つの列を指定しているので、どの行もカンマでちょうど二つのセルに分かれなければなりません。',
    ),
    tr(
      'A comma inside a text also splits it, unless the text is in double quotes.',
      'テキストの中のカンマも、テキストを二重引用符で囲まない限り、そこでセルを分けてしまいます。',
    ),
    tr(
      'Count data rows from 1 below the header: the screen is row 1.',
      'データ行はヘッダーの下から1と数えます。「The screen cracked in a week」が1行目です。',
    ),
  ],
  solution: `failingRow = {
  const file = \`text,label
The screen cracked in a week,hardware
I was charged twice,billing
The battery, once full, lasts an hour,hardware
My invoice shows the wrong address,billing\`;
  // ${tr('The page\'s own reader names the row it refuses: "row 3: CSV: 4 cells but …".', 'ページ自身の読み込み処理は、拒否した行を示す："row 3: CSV: 4 cells but …"。')}
  try {
    await lab.readTable(file, "csv");
    return 0;
  } catch (error) {
    return Number(/row (\\d+)/.exec(error.message)[1]);
  }
}`,
});

/** What the second exercise's file should hold once fixed: every sentence, with its label. */
export const INTENDED_ROWS: readonly { readonly text: string; readonly label: string }[] = [
  { text: 'The app logs me out every hour', label: 'account' },
  { text: 'Refund me, please, for the second charge', label: 'billing' },
  { text: 'I cannot reset my password', label: 'account' },
  { text: 'Why was I billed twice this month?', label: 'billing' },
  { text: 'Change the email on my account', label: 'account' },
  { text: 'The receipt shows the wrong amount', label: 'billing' },
];

/** The second exercise's starter file: row 2 has unquoted commas, row 4 lost its label. */
export const FIX_STARTER = `text,label
The app logs me out every hour,account
Refund me, please, for the second charge,billing
I cannot reset my password,account
Why was I billed twice this month?,
Change the email on my account,account
The receipt shows the wrong amount,billing`;

const fixFile = (tr: Tr): Exercise => ({
  name: 'fixFile',
  title: tr('Fix a file the page refuses', 'ページが受け付けないファイルを直す'),
  task: tr(
    'Edit the CSV in the cell until the page reads it, keeping all six sentences with their labels (the one whose label was lost is a billing question).',
    'ページが読み込めるようになるまでセルのCSVを直してください。6つの文はすべてラベル付きで残します（ラベルが抜けた文は請求（billing）に関する質問です）。',
  ),
  async check(value): Promise<Verdict> {
    if (typeof value !== 'string') {
      return notYet(
        tr(
          `The cell should return the file as a string; it returned ${shown(value)}.`,
          `セルはファイルを文字列として返す必要がありますが、${shown(value, tr.lang)}が返されました。`,
        ),
      );
    }
    const read = await readLabelled(value);
    if (!read.ok) {
      return notYet(
        tr(
          `The page still refuses it: ${read.error.message}.`,
          `ページはまだこのファイルを拒否します：${read.error.message}`,
        ),
      );
    }
    const got = read.set.examples.map((e) => ({
      text: e.text,
      label: read.set.labels[e.label] ?? '',
      row: e.row,
    }));
    for (const want of INTENDED_ROWS) {
      const row = got.find((g) => g.text === want.text);
      if (row === undefined) {
        return notYet(
          tr(
            `The sentence “${want.text}” is missing${want.text.includes(',') ? ' or split' : ''}. Keep every sentence: a text with commas goes in double quotes, "like, this".`,
            `文「${want.text}」が${want.text.includes(',') ? 'ないか、分割されています' : 'ありません'}。文はすべて残してください。カンマを含むテキストは"like, this"のように二重引用符で囲みます。`,
          ),
        );
      }
      if (row.label !== want.label) {
        return notYet(
          tr(
            `Row ${String(row.row)}, “${want.text}”, is labelled ${shown(row.label)}; it is ${shown(want.label)}.`,
            `${String(row.row)}行目の「${want.text}」のラベルが${shown(row.label, tr.lang)}になっています。正しくは${shown(want.label, tr.lang)}です。`,
          ),
        );
      }
    }
    const extra = got.find((g) => !INTENDED_ROWS.some((w) => w.text === g.text));
    if (extra !== undefined)
      return notYet(
        tr(
          `Row ${String(extra.row)}, “${extra.text}”, is not one of the six sentences: fix the rows, do not add or change them.`,
          `${String(extra.row)}行目の「${extra.text}」は6つの文のどれでもありません。行は直すだけにして、追加したり書き換えたりしないでください。`,
        ),
      );
    if (got.length !== INTENDED_ROWS.length || read.set.emptyRows.length > 0)
      return notYet(
        tr(
          `The page reads ${String(got.length)} sentences${read.set.emptyRows.length > 0 ? ` and empty texts on rows ${read.set.emptyRows.join(', ')}` : ''}; there should be the six, once each.`,
          `ページが読んだ文は${String(got.length)}個${read.set.emptyRows.length > 0 ? `で、${read.set.emptyRows.join('、')}行目のテキストは空です` : 'です'}。6つの文がそれぞれ1回ずつあるはずです。`,
        ),
      );
    return right(
      tr(
        'Right: the page reads all six sentences, two labels, three of each. Quotes keep a text with commas in one cell, and every row needs its label.',
        '正解：ページは6つの文すべてを読み、ラベルは2種類で3文ずつです。引用符はカンマを含むテキストを一つのセルにまとめ、どの行にもラベルが必要です。',
      ),
    );
  },
  hints: [
    tr(
      'Run the cell and read what the page says: it names the row and the column.',
      'セルを実行して、ページの表示を読んでください。行と列が示されます。',
    ),
    tr(
      'In CSV a comma ends a cell, unless the cell is in double quotes: "Refund me, please, for the second charge".',
      'CSVでは、セルを二重引用符で囲まない限り、カンマでセルが終わります："Refund me, please, for the second charge"。',
    ),
    tr(
      'The row about being billed twice ends with a comma and nothing after it: its label, billing, is missing.',
      '二重請求についての行は、カンマで終わってその後ろに何もありません。ラベルのbillingが抜けています。',
    ),
  ],
  solution: `fixFile = \`text,label
The app logs me out every hour,account
"Refund me, please, for the second charge",billing
I cannot reset my password,account
Why was I billed twice this month?,billing
Change the email on my account,account
The receipt shows the wrong amount,billing\``,
});

/** The splits of the third exercise: the majority label in training differs from validation's. */
export const BASELINE_SPLITS: readonly LabelledSplit[] = [
  {
    seed: 0,
    labels: ['account', 'billing'],
    train: [0, 1, 1, 1, 0, 1, 1, 0].map((label, i) => ({
      text: `t${String(i)}`,
      label,
      row: i + 1,
    })),
    validation: [0, 0, 1, 0, 1].map((label, i) => ({ text: `v${String(i)}`, label, row: i + 9 })),
  },
  {
    seed: 0,
    labels: ['Amazon', 'IMDb', 'Yelp'],
    train: [2, 0, 2, 1, 2, 0, 2, 1, 2].map((label, i) => ({
      text: `t${String(i)}`,
      label,
      row: i + 1,
    })),
    validation: [0, 1, 1, 2, 1, 0, 2, 1].map((label, i) => ({
      text: `v${String(i)}`,
      label,
      row: i + 10,
    })),
  },
];

/** The label most common in `examples` (ties: the first), and its share of them. */
function commonest(
  labels: number,
  examples: LabelledSplit['train'],
): { label: number; share: number } {
  const counts = Array.from({ length: labels }, () => 0);
  for (const e of examples) counts[e.label] = (counts[e.label] ?? 0) + 1;
  const label = counts.indexOf(Math.max(...counts));
  return { label, share: (counts[label] ?? 0) / examples.length };
}

function copySplit(s: LabelledSplit): LabelledSplit {
  return {
    seed: s.seed,
    labels: [...s.labels],
    train: s.train.map((e) => ({ ...e })),
    validation: s.validation.map((e) => ({ ...e })),
  };
}

const majorityScore = (tr: Tr): Exercise => ({
  name: 'majorityScore',
  title: tr('The score of always giving one answer', 'いつも同じ答えを返すときのスコア'),
  task: tr(
    'Write a function of a split ({labels, train, validation}, examples {text, label}) that returns the validation accuracy of always answering the label most common in training.',
    '分割（{labels, train, validation}、各例は{text, label}）を受け取り、学習データで最も多いラベルをいつも答えたときの、検証データでの正解率を返す関数を書いてください。',
  ),
  check(value) {
    if (typeof value !== 'function') {
      return notYet(
        tr(
          `The cell should return a function (split) => accuracy; it returned ${shown(value)}.`,
          `セルは「(split) => accuracy」の形の関数を返す必要がありますが、${shown(value, tr.lang)}が返されました。`,
        ),
      );
    }
    for (const split of BASELINE_SPLITS) {
      const got = callReader(
        tr('Your function', 'あなたの関数'),
        () => (value as (s: LabelledSplit) => unknown)(copySplit(split)),
        tr.lang,
      );
      if (!got.ok) return got.verdict;
      const v = got.value;
      const want = majorityBaseline(split);
      const near = (x: number) => typeof v === 'number' && Math.abs(v - x) < 1e-9;
      if (near(want.accuracy)) continue;
      const where = tr(
        `For a split with labels ${shown(split.labels)}, ${String(split.train.length)} training and ${String(split.validation.length)} validation sentences, you return ${shown(v)}; the score is ${want.accuracy.toFixed(3)}.`,
        `ラベルが${shown(split.labels, tr.lang)}で、学習データ${String(split.train.length)}文、検証データ${String(split.validation.length)}文の分割に対して、あなたの関数は${shown(v, tr.lang)}を返しました。スコアは${want.accuracy.toFixed(3)}です。`,
      );
      const k = split.labels.length;
      const inValidation = commonest(k, split.validation);
      if (near(100 * want.accuracy))
        return notYet(
          tr(
            `${where} That is a percentage; return the accuracy as a fraction.`,
            `${where}それはパーセントです。正解率は小数の割合で返してください。`,
          ),
        );
      if (v === want.label)
        return notYet(
          tr(
            `${where} That is the label itself (its index); return how often it is right on validation.`,
            `${where}それはラベルそのもの（そのインデックス）です。そのラベルが検証データでどれだけの割合で正しいかを返してください。`,
          ),
        );
      if (near(inValidation.share))
        return notYet(
          tr(
            `${where} You took the label most common in validation. The baseline may only know the training labels: the validation labels are the answers it is scored on.`,
            `${where}検証データで最も多いラベルを使っています。ベースラインが知ってよいのは学習データのラベルだけです。検証データのラベルは、採点に使う答えです。`,
          ),
        );
      if (near(commonest(k, split.train).share))
        return notYet(
          tr(
            `${where} That is the label’s share of the training part; score it on the validation part.`,
            `${where}それは学習データでのそのラベルの割合です。検証データで採点してください。`,
          ),
        );
      return notYet(
        tr(
          `${where} Count the labels in train, pick the commonest, and return the share of validation examples that carry it.`,
          `${where}trainのラベルを数えて最も多いものを選び、そのラベルを持つ検証データの例の割合を返してください。`,
        ),
      );
    }
    return right(
      tr(
        'Right: that is the score to beat. On lopsided data it is high, which is why the lesson shows it beside the adapter’s accuracy.',
        '正解：これが超えるべきスコアです。偏ったデータではこの値が高くなります。レッスンがアダプターの正解率の横にこれを示すのはそのためです。',
      ),
    );
  },
  hints: [
    tr(
      'Two steps: find the label most common in split.train, then score that one answer on split.validation.',
      '2段階です。まずsplit.trainで最も多いラベルを見つけ、次にその一つの答えをsplit.validationで採点します。',
    ),
    tr(
      'Count with an array: counts[e.label] += 1 for each training example; the label is counts.indexOf(Math.max(...counts)).',
      '配列で数えます。学習データの各例についてcounts[e.label] += 1とし、ラベルはcounts.indexOf(Math.max(...counts))です。',
    ),
    tr(
      'The accuracy is the number of validation examples with that label divided by split.validation.length.',
      '正解率は、そのラベルを持つ検証データの例の数をsplit.validation.lengthで割ったものです。',
    ),
  ],
  solution: `majorityScore = ({labels, train, validation}) => {
  const counts = labels.map(() => 0);
  for (const e of train) counts[e.label] += 1;
  const label = counts.indexOf(Math.max(...counts)); // ${tr('the commonest training label', '学習データで最も多いラベル')}
  return validation.filter((e) => e.label === label).length / validation.length;
}`,
});

/** The lesson's exercises, easy to hard, in the words of the edition `lang`. */
export function ownDataExercisesIn(lang: Lang): readonly Exercise[] {
  const tr = translator(lang);
  return [failingRow(tr), fixFile(tr), majorityScore(tr)];
}

/** The lesson's exercises in English. */
export const ownDataExercises: readonly Exercise[] = ownDataExercisesIn('en');
