/**
 * The pretraining learning-rate schedule as a pure function of the run's flags, so a fresh
 * `npm run pretrain` with the flags a manifest records replays exactly the schedule the shipped
 * run followed, however many times it was stopped, re-planned or continued.
 *
 * Pieces, in order:
 * 1. base: linear warmup to `peakLr` over `warmup` steps, linear decay to 5% of it at `steps`;
 * 2. optional base re-plan: from `replanAt` decay linearly from the rate there to the floor at
 *    `replanSteps` (a run that could not reach `steps` in time still anneals);
 * 3. optional continuation (`continueTo` > 0): from the base's last step, a short re-warmup over
 *    `continueWarmup` steps from the annealed rate up to `continueLr`, then linear decay to 5% of
 *    `continueLr` at step `continueTo` (more training on an annealed checkpoint, the usual
 *    "re-warm, re-decay" continuation);
 * 4. optional continuation re-plans `[at, to]` (applied in order, `at` not decreasing): from `at`,
 *    decay linearly from the rate there to the continuation's floor at `to`, which becomes the last
 *    step (earlier or later than before: a re-plan fits the run to the time left).
 */

/** The schedule-related flags of a pretraining run. */
export interface LrPlan {
  steps: number;
  warmup: number;
  peakLr: number;
  replanAt: number;
  replanSteps: number;
  continueTo: number;
  continueLr: number;
  continueWarmup: number;
  continueReplans: [number, number][];
}

/** A schedule flag that breaks the plan's rules. */
export class SchedulePlanError extends Error {
  constructor(
    readonly field: string,
    readonly value: unknown,
    reason: string,
  ) {
    super(`${field} = ${JSON.stringify(value)}: ${reason}`);
    this.name = 'SchedulePlanError';
  }
}

const FLOOR = 0.05;

/** The last step of the base part (before any continuation). */
export function baseLastStep(p: LrPlan): number {
  return p.replanSteps > 0 ? p.replanSteps : p.steps;
}

/** The step the run ends at (number of updates in all). */
export function lastStep(p: LrPlan): number {
  const r = p.continueReplans.at(-1);
  if (r) return r[1];
  return p.continueTo > 0 ? p.continueTo : baseLastStep(p);
}

/** Throws {@link SchedulePlanError} if the plan is inconsistent. */
export function checkPlan(p: LrPlan): void {
  if (!(p.steps > p.warmup && p.warmup >= 1))
    throw new SchedulePlanError('steps', p.steps, 'must exceed warmup ≥ 1');
  if (p.replanSteps > 0 && !(p.replanAt > p.warmup && p.replanAt < p.replanSteps))
    throw new SchedulePlanError(
      'replanAt',
      p.replanAt,
      `must lie after the warmup and before replanSteps ${p.replanSteps}`,
    );
  const b = baseLastStep(p);
  if (p.continueTo > 0) {
    if (!(p.continueLr > 0)) throw new SchedulePlanError('continueLr', p.continueLr, 'must be > 0');
    if (!(p.continueWarmup >= 1 && p.continueTo > b + p.continueWarmup))
      throw new SchedulePlanError(
        'continueTo',
        p.continueTo,
        `must exceed the base's last step ${b} + continueWarmup ${p.continueWarmup} (≥ 1)`,
      );
  } else if (p.continueReplans.length > 0) {
    throw new SchedulePlanError('continueReplans', p.continueReplans, 'need a continuation');
  }
  let prevAt = b;
  for (const [at, to] of p.continueReplans) {
    if (!(at >= prevAt && at < to))
      throw new SchedulePlanError('continueReplans', [at, to], `need ${prevAt} ≤ at < to`);
    prevAt = at;
  }
}

function baseLr(p: LrPlan, step: number): number {
  if (p.replanSteps <= 0 || step < p.replanAt)
    return learningRate(step, p.steps, p.warmup, p.peakLr);
  const from = learningRate(p.replanAt, p.steps, p.warmup, p.peakLr);
  const frac = Math.min(1, (step - p.replanAt) / (p.replanSteps - p.replanAt));
  return from + (FLOOR * p.peakLr - from) * frac;
}

