/**
 * K-fold cross-validation splits of the UCI sentences, for an evaluation that tests on all of
 * them instead of the shipped split's 300 (scripts/pretrain-eval.ts `--folds`).
 *
 * Folds are stratified like the shipped split (src/core/data/sentiment.ts): within each
 * (site, label) stratum the sentences are ordered by the same seeded hash of their normalised
 * text, and the i-th goes to fold i mod K. Fold k is the test set, fold k+1 (mod K) the
 * validation set, the rest the training set: with K = 10, about 300 / 300 / 2,380 sentences, the
 * shipped split's sizes. Every sentence is tested exactly once per pass of K runs.
 */
import {
  DEFAULT_SPLIT_SEED,
  hashedStrata,
  type SentimentExample,
  type SentimentSplit,
} from '../../src/core/data/index.ts';

/** Fold of every sentence (0 … k−1), stratified by site and label. */
export function assignFolds(
  examples: readonly SentimentExample[],
  k: number,
  seed = DEFAULT_SPLIT_SEED,
): Map<SentimentExample, number> {
  if (!Number.isInteger(k) || k < 3)
    throw new Error(`folds: expected a whole number ≥ 3, got ${k}`);
  const fold = new Map<SentimentExample, number>();
  for (const stratum of hashedStrata(examples, seed))
    stratum.examples.forEach((e, i) => fold.set(e, i % k));
  if (fold.size !== examples.length)
    throw new Error(`folds: ${examples.length - fold.size} sentences have an unknown site`);
  return fold;
}

/** The split of fold `f`: test = fold f, validation = fold f+1 (mod k), train = the rest. */
export function foldSplit(
  examples: readonly SentimentExample[],
  folds: ReadonlyMap<SentimentExample, number>,
  k: number,
  f: number,
): SentimentSplit {
  if (!Number.isInteger(f) || f < 0 || f >= k)
    throw new Error(`fold: expected 0…${k - 1}, got ${f}`);
  const of = (e: SentimentExample): number => folds.get(e) ?? -1;
  return {
    seed: DEFAULT_SPLIT_SEED,
    test: examples.filter((e) => of(e) === f),
    validation: examples.filter((e) => of(e) === (f + 1) % k),
    train: examples.filter((e) => of(e) !== f && of(e) !== (f + 1) % k),
  };
}
