/**
 * Learning-rate schedules as plain functions of the 0-based step: linear warm-up (Goyal et al.
 * 2017) then constant, linear or cosine (Loshchilov & Hutter 2017, SGDR) decay — the shapes of
 * Hugging Face's `get_linear_schedule_with_warmup` / `get_cosine_schedule_with_warmup`.
 */

/** Options of {@link warmupDecay}. */
export interface ScheduleOptions {
  /** Peak learning rate, reached at the end of warm-up. */
  readonly peak: number;
  /** Steps of linear warm-up from 0 (default 0). */
  readonly warmupSteps?: number;
  /** Total steps; decay reaches `peak·minRatio` here. */
  readonly totalSteps: number;
  /** Shape after warm-up (default 'linear'). */
  readonly decay?: 'constant' | 'linear' | 'cosine';
  /** Final learning rate as a fraction of peak (default 0). */
  readonly minRatio?: number;
}

/** Thrown for an invalid schedule option (names the field and value). */
export class ScheduleError extends Error {
  override readonly name = 'ScheduleError';
  constructor(
    readonly field: string,
    readonly value: unknown,
    reason: string,
  ) {
    super(`${field} = ${String(value)}: ${reason}`);
  }
}

/**
 * A schedule `step ↦ lr`: `peak·(step+1)/warmupSteps` during warm-up, then decays to
 * `peak·minRatio` at `totalSteps` (and stays there after).
 */
export function warmupDecay(o: ScheduleOptions): (step: number) => number {
  const warm = o.warmupSteps ?? 0;
  const minRatio = o.minRatio ?? 0;
  const decay = o.decay ?? 'linear';
  if (!(o.peak >= 0)) throw new ScheduleError('peak', o.peak, 'must be ≥ 0');
  if (!Number.isInteger(o.totalSteps) || o.totalSteps <= 0)
    throw new ScheduleError('totalSteps', o.totalSteps, 'must be a positive integer');
  if (!Number.isInteger(warm) || warm < 0 || warm > o.totalSteps)
    throw new ScheduleError('warmupSteps', warm, `must be an integer in [0, ${o.totalSteps}]`);
  if (!(minRatio >= 0 && minRatio <= 1))
    throw new ScheduleError('minRatio', minRatio, 'must be in [0, 1]');
  return (step: number): number => {
    if (step < warm) return (o.peak * (step + 1)) / warm;
    if (decay === 'constant') return o.peak;
    const span = Math.max(1, o.totalSteps - warm);
    const progress = Math.min(1, (step - warm) / span);
    const shape = decay === 'linear' ? 1 - progress : 0.5 * (1 + Math.cos(Math.PI * progress));
    return o.peak * (minRatio + (1 - minRatio) * shape);
  };
}
