/**
 * A reader's own labelled sentences: a parsed table (any delimiter-separated or JSON Lines file,
 * already split into cells) turned into `{text, label}` examples with the reader's choice of text
 * and label columns, a report of what was read (labels and their counts, repeated texts, empty
 * texts, words the tokenizer does not know) and a seeded, stratified training/validation split.
 *
 * Pure: no I/O, no TF.js. Every refusal is a {@link DataError} whose field names the row (1-based,
 * as a spreadsheet numbers data rows below the header) and the column.
 */
import { DataError } from './errors.ts';
import { fnv1a32 } from '../hash.ts';
import { normalizeText, splitWords } from './words.ts';
import type { EncodedRows } from './tasks.ts';
import type { WordTokenizer } from './tokenizer.ts';

/** A table as a parser hands it over: column names and rows of cells (a missing cell is null). */
export interface TextTable {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly (string | null)[])[];
}

/** One labelled sentence; `label` indexes the label names it came with. */
export interface LabelledExample {
  readonly text: string;
  readonly label: number;
  /** Its data row in the table (1-based), so a report can point back at it. */
  readonly row: number;
}

/** Examples and the names of their labels (sorted, so the numbering does not depend on row order). */
export interface LabelledTexts {
  readonly labels: readonly string[];
  readonly examples: readonly LabelledExample[];
  /** Data rows whose text cell is empty (1-based); they are left out of `examples`. */
  readonly emptyRows: readonly number[];
}

/** Most labels a set may have (a head of this width is still small next to the encoder). */
export const MAX_LABELS = 50;

/** Largest text cell accepted, in characters (a whole file in one cell is a parsing mistake). */
export const MAX_TEXT_CHARS = 100_000;

/**
 * Picks the text and label columns of `table` and reads every row. Rows with an empty text are
 * counted (`emptyRows`) and left out; an empty or missing label, a text over
 * {@link MAX_TEXT_CHARS}, fewer than two labels or more than {@link MAX_LABELS} are refused,
 * naming the row and the column.
 */
export function labelledFromTable(
  table: TextTable,
  textColumn: string,
  labelColumn: string,
): LabelledTexts {
  const ti = table.columns.indexOf(textColumn);
  const li = table.columns.indexOf(labelColumn);
  const known = table.columns.map((c) => JSON.stringify(c)).join(', ');
  if (ti < 0)
    throw new DataError('text column', `${JSON.stringify(textColumn)} is not one of ${known}`);
  if (li < 0)
    throw new DataError('label column', `${JSON.stringify(labelColumn)} is not one of ${known}`);
  if (ti === li) throw new DataError('label column', 'must differ from the text column');
  const raw: { text: string; label: string; row: number }[] = [];
  const emptyRows: number[] = [];
  table.rows.forEach((cells, i) => {
    const row = i + 1;
    const text = cells[ti] ?? null;
    const label = cells[li] ?? null;
    if (text === null)
      throw new DataError(
        `row ${row}, column ${JSON.stringify(textColumn)}`,
        'the cell is missing',
      );
    if (text.length > MAX_TEXT_CHARS)
      throw new DataError(
        `row ${row}, column ${JSON.stringify(textColumn)}`,
        `${text.length.toLocaleString('en')} characters, more than ${MAX_TEXT_CHARS.toLocaleString('en')} (is a quote left open above it?)`,
      );
    if (text.trim() === '') {
      emptyRows.push(row);
      return;
    }
    if (label === null || label.trim() === '')
      throw new DataError(
        `row ${row}, column ${JSON.stringify(labelColumn)}`,
        'the label is empty',
      );
    raw.push({ text: text.trim(), label: label.trim(), row });
  });
  const labels = [...new Set(raw.map((r) => r.label))].sort();
  if (labels.length < 2)
    throw new DataError(
      `column ${JSON.stringify(labelColumn)}`,
      `needs at least two different labels, found ${labels.length === 0 ? 'none' : JSON.stringify(labels[0])}`,
    );
  if (labels.length > MAX_LABELS)
    throw new DataError(
      `column ${JSON.stringify(labelColumn)}`,
      `has ${labels.length} different labels, more than ${MAX_LABELS} (is it the text column?)`,
    );
  const index = new Map(labels.map((l, i) => [l, i]));
  const examples = raw.map((r) => ({ text: r.text, label: index.get(r.label) ?? 0, row: r.row }));
  return { labels, examples, emptyRows };
}

/** What was read, for the reader to check before training. */
export interface LabelledReport {
  readonly rows: number;
  /** Examples per label, in label order. */
  readonly counts: readonly number[];
  /** Examples whose normalised text appeared in an earlier row. */
  readonly duplicates: number;
  /** Up to 5 repeated texts with the rows they are on. */
  readonly duplicateExamples: readonly { text: string; rows: number[] }[];
  /** Repeated texts that carry more than one label. */
  readonly conflicting: number;
  readonly emptyTexts: number;
  /** Word tokens in all texts, and how many of them the vocabulary lacks. */
  readonly words: number;
  readonly unknownWords: number;
  /** The most frequent unknown words with their counts (up to 10). */
  readonly unknownExamples: readonly { word: string; count: number }[];
}

/**
 * Counts labels, repeated texts (same {@link normalizeText}) and unknown words: a word is unknown
 * when `known(word)` is false (pass the tokenizer's vocabulary lookup).
 */
