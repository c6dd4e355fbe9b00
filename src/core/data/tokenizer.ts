/**
 * A word-level tokenizer with RoBERTa's special tokens. Word-level (not BPE) because the encoder's
 * input embeddings are initialised from GloVe word vectors, which exist per word; sizes and
 * coverage are reported by `scripts/pretrain.ts` in the model's manifest.
 */
import { DataError } from './errors.ts';
import { joinWords, splitWords } from './words.ts';

/** The special tokens, in id order 0..4 (RoBERTa puts `<s>` first, `<pad>` second; we do too). */
export const SPECIAL_TOKENS = ['<s>', '<pad>', '</s>', '<unk>', '<mask>'] as const;
/** One of {@link SPECIAL_TOKENS}. */
export type SpecialToken = (typeof SPECIAL_TOKENS)[number];

/** Ids of the special tokens (fixed by their position in {@link SPECIAL_TOKENS}). */
export const SPECIAL_IDS = { bos: 0, pad: 1, eos: 2, unk: 3, mask: 4 } as const;

/** The JSON form of a {@link WordTokenizer} (`tokenizer.json` next to the weights). */
export interface TokenizerJSON {
  /** Always `'word-level'`; a guard against loading some other tokenizer's file. */
  type: 'word-level';
  /** Pre-tokenizer rule set, so a changed splitter is detected: lowercase + PTB clitics. */
  pretokenizer: 'lowercase-ptb-clitics-v1';
  /** Token strings by id; ids 0..4 are {@link SPECIAL_TOKENS}. */
  vocab: string[];
}

/** Output of {@link WordTokenizer.encode}: both arrays have length `maxLen`. */
export interface Encoding {
  /** `<s> w1 … wn </s> <pad> …`, truncated so that `</s>` always fits. */
  inputIds: Int32Array;
  /** 1 at real tokens (including `<s>` and `</s>`), 0 at padding. */
  attentionMask: Int32Array;
  /** Number of word tokens kept (excluding `<s>`/`</s>`). */
  length: number;
  /** Whether words were dropped to fit `maxLen`. */
  truncated: boolean;
}

/** Options for {@link WordTokenizer.train}. */
export interface TrainOptions {
  /** Total vocabulary size including the 5 special tokens. */
  vocabSize: number;
  /** Words seen fewer times than this are left out even if there is room. Default 2. */
  minCount?: number;
}

/** A word-level tokenizer: `splitWords` then a lookup, `<unk>` for words not in the vocabulary. */
export class WordTokenizer {
  readonly vocab: readonly string[];
  private readonly ids: Map<string, number>;

  constructor(vocab: readonly string[]) {
    SPECIAL_TOKENS.forEach((t, i) => {
      if (vocab[i] !== t) {
        throw new DataError(
          `vocab[${i}]`,
          `expected special token ${t}, got ${JSON.stringify(vocab[i])}`,
        );
      }
    });
    this.vocab = vocab;
    this.ids = new Map();
    vocab.forEach((w, i) => {
      if (this.ids.has(w))
        throw new DataError(`vocab[${i}]`, `duplicate token ${JSON.stringify(w)}`);
      this.ids.set(w, i);
    });
  }

  /**
   * Builds a vocabulary from word counts: the special tokens, then words by descending count
   * (ties broken by the word, so the result does not depend on insertion order).
   */
  static train(counts: ReadonlyMap<string, number>, opts: TrainOptions): WordTokenizer {
    const { vocabSize, minCount = 2 } = opts;
    if (!Number.isInteger(vocabSize) || vocabSize <= SPECIAL_TOKENS.length) {
      throw new DataError(
        'vocabSize',
        `must be an integer > ${SPECIAL_TOKENS.length}, got ${vocabSize}`,
      );
    }
    const special = new Set<string>(SPECIAL_TOKENS);
    const words = [...counts.entries()]
      .filter(([w, c]) => c >= minCount && !special.has(w))
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .slice(0, vocabSize - SPECIAL_TOKENS.length)
      .map(([w]) => w);
    return new WordTokenizer([...SPECIAL_TOKENS, ...words]);
  }

