/**
 * Masked-language-model batches (Devlin et al. 2019, BERT §3.1; RoBERTa's dynamic masking): each
 * word position is chosen with probability `maskProb` (at least one per sequence); a chosen token is
 * replaced by `<mask>` 80% of the time, by a random word 10%, and left unchanged 10%. The loss is
 * taken only at chosen positions, so the batch lists them (flat indices) with their true ids.
 */
import { Rng } from '../rng.ts';
import { DataError } from './errors.ts';
import { SPECIAL_IDS, SPECIAL_TOKENS, type WordTokenizer } from './tokenizer.ts';

/** Options for {@link makeMlmBatch}. */
export interface MlmOptions {
  /** Sequence length including `<s>` and `</s>`. */
  maxLen: number;
  /** Vocabulary size; random replacements are drawn from the non-special ids. */
  vocabSize: number;
  /** Probability that a word position is chosen for prediction. Default 0.15 (BERT). */
  maskProb?: number;
  /** Uniform [0, 1) generator; pass a seeded one for reproducible batches. */
  rand: () => number;
}

/** One MLM batch, flattened row-major `[batch, maxLen]`. */
export interface MlmBatch {
  batch: number;
  maxLen: number;
  /** Corrupted input ids `[batch · maxLen]`. */
  inputIds: Int32Array;
  /** 1 at real tokens, 0 at padding `[batch · maxLen]`. */
  attentionMask: Int32Array;
  /** Flat positions `b · maxLen + t` whose original token must be predicted. */
  maskedPositions: Int32Array;
  /** The original ids at {@link maskedPositions}. */
  maskedLabels: Int32Array;
}

/** Builds an MLM batch from word-id segments (no special tokens; longer ones are truncated). */
export function makeMlmBatch(segments: readonly ArrayLike<number>[], opts: MlmOptions): MlmBatch {
  const { maxLen, vocabSize, maskProb = 0.15, rand } = opts;
  if (!Number.isInteger(maxLen) || maxLen < 3)
    throw new DataError('maxLen', `must be an integer >= 3, got ${maxLen}`);
  if (!(maskProb > 0 && maskProb < 1))
    throw new DataError('maskProb', `must be in (0, 1), got ${maskProb}`);
  if (!Number.isInteger(vocabSize) || vocabSize <= SPECIAL_TOKENS.length)
    throw new DataError('vocabSize', `must exceed ${SPECIAL_TOKENS.length}, got ${vocabSize}`);
  const batch = segments.length;
  const inputIds = new Int32Array(batch * maxLen).fill(SPECIAL_IDS.pad);
  const attentionMask = new Int32Array(batch * maxLen);
  const positions: number[] = [];
  const labels: number[] = [];
  const nWords = vocabSize - SPECIAL_TOKENS.length;
  segments.forEach((seg, b) => {
    const n = Math.min(seg.length, maxLen - 2);
    if (n < 1)
      throw new DataError(`segments[${b}]`, 'is empty; every segment needs at least one word');
    const row = b * maxLen;
    inputIds[row] = SPECIAL_IDS.bos;
    for (let t = 0; t < n; t++) inputIds[row + 1 + t] = seg[t] ?? SPECIAL_IDS.unk;
    inputIds[row + n + 1] = SPECIAL_IDS.eos;
    attentionMask.fill(1, row, row + n + 2);
    const chosen: number[] = [];
    for (let t = 1; t <= n; t++) if (rand() < maskProb) chosen.push(t);
    if (chosen.length === 0) chosen.push(1 + Math.floor(rand() * n));
    for (const t of chosen) {
      const p = row + t;
      positions.push(p);
      labels.push(inputIds[p] ?? SPECIAL_IDS.unk);
      const r = rand();
      if (r < 0.8) inputIds[p] = SPECIAL_IDS.mask;
      else if (r < 0.9) inputIds[p] = SPECIAL_TOKENS.length + Math.floor(rand() * nWords);
    }
  });
  return {
    batch,
    maxLen,
    inputIds,
    attentionMask,
    maskedPositions: Int32Array.from(positions),
    maskedLabels: Int32Array.from(labels),
  };
}

/**
 * Masked-LM batches of `texts` (15% of words chosen, BERT's 80/10/10), fixed by `seed`: how the
 * lessons measure what a model still knows of its pretraining task (after fine-tuning, after
 * quantisation) on sentences they already hold.
 */
export function mlmBatches(
  tokenizer: WordTokenizer,
  texts: readonly string[],
  maxLen: number,
  seed: number,
  batchSize = 50,
): MlmBatch[] {
  const rng = new Rng(seed).fork('mlm');
  const segments = texts.map((t) => tokenizer.wordIds(t)).filter((s) => s.length > 0);
  const out: MlmBatch[] = [];
  for (let i = 0; i < segments.length; i += batchSize)
    out.push(
      makeMlmBatch(segments.slice(i, i + batchSize), {
        maxLen,
        vocabSize: tokenizer.size,
        rand: () => rng.next(),
      }),
    );
  return out;
}
