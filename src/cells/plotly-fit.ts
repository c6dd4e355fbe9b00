/**
 * The `Plotly` built-in's defaults for figures drawn in a cell (pure: no DOM).
 *
 * - **Fit the cell.** `Plotly.newPlot` and `Plotly.react` draw a figure no wider than the space it
 *   has (the cell's output width, client/width.ts): a layout `width` above it is lowered to it, and
 *   a layout without one gets it (Plotly would otherwise take 700 px for a plot made in a detached
 *   `<div>`, as cells do). Lessons write `width: Math.min(width, 680)`; on a 390-px phone the
 *   cell has 321 px.
 * - **Log axes say their numbers.** A log axis without ticks of its own gets ticks at 1, 2, 5 × 10ⁿ
 *   (or at powers of ten over 2.5 decades and more), each labelled in full, instead of
 *   Plotly's minor-digit labels ("3 4 5 … 100 2 3").
 *
 * The caller's layout is never changed: a copy is passed on.
 */

type Layout = Record<string, unknown>;

/** A figure narrower than this (px) gets fewer log-axis labels. */
export const NARROW_FIGURE = 480;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The positive finite numbers of an array-like of data values. */
function positives(values: unknown): number[] {
  if (!Array.isArray(values) && !ArrayBuffer.isView(values)) return [];
  return Array.from(values as ArrayLike<unknown>).filter(
    (v): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0,
  );
}

/** Formats a tick value in full: 0.05, 2, 500, 20,000. */
export function tickLabel(value: number): string {
  const rounded = Number(value.toPrecision(6));
  return rounded >= 1000
    ? rounded.toLocaleString('en')
    : String(rounded < 1 ? Number(rounded.toPrecision(3)) : rounded);
}

/**
 * Tick values for a log axis over the data range [lo, hi] (both > 0): 1, 2, 5 × 10ⁿ over less than
 * two and a half decades, powers of ten beyond; the ticks just outside the range are included, so the
 * range's ends are labelled.
 */
export function logTicks(lo: number, hi: number, narrow = false): number[] {
  if (!(lo > 0) || !(hi >= lo)) return [];
  const first = Math.floor(Math.log10(lo));
  const last = Math.ceil(Math.log10(hi));
  const span = Math.log10(hi / lo);
  // A narrow figure (a phone) has room for fewer labels: 1, 3 × 10ⁿ over more than a decade.
  const steps = span >= 2.5 ? [1] : narrow && span > 1 ? [1, 3] : [1, 2, 5];
  const all: number[] = [];
  for (let e = first; e <= last; e++) {
    for (const m of steps) all.push(Number((m * 10 ** e).toPrecision(12)));
  }
  const below = all.filter((v) => v <= lo).at(-1) ?? all[0];
  const above = all.find((v) => v >= hi) ?? all.at(-1);
  return all.filter((v) => below !== undefined && above !== undefined && v >= below && v <= above);
}

/** Which data key of a trace an axis layout key reads: `xaxis2` → traces with `xaxis: 'x2'`. */
function axisData(axisKey: string, data: readonly unknown[]): number[] {
  const letter = axisKey[0] as 'x' | 'y';
  const id = `${letter}${axisKey.slice(5)}`; // 'xaxis' → 'x', 'xaxis2' → 'x2'
  const values: number[] = [];
  for (const trace of data) {
    if (!isRecord(trace)) continue;
    const on = typeof trace[`${letter}axis`] === 'string' ? trace[`${letter}axis`] : letter;
    if (on === id) for (const v of positives(trace[letter])) values.push(v);
  }
  return values;
}

/** A log axis layout with full-number ticks, unless it sets its own ticks. */
function logAxis(
  narrow: boolean,
  axis: Record<string, unknown>,
  values: readonly number[],
): Record<string, unknown> {
  if (axis.type !== 'log' || values.length === 0) return axis;
  if (['dtick', 'tickvals', 'tickmode', 'ticktext', 'tickformat'].some((k) => k in axis)) {
    return axis;
  }
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const ticks = logTicks(lo, hi, narrow);
  if (ticks.length < 2) return axis;
  return { ...axis, tickmode: 'array', tickvals: ticks, ticktext: ticks.map(tickLabel) };
}

/** The layout a figure is drawn with: at most `available` px wide, log axes labelled in full. */
export function fitLayout(layout: unknown, data: unknown, available: number | null): Layout {
  const out: Layout = isRecord(layout) ? { ...layout } : {};
  if (available !== null && available > 0) {
    const w = out.width;
    if (typeof w !== 'number' || !Number.isFinite(w) || w > available) out.width = available;
  }
  const traces = Array.isArray(data) ? (data as unknown[]) : [];
  const width = out.width;
  const narrow = typeof width === 'number' && width < NARROW_FIGURE;
  for (const [key, axis] of Object.entries(out)) {
    if (/^[xy]axis\d*$/.test(key) && isRecord(axis)) {
      out[key] = logAxis(narrow, axis, axisData(key, traces));
    }
  }
  return out;
}

/** The arguments of `newPlot`/`react` with the layout fitted (both call forms). */
export function fitPlotArgs(args: readonly unknown[], available: number | null): unknown[] {
  const [gd, data, layout, ...rest] = args;
  // Plotly.newPlot(gd, {data, layout, config}): one figure object.
  if (isRecord(data) && layout === undefined) {
    return [gd, { ...data, layout: fitLayout(data.layout, data.data, available) }, ...rest];
  }
  return [gd, data, fitLayout(layout, data, available), ...rest];
}

/**
 * `plotly` with `newPlot` and `react` fitting each figure to `available(gd)` px (null: no limit);
 * everything else is Plotly's own.
 */
export function fitPlotly<T extends object>(
  plotly: T,
  available: (gd: unknown) => number | null,
): T {
  const fitted = Object.create(plotly) as Record<string, unknown>;
  for (const method of ['newPlot', 'react'] as const) {
    const original = (plotly as Record<string, unknown>)[method];
    if (typeof original !== 'function') continue;
    fitted[method] = (...args: unknown[]): unknown =>
      (original as (...a: unknown[]) => unknown).apply(
        plotly,
        fitPlotArgs(args, available(args[0])),
      );
  }
  return fitted as T;
}
