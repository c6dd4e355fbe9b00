/**
 * Classification tasks on the UCI sentiment sentences (is the review
 * positive? which site is it from?), encoded once into flat `Int32Array`s so batches are cheap
 * slices, plus the stand-ins used when the shipped files cannot be loaded (a tokenizer built from
 * the training sentences; a small generated split for headless tests, labelled as such).
 */
import { SENTIMENT_SOURCES, type SentimentExample, type SentimentSplit } from './sentiment.ts';
import { WordTokenizer } from './tokenizer.ts';
import { splitWords } from './words.ts';
import { Rng } from '../rng.ts';
import { DataError } from './errors.ts';

/** The two tasks: sentiment (2 classes) and the review's source site (3 classes). */
export type TaskName = 'sentiment' | 'source';

/** Number of classes per task. */
export const TASK_CLASSES: Readonly<Record<TaskName, number>> = { sentiment: 2, source: 3 };

/** Width of the shared classifier head: the widest task (a task reads its first k logits). */
export const HEAD_WIDTH = Math.max(...Object.values(TASK_CLASSES));

/** The label of an example under a task. */
export function labelOf(e: SentimentExample, task: TaskName): number {
  return task === 'sentiment' ? e.label : SENTIMENT_SOURCES.indexOf(e.source);
}

/** Token ids, masks (`[n, maxLen]` row-major) and labels of an encoded split. */
export interface EncodedRows {
  readonly n: number;
  readonly maxLen: number;
  readonly ids: Int32Array; // [n, maxLen]
  readonly mask: Int32Array; // [n, maxLen]
  readonly labels: Int32Array; // [n]
}

/** A split encoded for one task: `n` rows of `maxLen` ids and mask values, and `n` labels. */
export interface EncodedSet extends EncodedRows {
  readonly task: TaskName;
}

/** Tokenizes `examples` for `task` (truncated/padded to `maxLen`, `<s>`/`</s>` included). */
export function encodeSet(
  tokenizer: WordTokenizer,
  examples: readonly SentimentExample[],
  task: TaskName,
  maxLen: number,
): EncodedSet {
  if (!Number.isInteger(maxLen) || maxLen < 3)
    throw new DataError('maxLen', `${String(maxLen)} must be an integer ≥ 3`);
  if (examples.length === 0) throw new DataError('examples', 'must not be empty');
  const n = examples.length;
  const ids = new Int32Array(n * maxLen);
  const mask = new Int32Array(n * maxLen);
  const labels = new Int32Array(n);
  examples.forEach((e, i) => {
    const enc = tokenizer.encode(e.text, maxLen);
    ids.set(enc.inputIds, i * maxLen);
    mask.set(enc.attentionMask, i * maxLen);
    labels[i] = labelOf(e, task);
  });
  return { task, n, maxLen, ids, mask, labels };
}

/**
 * Rows `rows` of a set as flat arrays (what a batch tensor is built from), each cut to its first
 * `len` tokens (default: all `maxLen`).
 */
export function batchRows(
  set: EncodedRows,
  rows: readonly number[],
  len = set.maxLen,
): { ids: Int32Array; mask: Int32Array; labels: Int32Array } {
  const T = set.maxLen;
  const ids = new Int32Array(rows.length * len);
  const mask = new Int32Array(rows.length * len);
  const labels = new Int32Array(rows.length);
  rows.forEach((r, i) => {
    ids.set(set.ids.subarray(r * T, r * T + len), i * len);
    mask.set(set.mask.subarray(r * T, r * T + len), i * len);
    labels[i] = set.labels[r] ?? 0;
  });
  return { ids, mask, labels };
}

/**
 * A tokenizer built from the training sentences alone, for when the pretrained model's
 * `tokenizer.json` is missing (the encoder then starts from random weights anyway).
 */
export function tokenizerFromExamples(
  examples: readonly SentimentExample[],
  vocabSize = 4000,
): WordTokenizer {
  const counts = new Map<string, number>();
  for (const e of examples)
    for (const w of splitWords(e.text)) counts.set(w, (counts.get(w) ?? 0) + 1);
  return WordTokenizer.train(counts, { vocabSize, minCount: 1 });
}

/**
 * A small generated split in the shape of the real one, for headless tests only (no site to
 * fetch from): sentences made of a few positive or negative words plus a site-specific word.
 * The page says so whenever it is used; nothing measured on it is reported as a result.
 */
export function standInSplit(seed: number, perClass = 24): SentimentSplit {
  const rng = new Rng(seed);
  const pos = ['good', 'great', 'lovely', 'excellent', 'fine', 'nice'];
  const neg = ['bad', 'awful', 'poor', 'terrible', 'boring', 'broken'];
  const site = { imdb: 'movie', amazon: 'phone', yelp: 'food' } as const;
  const make = (n: number): SentimentExample[] => {
    const out: SentimentExample[] = [];
    for (let i = 0; i < n; i++) {
      for (const source of SENTIMENT_SOURCES) {
        for (const label of [0, 1] as const) {
          const words = label === 1 ? pos : neg;
          const w = () => words[rng.int(words.length)] ?? '';
          out.push({ text: `the ${site[source]} was ${w()} and ${w()} .`, label, source });
        }
      }
    }
    return out;
  };
  return { seed, train: make(perClass), validation: make(4), test: make(4) };
}