export function labelledReport(
  set: LabelledTexts,
  known: (word: string) => boolean,
): LabelledReport {
  const counts = set.labels.map(() => 0);
  const byText = new Map<string, { text: string; rows: number[]; labels: Set<number> }>();
  const unknown = new Map<string, number>();
  let words = 0;
  let unknownWords = 0;
  for (const e of set.examples) {
    counts[e.label] = (counts[e.label] ?? 0) + 1;
    const key = normalizeText(e.text);
    const seen = byText.get(key);
    if (seen) {
      seen.rows.push(e.row);
      seen.labels.add(e.label);
    } else byText.set(key, { text: e.text, rows: [e.row], labels: new Set([e.label]) });
    for (const w of splitWords(e.text)) {
      words++;
      if (!known(w)) {
        unknownWords++;
        unknown.set(w, (unknown.get(w) ?? 0) + 1);
      }
    }
  }
  const repeated = [...byText.values()].filter((v) => v.rows.length > 1);
  return {
    rows: set.examples.length + set.emptyRows.length,
    counts,
    duplicates: repeated.reduce((s, v) => s + v.rows.length - 1, 0),
    duplicateExamples: repeated.slice(0, 5).map((v) => ({ text: v.text, rows: v.rows })),
    conflicting: repeated.filter((v) => v.labels.size > 1).length,
    emptyTexts: set.emptyRows.length,
    words,
    unknownWords,
    unknownExamples: [...unknown.entries()]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, 10)
      .map(([word, count]) => ({ word, count })),
  };
}

/** A training/validation split of a labelled set. */
export interface LabelledSplit {
  readonly seed: number;
  readonly labels: readonly string[];
  readonly train: readonly LabelledExample[];
  readonly validation: readonly LabelledExample[];
}

/**
 * Seeded stratified split, as the core's sentiment split makes it: repeated texts are dropped
 * (the first row kept, so no sentence is in both parts), then within each label the texts are
 * ordered by a seeded FNV-1a hash of their normalised text and the first
 * `round(validationShare × n)` (at least 1) go to validation, the rest to training. Placement
 * depends only on the texts and the seed, not on row order; outputs keep the input's order. Each
 * label needs two distinct texts at least.
 */
export function stratifiedSplit(
  set: LabelledTexts,
  seed: number,
  validationShare = 0.2,
): LabelledSplit {
  if (!(validationShare > 0 && validationShare < 1))
    throw new DataError('validationShare', `must be in (0, 1), got ${String(validationShare)}`);
  const seen = new Set<string>();
  const unique = set.examples.filter((e) => {
    const k = normalizeText(e.text);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  const salt = fnv1a32(String(seed));
  const inValidation = new Set<LabelledExample>();
  set.labels.forEach((name, label) => {
    const stratum = unique
      .filter((e) => e.label === label)
      .map((e) => ({ e, k: normalizeText(e.text) }))
      .map((x) => ({ ...x, h: fnv1a32(x.k, salt) }))
      .sort((a, b) => a.h - b.h || (a.k < b.k ? -1 : a.k > b.k ? 1 : 0));
    if (stratum.length < 2)
      throw new DataError(
        `label ${JSON.stringify(name)}`,
        `has ${stratum.length} distinct text${stratum.length === 1 ? '' : 's'}; a split needs 2 or more`,
      );
    const take = Math.min(
      stratum.length - 1,
      Math.max(1, Math.round(validationShare * stratum.length)),
    );
    stratum.slice(0, take).forEach(({ e }) => inValidation.add(e));
  });
  return {
    seed,
    labels: set.labels,
    train: unique.filter((e) => !inValidation.has(e)),
    validation: unique.filter((e) => inValidation.has(e)),
  };
}

/** The label the most training examples carry (ties: the first), and its share of `validation`. */
export function majorityBaseline(split: LabelledSplit): { label: number; accuracy: number } {
  const counts = split.labels.map(() => 0);
  for (const e of split.train) counts[e.label] = (counts[e.label] ?? 0) + 1;
  const label = counts.indexOf(Math.max(...counts));
  const hit = split.validation.filter((e) => e.label === label).length;
  return {
    label,
    accuracy: split.validation.length === 0 ? Number.NaN : hit / split.validation.length,
  };
}

/**
 * Tokenizes labelled examples into flat rows (truncated/padded to `maxLen`, `<s>`/`</s>`
 * included), ready for the core's batcher (`BatchOrder`, `rowsTensors`).
 */
export function encodeLabelled(
  tokenizer: WordTokenizer,
  examples: readonly { readonly text: string; readonly label: number }[],
  maxLen: number,
): EncodedRows {
  if (!Number.isInteger(maxLen) || maxLen < 3)
    throw new DataError('maxLen', `${String(maxLen)} must be an integer ≥ 3`);
  const n = examples.length;
  const ids = new Int32Array(n * maxLen);
  const mask = new Int32Array(n * maxLen);
  const labels = new Int32Array(n);
  examples.forEach((e, i) => {
    const enc = tokenizer.encode(e.text, maxLen);
    ids.set(enc.inputIds, i * maxLen);
    mask.set(enc.attentionMask, i * maxLen);
    labels[i] = e.label;
  });
  return { n, maxLen, ids, mask, labels };
}
