/**
 * The UCI Sentiment Labelled Sentences (Kotzias, Denil, de Freitas & Smyth, "From Group to
 * Individual Labels using Deep Features", KDD 2015; CC BY 4.0): 1,000 review sentences from each of
 * IMDb, Amazon and Yelp, 500 positive and 500 negative each. This module parses them and makes the
 * project's fixed split; reading the files is the caller's job (Node: `scripts/lib/uci.ts`,
 * browser: `fetch('/data/sentiment.json')`).
 */
import { DataError } from './errors.ts';
import { fnv1a32 } from '../hash.ts';
import { normalizeText } from './words.ts';

/** The three review sites, in the order used for the second ("which site?") task's labels. */
export const SENTIMENT_SOURCES = ['imdb', 'amazon', 'yelp'] as const;
/** One of {@link SENTIMENT_SOURCES}. */
export type SentimentSource = (typeof SENTIMENT_SOURCES)[number];
/** The split names. */
export type SplitName = 'train' | 'validation' | 'test';

/** One labelled sentence. */
export interface SentimentExample {
  /** The sentence as published (trailing whitespace trimmed). */
  text: string;
  /** 1 = positive, 0 = negative. */
  label: 0 | 1;
  /** The review site; the label of the second task. */
  source: SentimentSource;
}

/** The fixed split. */
export interface SentimentSplit {
  /** Seed that placed the sentences (the shipped split uses {@link DEFAULT_SPLIT_SEED}). */
  seed: number;
  train: SentimentExample[];
  validation: SentimentExample[];
  test: SentimentExample[];
}

/** Seed of the shipped split. */
export const DEFAULT_SPLIT_SEED = 20150810;
/** Sentences per (source, label) stratum in validation and in test: 6 strata × 50 = 300 each. */
export const EVAL_PER_STRATUM = 50;

/**
 * Parses one fixture file's items (`[{text, class}]`). The files end with an empty item
 * `{"text": "", "class": null}`, which is dropped; any other malformed item throws.
 */
export function parseUciItems(items: unknown, source: SentimentSource): SentimentExample[] {
  if (!Array.isArray(items)) throw new DataError(source, 'expected an array of {text, class}');
  const out: SentimentExample[] = [];
  items.forEach((raw: unknown, i) => {
    const it = raw as { text?: unknown; class?: unknown } | null;
    if (typeof it?.text !== 'string')
      throw new DataError(`${source}[${i}].text`, `expected a string, got ${typeof it?.text}`);
    const text = it.text.trim();
    if (text === '' && it.class === null) return; // the trailing empty item
    if (it.class !== 0 && it.class !== 1)
      throw new DataError(
        `${source}[${i}].class`,
        `expected 0 or 1, got ${JSON.stringify(it.class)}`,
      );
    if (text === '') throw new DataError(`${source}[${i}].text`, 'empty sentence with a label');
    out.push({ text, label: it.class, source });
  });
  return out;
}

/**
 * Drops repeated sentences (same text after {@link normalizeText}), keeping the first occurrence
 * in the given order. The UCI files hold 19 repeated sentences ("Great phone." four times), and
 * a sentence in both train and test would leak; dropping repeats makes "no overlap" true by text.
 */
export function dedupe(examples: readonly SentimentExample[]): SentimentExample[] {
  const seen = new Set<string>();
  return examples.filter((e) => {
    const k = normalizeText(e.text);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** One (source, label) stratum, in its seeded hash order (see {@link hashedStrata}). */
export interface HashedStratum {
  readonly source: SentimentExample['source'];
  readonly label: 0 | 1;
  readonly examples: readonly SentimentExample[];
}

/**
 * The (source, label) strata of `examples`, each ordered by a seeded FNV-1a hash of the
 * normalised text (ties: the text), so that any cut of a stratum's order — the shipped split's
 * first rows, or cross-validation's every k-th — depends only on the texts and the seed.
 */
export function hashedStrata(
  examples: readonly SentimentExample[],
  seed = DEFAULT_SPLIT_SEED,
): HashedStratum[] {
  const out: HashedStratum[] = [];
  for (const source of SENTIMENT_SOURCES) {
    for (const label of [0, 1] as const) {
      const ordered = examples
        .filter((e) => e.source === source && e.label === label)
        .map((e) => ({ e, h: fnv1a32(normalizeText(e.text), fnv1a32(String(seed))) }))
        .sort((a, b) => a.h - b.h || (a.e.text < b.e.text ? -1 : 1))
        .map(({ e }) => e);
      out.push({ source, label, examples: ordered });
    }
  }
  return out;
}

/**
 * Stratified split: within each (source, label) stratum the sentences are ordered by a seeded hash
 * of their normalised text, the first `evalPerStratum` go to test, the next `evalPerStratum` to
 * validation, the rest to train. Placement depends only on the text and the seed — not on input
 * order — so the split is stable across runs, machines and engines. Output lists are in
 * the input's order.
 */
export function splitSentiment(
  examples: readonly SentimentExample[],
  seed = DEFAULT_SPLIT_SEED,
  evalPerStratum = EVAL_PER_STRATUM,
): SentimentSplit {
  if (!Number.isInteger(evalPerStratum) || evalPerStratum < 1) {
    throw new DataError('evalPerStratum', `must be a positive integer, got ${evalPerStratum}`);
  }
  const unique = dedupe(examples);
  if (unique.length !== examples.length)
    throw new DataError(
      'examples',
      `holds ${examples.length - unique.length} repeated sentences; call dedupe() first`,
    );
  const place = new Map<SentimentExample, SplitName>();
  for (const { source, label, examples: stratum } of hashedStrata(unique, seed)) {
    if (stratum.length < 2 * evalPerStratum + 1) {
      throw new DataError(
        `${source}/${label}`,
        `stratum has ${stratum.length} sentences, fewer than 2 × evalPerStratum + 1`,
      );
    }
    stratum.forEach((e, i) =>
      place.set(e, i < evalPerStratum ? 'test' : i < 2 * evalPerStratum ? 'validation' : 'train'),
    );
  }
  const pick = (name: SplitName) => unique.filter((e) => place.get(e) === name);
  return { seed, train: pick('train'), validation: pick('validation'), test: pick('test') };
}

/**
 * Reads `public/data/sentiment.json` (rows `[text, label, sourceIndex]`) back into a split — what
 * lesson cells use after `fetch`. Throws {@link DataError} naming the first bad row.
 */
export function parseSentimentJson(json: unknown): SentimentSplit {
  const j = json as {
    seed?: unknown;
    train?: unknown;
    validation?: unknown;
    test?: unknown;
  } | null;
  if (typeof j?.seed !== 'number')
    throw new DataError('sentiment.seed', `expected a number, got ${typeof j?.seed}`);
  const rows = (name: SplitName): SentimentExample[] => {
    const list = j[name];
    if (!Array.isArray(list))
      throw new DataError(`sentiment.${name}`, 'expected an array of [text, label, source] rows');
    return list.map((row: unknown, i) => {
      const [text, label, src] = Array.isArray(row) ? (row as unknown[]) : [];
      const source = typeof src === 'number' ? SENTIMENT_SOURCES[src] : undefined;
      if (typeof text !== 'string' || (label !== 0 && label !== 1) || source === undefined) {
        throw new DataError(
          `sentiment.${name}[${i}]`,
          `expected [text, 0|1, 0..2], got ${JSON.stringify(row)}`,
        );
      }
      return { text, label, source };
    });
  };
  return { seed: j.seed, train: rows('train'), validation: rows('validation'), test: rows('test') };
}
