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
import type { Exercise, Verdict } from './types.ts';
import { callReader, notYet, right, shown } from './verdict.ts';

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

const failingRow: Exercise = {
  name: 'failingRow',
  title: 'Which row does the page refuse?',
  task: 'Read the small CSV file in the cell as the page would, and return the number of the row it refuses, counted as the page counts rows.',
  async check(value) {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      return notYet(`The cell should return a row number; it returned ${shown(value)}.`);
    }
    const read = await readLabelled(BROKEN_FILE);
    const want = read.ok ? null : refusedRow(read.error);
    if (want === null) return notYet('The check could not read its own file; please report this.');
    const why = read.ok ? '' : read.error.message;
    if (value === want) {
      return right(
        `Right: row ${String(want)}, as the page says (“${why}”). Its text has commas of its own, so it splits into four cells; in double quotes, "The battery, once full, lasts an hour" is one.`,
      );
    }
    if (value === 0) return notYet('The cell still returns 0: which row has something wrong?');
    if (value === want + 1)
      return notYet(
        `${shown(value)} counts the header as row 1. The page counts data rows from 1 below the header, as a spreadsheet numbers them.`,
      );
    if (value === want - 1)
      return notYet(
        `${shown(value)} counts from 0. The page counts data rows from 1: the first sentence is row 1.`,
      );
    return notYet(
      `Row ${shown(value)} reads fine. Count the cells in each row: the header names two columns, text and label.`,
    );
  },
  hints: [
    'The header names two columns, so every row must split into exactly two cells at its commas.',
    'A comma inside a text also splits it, unless the text is in double quotes.',
    'Count data rows from 1 below the header: the screen is row 1.',
  ],
  solution: `failingRow = {
  const file = \`text,label
The screen cracked in a week,hardware
I was charged twice,billing
The battery, once full, lasts an hour,hardware
My invoice shows the wrong address,billing\`;
  // The page's own reader names the row it refuses: "row 3: CSV: 4 cells but …".
  try {
    await lab.readTable(file, "csv");
    return 0;
  } catch (error) {
    return Number(/row (\\d+)/.exec(error.message)[1]);
  }
}`,
};

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

const fixFile: Exercise = {
  name: 'fixFile',
  title: 'Fix a file the page refuses',
  task: 'Edit the CSV in the cell until the page reads it, keeping all six sentences with their labels (the one whose label was lost is a billing question).',
  async check(value): Promise<Verdict> {
    if (typeof value !== 'string') {
      return notYet(`The cell should return the file as a string; it returned ${shown(value)}.`);
    }
    const read = await readLabelled(value);
    if (!read.ok) {
      return notYet(`The page still refuses it: ${read.error.message}.`);
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
          `The sentence “${want.text}” is missing${want.text.includes(',') ? ' or split' : ''}. Keep every sentence: a text with commas goes in double quotes, "like, this".`,
        );
      }
      if (row.label !== want.label) {
        return notYet(
          `Row ${String(row.row)}, “${want.text}”, is labelled ${shown(row.label)}; it is ${shown(want.label)}.`,
        );
      }
    }
    const extra = got.find((g) => !INTENDED_ROWS.some((w) => w.text === g.text));
    if (extra !== undefined)
      return notYet(
        `Row ${String(extra.row)}, “${extra.text}”, is not one of the six sentences: fix the rows, do not add or change them.`,
      );
    if (got.length !== INTENDED_ROWS.length || read.set.emptyRows.length > 0)
      return notYet(
        `The page reads ${String(got.length)} sentences${read.set.emptyRows.length > 0 ? ` and empty texts on rows ${read.set.emptyRows.join(', ')}` : ''}; there should be the six, once each.`,
      );
    return right(
      'Right: the page reads all six sentences, two labels, three of each. Quotes keep a text with commas in one cell, and every row needs its label.',
    );
  },
  hints: [
    'Run the cell and read what the page says: it names the row and the column.',
    'In CSV a comma ends a cell, unless the cell is in double quotes: "Refund me, please, for the second charge".',
    'The row about being billed twice ends with a comma and nothing after it: its label, billing, is missing.',
  ],
  solution: `fixFile = \`text,label
The app logs me out every hour,account
"Refund me, please, for the second charge",billing
I cannot reset my password,account
Why was I billed twice this month?,billing
Change the email on my account,account
The receipt shows the wrong amount,billing\``,
};

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

const majorityScore: Exercise = {
  name: 'majorityScore',
  title: 'The score of always giving one answer',
  task: 'Write a function of a split ({labels, train, validation}, examples {text, label}) that returns the validation accuracy of always answering the label most common in training.',
  check(value) {
    if (typeof value !== 'function') {
      return notYet(
        `The cell should return a function (split) => accuracy; it returned ${shown(value)}.`,
      );
    }
    for (const split of BASELINE_SPLITS) {
      const got = callReader('Your function', () =>
        (value as (s: LabelledSplit) => unknown)(copySplit(split)),
      );
      if (!got.ok) return got.verdict;
      const v = got.value;
      const want = majorityBaseline(split);
      const near = (x: number) => typeof v === 'number' && Math.abs(v - x) < 1e-9;
      if (near(want.accuracy)) continue;
      const where = `For a split with labels ${shown(split.labels)}, ${String(split.train.length)} training and ${String(split.validation.length)} validation sentences, you return ${shown(v)}; the score is ${want.accuracy.toFixed(3)}.`;
      const k = split.labels.length;
      const inValidation = commonest(k, split.validation);
      if (near(100 * want.accuracy))
        return notYet(`${where} That is a percentage; return the accuracy as a fraction.`);
      if (v === want.label)
        return notYet(
          `${where} That is the label itself (its index); return how often it is right on validation.`,
        );
      if (near(inValidation.share))
        return notYet(
          `${where} You took the label most common in validation. The baseline may only know the training labels: the validation labels are the answers it is scored on.`,
        );
      if (near(commonest(k, split.train).share))
        return notYet(
          `${where} That is the label’s share of the training part; score it on the validation part.`,
        );
      return notYet(
        `${where} Count the labels in train, pick the commonest, and return the share of validation examples that carry it.`,
      );
    }
    return right(
      'Right: that is the score to beat. On lopsided data it is high, which is why the lesson shows it beside the adapter’s accuracy.',
    );
  },
  hints: [
    'Two steps: find the label most common in split.train, then score that one answer on split.validation.',
    'Count with an array: counts[e.label] += 1 for each training example; the label is counts.indexOf(Math.max(...counts)).',
    'The accuracy is the number of validation examples with that label divided by split.validation.length.',
  ],
  solution: `majorityScore = ({labels, train, validation}) => {
  const counts = labels.map(() => 0);
  for (const e of train) counts[e.label] += 1;
  const label = counts.indexOf(Math.max(...counts)); // the commonest training label
  return validation.filter((e) => e.label === label).length / validation.length;
}`,
};

/** The lesson's exercises, easy to hard. */
export const ownDataExercises: readonly Exercise[] = [failingRow, fixFile, majorityScore];