  /** Reads the JSON form, checking its type tag. */
  static fromJSON(json: unknown): WordTokenizer {
    const j = json as Partial<TokenizerJSON> | null;
    if (j?.type !== 'word-level')
      throw new DataError(
        'tokenizer.type',
        `expected 'word-level', got ${JSON.stringify(j?.type)}`,
      );
    if (j.pretokenizer !== 'lowercase-ptb-clitics-v1') {
      throw new DataError(
        'tokenizer.pretokenizer',
        `unknown rule set ${JSON.stringify(j.pretokenizer)}`,
      );
    }
    if (!Array.isArray(j.vocab))
      throw new DataError('tokenizer.vocab', 'expected an array of strings');
    return new WordTokenizer(j.vocab);
  }

  /** The JSON form (what `tokenizer.json` holds). */
  toJSON(): TokenizerJSON {
    return { type: 'word-level', pretokenizer: 'lowercase-ptb-clitics-v1', vocab: [...this.vocab] };
  }

  /** Vocabulary size including special tokens. */
  get size(): number {
    return this.vocab.length;
  }

  /** Id of a word token, or `<unk>`'s id. */
  tokenId(word: string): number {
    return this.ids.get(word) ?? SPECIAL_IDS.unk;
  }

  /** Word ids of a text, without special tokens or length limit. */
  wordIds(text: string): number[] {
    return splitWords(text).map((w) => this.tokenId(w));
  }

  /** `<s> words </s>` padded with `<pad>` (or truncated) to exactly `maxLen` ids. */
  encode(text: string, maxLen: number): Encoding {
    if (!Number.isInteger(maxLen) || maxLen < 2)
      throw new DataError('maxLen', `must be an integer >= 2, got ${maxLen}`);
    const words = this.wordIds(text);
    const kept = Math.min(words.length, maxLen - 2);
    const inputIds = new Int32Array(maxLen).fill(SPECIAL_IDS.pad);
    const attentionMask = new Int32Array(maxLen);
    inputIds[0] = SPECIAL_IDS.bos;
    for (let i = 0; i < kept; i++) inputIds[i + 1] = words[i] ?? SPECIAL_IDS.unk;
    inputIds[kept + 1] = SPECIAL_IDS.eos;
    attentionMask.fill(1, 0, kept + 2);
    return { inputIds, attentionMask, length: kept, truncated: kept < words.length };
  }

  /** Ids back to text; special tokens are dropped unless `keepSpecial`. */
  decode(ids: ArrayLike<number>, keepSpecial = false): string {
    const out: string[] = [];
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i] ?? -1;
      const w = this.vocab[id];
      if (w === undefined)
        throw new DataError(`ids[${i}]`, `id ${id} is outside the vocabulary of ${this.size}`);
      if (!keepSpecial && id < SPECIAL_TOKENS.length && id !== SPECIAL_IDS.unk) continue;
      out.push(w);
    }
    return joinWords(out);
  }
}

/** Coverage figures of a tokenizer on a set of texts. */
export interface Coverage {
  /** Number of word tokens. */
  tokens: number;
  /** Fraction of word tokens that are in the vocabulary (not `<unk>`). */
  tokenCoverage: number;
  /** Fraction of texts in which every word is in the vocabulary. */
  fullyCoveredTexts: number;
}

/** Measures how much of `texts` a tokenizer covers. */
export function coverage(tok: WordTokenizer, texts: readonly string[]): Coverage {
  let tokens = 0;
  let known = 0;
  let full = 0;
  for (const t of texts) {
    const ids = tok.wordIds(t);
    const k = ids.filter((id) => id !== SPECIAL_IDS.unk).length;
    tokens += ids.length;
    known += k;
    if (k === ids.length) full++;
  }
  return {
    tokens,
    tokenCoverage: tokens === 0 ? 1 : known / tokens,
    fullyCoveredTexts: texts.length === 0 ? 1 : full / texts.length,
  };
}