function continuedLr(p: LrPlan, step: number, replans: number): number {
  const b = baseLastStep(p);
  if (p.continueTo <= 0 || step < b) return baseLr(p, step);
  if (replans > 0) {
    const [at, to] = p.continueReplans[replans - 1] ?? [0, 0];
    if (step >= at) {
      const from = continuedLr(p, at, replans - 1);
      const frac = Math.min(1, (step - at) / (to - at));
      return from + (FLOOR * p.continueLr - from) * frac;
    }
    return continuedLr(p, step, replans - 1);
  }
  const k = step - b;
  if (k < p.continueWarmup) {
    const from = baseLr(p, b);
    return from + ((p.continueLr - from) * (k + 1)) / p.continueWarmup;
  }
  const frac = Math.min(1, (k - p.continueWarmup) / (p.continueTo - b - p.continueWarmup));
  return p.continueLr * (1 - (1 - FLOOR) * frac);
}

/** The learning rate of update `step` (0-based) under plan `p`. */
export function lrAt(p: LrPlan, step: number): number {
  return continuedLr(p, step, p.continueReplans.length);
}

/** The command-line flags that give plan `p` (for the manifest's reproduce command). */
export function planFlags(p: LrPlan): string[] {
  return [
    `--steps ${p.steps}`,
    `--lr ${p.peakLr}`,
    `--warmup ${p.warmup}`,
    ...(p.replanSteps > 0 ? [`--replan-at ${p.replanAt}`, `--replan-steps ${p.replanSteps}`] : []),
    ...(p.continueTo > 0
      ? [
          `--continue-to ${p.continueTo}`,
          `--continue-lr ${p.continueLr}`,
          `--continue-warmup ${p.continueWarmup}`,
        ]
      : []),
    ...(p.continueReplans.length > 0
      ? [`--continue-replans ${p.continueReplans.map(([a, t]) => `${a}:${t}`).join(',')}`]
      : []),
  ];
}

/** Parses `--continue-replans` ("at:to,at:to"; empty = none). */
export function parseReplans(s: string): [number, number][] {
  if (s.trim() === '') return [];
  return s.split(',').map((part) => {
    const [a, t, ...rest] = part.split(':').map(Number);
    if (
      a === undefined ||
      t === undefined ||
      rest.length > 0 ||
      !Number.isInteger(a) ||
      !Number.isInteger(t)
    )
      throw new SchedulePlanError(
        'continueReplans',
        s,
        'expected "at:to" pairs of integers, comma-separated',
      );
    return [a, t];
  });
}

/** A sentence describing plan `p` (manifest, /data page). */
export function describePlan(p: LrPlan): string {
  const parts = [
    `linear warmup over ${p.warmup} steps to ${p.peakLr}, linear decay planned to reach 5% at step ${p.steps}`,
  ];
  if (p.replanSteps > 0)
    parts.push(
      `re-planned at step ${p.replanAt} (the run could not reach ${p.steps} in the time available) to decay linearly from there to 5% at step ${p.replanSteps}`,
    );
  if (p.continueTo > 0)
    parts.push(
      `continued from the annealed step ${baseLastStep(p)}: re-warmup over ${p.continueWarmup} steps to ${p.continueLr}, linear decay planned to reach 5% of it at step ${p.continueTo}`,
    );
  for (const [at, to] of p.continueReplans)
    parts.push(
      `re-planned at step ${at} (to end in the time available) to decay linearly from there to 5% at step ${to}`,
    );
  return parts.join('; ');
}

/**
 * Whether a checkpoint made under plan `old` at step `done` is a prefix of a run under plan `next`:
 * every update so far used the rate `next` gives it. Then resuming under `next` gives the same
 * result as a fresh run with `next`'s flags.
 */
export function samePast(old: LrPlan, next: LrPlan, done: number): boolean {
  for (let s = 0; s < done; s++) if (lrAt(old, s) !== lrAt(next, s)) return false;
  return done <= lastStep(next);
}

/** Linear warmup to `peak` over `warmup` steps, then linear decay to `peak · floor` at `total`. */
export function learningRate(
  step: number,
  total: number,
  warmup: number,
  peak: number,
  floor = 0.05,
): number {
  if (step < warmup) return (peak * (step + 1)) / warmup;
  const frac = Math.min(1, (step - warmup) / Math.max(1, total - warmup));
  return peak * (1 - (1 - floor) * frac);
}
