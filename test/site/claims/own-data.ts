/**
 * Claims of lessons/own-data.mdx: none. Audited: every number on the page is computed by its own
 * cells from the reader's data and run (counts, split, accuracies, the majority-class score), or
 * is a setting (the training lesson's defaults), or is a fact of the shipped example data (the
 * 2,979 distinct UCI sentences of data/sentiment.json, cited where used). No sentence rests on a results file.
 */
import type { Claim } from './claim.ts';

export const claims: readonly Claim[] = [];
