/**
 * Parameter accounting: a per-parameter table and PEFT's summary line
 * `trainable params: N || all params: M || trainable%: P` (peft `print_trainable_parameters`:
 * thousands separators, P = 100·N/M with four decimals), for real models and shape-only specs.
 */

/** One row of the table. */
export interface ParamRow {
  /** Parameter name. */
  readonly name: string;
  /** 1 when an optimiser would update it, else 0. */
  readonly trainable: 0 | 1;
  /** Number of scalars. */
  readonly count: number;
}

/** Totals over a table. */
export interface ParamSummary {
  readonly trainable: number;
  readonly all: number;
  /** 100·trainable/all (0 for an empty model). */
  readonly percent: number;
}

/** Sums a table; each row counts once (tied parameters appear once in our tables). */
export function summarizeParams(rows: readonly ParamRow[]): ParamSummary {
  let trainable = 0;
  let all = 0;
  for (const r of rows) {
    all += r.count;
    if (r.trainable === 1) trainable += r.count;
  }
  return { trainable, all, percent: all === 0 ? 0 : (100 * trainable) / all };
}

/** `1234567` → `1,234,567`. */
export function withThousands(n: number): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: 0 });
}

/** PEFT's line: `trainable params: 887,042 || all params: 124,942,082 || trainable%: 0.7100`. */
export function formatSummary(s: ParamSummary): string {
  return `trainable params: ${withThousands(s.trainable)} || all params: ${withThousands(s.all)} || trainable%: ${s.percent.toFixed(4)}`;
}

/** A plain-text table `name  trainable  count`, one row per parameter, aligned. */
export function formatParamTable(rows: readonly ParamRow[]): string {
  const w = Math.max(4, ...rows.map((r) => r.name.length));
  const head = `${'name'.padEnd(w)}  trainable  ${'count'.padStart(12)}`;
  const lines = rows.map(
    (r) =>
      `${r.name.padEnd(w)}  ${String(r.trainable).padStart(9)}  ${withThousands(r.count).padStart(12)}`,
  );
  return [head, ...lines].join('\n');
}

/** Product of a shape's dimensions. */
export function shapeSize(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Rows of anything that lists its parameters (a model or a PeftModel). */
export function parameterRows(model: {
  namedParameters(): readonly { name: string; variable: { size: number }; trainable: boolean }[];
}): ParamRow[] {
  return model
    .namedParameters()
    .map((p) => ({ name: p.name, trainable: p.trainable ? 1 : 0, count: p.variable.size }));
}
