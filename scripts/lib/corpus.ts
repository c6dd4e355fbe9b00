/**
 * Builds the pretraining corpus: documents → sentences → word tokens → segments of at most
 * `maxWords` words (consecutive sentences of one document packed together), with a held-out slice
 * of documents for masked-token accuracy, and decontamination against the UCI sentences.
 */
import { fnv1a32, splitWords } from '../../src/core/data/index.ts';
import type { TextSource } from './sources.ts';

/** Word tokens are interned to provisional ids while reading; the vocabulary is chosen later. */
export class Interner {
  readonly ids = new Map<string, number>();
  readonly words: string[] = [];
  counts = new Float64Array(1 << 16);

  id(word: string): number {
    let i = this.ids.get(word);
    if (i === undefined) {
      i = this.words.length;
      this.ids.set(word, i);
      this.words.push(word);
      if (i >= this.counts.length) {
        const c = new Float64Array(this.counts.length * 2);
        c.set(this.counts);
        this.counts = c;
      }
    }
    return i;
  }
}

/** A growable Int32 buffer with segment offsets. */
export class Segments {
  data = new Int32Array(1 << 20);
  length = 0;
  readonly starts: number[] = [];
  readonly ends: number[] = [];

  push(ids: readonly number[]): void {
    while (this.length + ids.length > this.data.length) {
      const d = new Int32Array(this.data.length * 2);
      d.set(this.data);
      this.data = d;
    }
    this.starts.push(this.length);
    this.data.set(ids, this.length);
    this.length += ids.length;
    this.ends.push(this.length);
  }

  get count(): number {
    return this.starts.length;
  }

  get(i: number): Int32Array {
    return this.data.subarray(this.starts[i], this.ends[i]);
  }

  /** Rewrites every id through `map` (provisional → final vocabulary ids). */
  remap(map: Int32Array): void {
    for (let i = 0; i < this.length; i++) this.data[i] = map[this.data[i] ?? 0] ?? 0;
  }
}

const SENTENCE_END = /(?<=[.!?]["')\]]?)\s+(?=["'([]?[A-Z0-9])|\n\s*\n/;

/** Splits prose into sentences (a heuristic: end mark, space, capital; or a blank line). */
export function splitSentences(text: string): string[] {
  return text
    .split(SENTENCE_END)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** Per-source statistics for the manifest. */
export interface SourceStats {
  documents: number;
  characters: number;
  words: number;
  trainSegments: number;
  heldOutSegments: number;
  /** Documents dropped because they contain a UCI sentence verbatim (decontamination). */
  droppedDocuments: number;
}

/** Finds whole UCI sentences (as word sequences) inside a document's words. */
export class SentenceMatcher {
  private readonly byKey = new Map<string, string[][]>();
  private readonly keyLens = new Set<number>();

  constructor(sentences: readonly string[]) {
    for (const s of sentences) {
      const w = splitWords(s);
      if (w.length === 0) continue;
      const k = Math.min(3, w.length);
      this.keyLens.add(k);
      const key = w.slice(0, k).join(' ');
      const list = this.byKey.get(key) ?? [];
      list.push(w);
      this.byKey.set(key, list);
    }
  }

  /** The first UCI sentence occurring in `words`, or undefined. */
  find(words: readonly string[]): string[] | undefined {
    for (let i = 0; i < words.length; i++) {
      for (const k of this.keyLens) {
        if (i + k > words.length) continue;
        const cands = this.byKey.get(words.slice(i, i + k).join(' '));
        if (!cands) continue;
        for (const c of cands) {
          if (i + c.length <= words.length && c.every((w, j) => words[i + j] === w)) return c;
        }
      }
    }
    return undefined;
  }
}

/** Options for {@link buildCorpus}. */
export interface CorpusOptions {
  /** Words per segment at most (sequence length minus `<s>` and `</s>`). */
  maxWords: number;
  /** One document in `heldOutEvery` (by a hash of its text) goes to the held-out slice. */
  heldOutEvery: number;
  /** Sources whose documents must not contain any of `contaminants` (dropped if they do). */
  decontaminate: ReadonlySet<TextSource['id']>;
  /** Sentences that must not occur in decontaminated sources (all 3,000 UCI sentences). */
  contaminants: readonly string[];
  /** Sources whose documents are already single sentences (UCI): one segment each, never held out. */
  sentenceSources: ReadonlySet<TextSource['id']>;
}

/** The corpus: segments of provisional ids per source, for training and held out. */
export interface Corpus {
  interner: Interner;
  train: Map<TextSource['id'], Segments>;
  heldOut: Map<TextSource['id'], Segments>;
  stats: Map<TextSource['id'], SourceStats>;
}

/** Reads every source into segments; counts words of the training part only (for the vocabulary). */
export function buildCorpus(
  sources: readonly TextSource[],
  opts: CorpusOptions,
  log: (s: string) => void,
): Corpus {
  const interner = new Interner();
  const matcher = new SentenceMatcher(opts.contaminants);
  const corpus: Corpus = { interner, train: new Map(), heldOut: new Map(), stats: new Map() };
  for (const src of sources) {
    const t0 = Date.now();
    const train = new Segments();
    const held = new Segments();
    const st: SourceStats = {
      documents: 0,
      characters: 0,
      words: 0,
      trainSegments: 0,
      heldOutSegments: 0,
      droppedDocuments: 0,
    };
    const isSentences = opts.sentenceSources.has(src.id);
    for (const doc of src.documents()) {
      const sentences = isSentences ? [doc] : splitSentences(doc);
      const words = sentences.map((s) => splitWords(s));
      if (opts.decontaminate.has(src.id) && matcher.find(words.flat()) !== undefined) {
        st.droppedDocuments++;
        continue;
      }
      st.documents++;
      st.characters += doc.length;
      const heldOut = !isSentences && fnv1a32(doc) % opts.heldOutEvery === 0;
      const out = heldOut ? held : train;
      let seg: number[] = [];
      const flush = () => {
        if (seg.length > 0) out.push(seg);
        seg = [];
      };
      for (const ws of words) {
        st.words += ws.length;
        const ids = ws.map((w) => interner.id(w));
        if (!heldOut) for (const id of ids) interner.counts[id] = (interner.counts[id] ?? 0) + 1;
        if (seg.length + ids.length > opts.maxWords) flush();
        for (let i = 0; i < ids.length; i += opts.maxWords) {
          const piece = ids.slice(i, i + opts.maxWords);
          if (seg.length + piece.length > opts.maxWords) flush();
          seg.push(...piece);
        }
        if (isSentences) flush();
      }
      flush();
    }
    st.trainSegments = train.count;
    st.heldOutSegments = held.count;
    corpus.train.set(src.id, train);
    corpus.heldOut.set(src.id, held);
    corpus.stats.set(src.id, st);
    log(
      `corpus ${src.id}: ${st.documents} docs (${st.droppedDocuments} dropped), ${st.words} words, ${train.count} train / ${held.count} held-out segments, ${Date.now() - t0} ms`,
    );
  }
  return corpus;
}
