/**
 * Checks shared by the lessons' sentences about models/tiny-roberta/eval-gap.json: where LoRA's
 * gap to full fine-tuning comes from (scripts/pretrain-eval.ts, arms named as it records them).
 */
import { all, pct, rounds, type Results } from './claim.ts';

/** The results file, relative to `public/`. */
export const EVAL_GAP = 'models/tiny-roberta/eval-gap.json';

/** Arm names as pretrain:eval records them (LoRA r=8's name holds dots, so no `at` paths). */
export const ARMS = {
  full: 'full/pretrained:mean',
  lora2: 'lora/pretrained:mean',
  lora8: 'lora-r8-query+key+value+output.dense+intermediate.dense/pretrained:mean',
  body: 'body/pretrained:mean',
} as const;

interface ArmSummary {
  n: number;
  test: { mean: number; sd: number };
  testCi95?: { low: number; high: number };
}

/** One arm's summary (throws naming the arm when it is missing). */
export function summaryOf(r: Results, arm: string): ArmSummary {
  const s = (r.summary as Record<string, ArmSummary> | undefined)?.[arm];
  if (!s) throw new Error(`no summary for ${arm}`);
  return s;
}

/** Arms with an adapter on the word-embedding table too (PEFT's lora_embedding_A/B). */
export const EMBEDDING_ARMS = {
  lora2: 'lora-r2-query+value+word_embeddings/pretrained:mean',
  lora8: 'lora-r8-query+key+value+output.dense+intermediate.dense+word_embeddings/pretrained:mean',
} as const;

/**
 * The frozen probe over every sentence once (10 folds): the MLM-trained encoder's features
 * against those of its start before MLM (GloVe rows, random layers).
 */
export const PROBE = { mlm: 'frozen/pretrained@cv10', glove: 'frozen/glove@cv10' } as const;

/** The paired 95% interval of `a − b` as recorded (in accuracy, not percent). */
export function gapBetween(
  r: Results,
  a: string,
  b: string,
): { estimate: number; low: number; high: number } {
  const g = (
    r.gaps as Record<string, { estimate: number; low: number; high: number }> | undefined
  )?.[`${a} − ${b}`];
  if (!g) throw new Error(`no gap for ${a} − ${b}`);
  return g;
}

/** The paired 95% interval of `arm − full` (in accuracy, not percent). */
export function gapOf(r: Results, arm: string): { estimate: number; low: number; high: number } {
  return gapBetween(r, arm, ARMS.full);
}

/** `null` when the arm's test mean ± sd round to the stated percentages over `n` seeds. */
export function armIs(r: Results, arm: string, mean: number, sd: number, n = 5): string | null {
  return all(meanIs(r, arm, mean, n), rounds(`${arm} sd`, pct(summaryOf(r, arm).test.sd), sd, 1));
}

/** `null` when arm `a` does no better than arm `b` (its mean is not above b's). */
export function noBetter(r: Results, a: string, b: string): string | null {
  const x = summaryOf(r, a).test.mean;
  const y = summaryOf(r, b).test.mean;
  return x <= y ? null : `${a} (${pct(x)}%) is above ${b} (${pct(y)}%)`;
}

/** `null` when full fine-tuning is ahead of `arm` beyond the paired interval (its high end < 0). */
export function fullAhead(r: Results, arm: string): string | null {
  const g = gapOf(r, arm);
  return g.high < 0 ? null : `${arm} − full: the 95% interval reaches ${pct(g.high)} points`;
}

/**
 * The same arms over every sentence of the task (`--folds 10`): each pass of ten seeds tests
 * every sentence once; records named `<arm>@cv10`.
 */
export const CV = {
  full: `${ARMS.full}@cv10`,
  lora2: `${ARMS.lora2}@cv10`,
  lora8: `${ARMS.lora8}@cv10`,
} as const;

/** `null` when `arm`'s mean test accuracy rounds to `mean` (one decimal) over `n` runs. */
export function meanIs(r: Results, arm: string, mean: number, n: number): string | null {
  const s = summaryOf(r, arm);
  return all(rounds(`${arm} mean`, pct(s.test.mean), mean, 1), rounds(`${arm} runs`, s.n, n));
}

/**
 * `null` when full fine-tuning's lead over `arm` over every sentence (`CV.full − arm`, in points)
 * rounds to `gap`, with its paired 95% interval `low` to `high`.
 */
export function cvLeadIs(
  r: Results,
  arm: string,
  gap: number,
  low: number,
  high: number,
): string | null {
  const g = gapBetween(r, arm, CV.full);
  return all(
    rounds(`${arm} lead`, -pct(g.estimate), gap, 1),
    rounds(`${arm} lead, low end`, -pct(g.high), low, 1),
    rounds(`${arm} lead, high end`, -pct(g.low), high, 1),
  );
}

/** Another encoder's evaluation over every sentence, kept with its evidence (not served). */
export const EVIDENCE = {
  l6: 'docs/evidence/pretraining-size/l6s-cv10.json',
  l6Manifest: 'docs/evidence/pretraining-size/manifest-l6s.json',
  l4v8: 'docs/evidence/pretraining-vocab/l4v8-cv10.json',
  l4v8Manifest: 'docs/evidence/pretraining-vocab/manifest-l4v8.json',
} as const;

/** Two-sided 95% t quantiles by degrees of freedom (the run counts these files hold). */
const T95: Readonly<Record<number, number>> = { 9: 2.262, 19: 2.093 };

/**
 * `arm`'s test accuracy in `a` minus in `b`, paired by seed (same fold, same seed: the same
 * training and test sentences, another encoder), in points, with its 95% t interval.
 */
export function pairedBySeed(
  a: Results,
  b: Results,
  arm: string,
): { mean: number; low: number; high: number; n: number } {
  const bySeed = (r: Results) =>
    new Map(
      (r.runs as { arm: string; seed: number; test: number }[])
        .filter((x) => x.arm === arm)
        .map((x) => [x.seed, 100 * x.test]),
    );
  const [x, y] = [bySeed(a), bySeed(b)];
  const d = [...x].flatMap(([seed, v]) => {
    const w = y.get(seed);
    return w === undefined ? [] : [v - w];
  });
  const t = T95[d.length - 1];
  if (t === undefined) throw new Error(`${arm}: ${String(d.length)} paired runs (no t quantile)`);
  const mean = d.reduce((s, v) => s + v, 0) / d.length;
  const sd = Math.sqrt(d.reduce((s, v) => s + (v - mean) ** 2, 0) / (d.length - 1));
  const half = (t * sd) / Math.sqrt(d.length);
  return { mean, low: mean - half, high: mean + half, n: d.length };
}
