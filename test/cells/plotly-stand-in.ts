/**
 * A recording stand-in for Plotly, used when lesson cells run in Node (jsdom). Real Plotly needs
 * a real browser (layout, SVG measuring, WebGL) and is exercised by the browser e2e tests; here
 * we check that every figure a cell draws is well-formed for the bundle the site ships
 * (plotly.js-basic-dist-min: scatter, bar and pie traces only) and return a DOM node, so the
 * cell's own code runs to the end.
 */

/** Trace types in plotly.js-basic-dist-min 4.1 (read from the bundle's registered modules). */
export const BASIC_TRACE_TYPES = ['scatter', 'bar', 'pie'] as const;

export interface RecordedFigure {
  readonly method: string;
  readonly data: readonly Record<string, unknown>[];
  readonly layout: Record<string, unknown>;
}

interface Trace {
  readonly type?: unknown;
  readonly x?: unknown;
  readonly y?: unknown;
  readonly values?: unknown;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isNumberArray(value: unknown): boolean {
  if (!Array.isArray(value) && !ArrayBuffer.isView(value)) return false;
  return Array.from(value as ArrayLike<unknown>).every(
    (v) => v === null || typeof v === 'number' || typeof v === 'string' || v instanceof Date,
  );
}

/** Throws a descriptive error when a figure would not render with the basic bundle. */
export function validateFigure(method: string, data: unknown, layout: unknown): RecordedFigure {
  if (!Array.isArray(data))
    throw new TypeError(`Plotly.${method}: data must be an array of traces, got ${typeof data}`);
  data.forEach((trace: unknown, i) => {
    if (!isRecord(trace))
      throw new TypeError(`Plotly.${method}: trace ${String(i)} is not an object`);
    const t: Trace = trace;
    const type = t.type ?? 'scatter';
    if (typeof type !== 'string' || !(BASIC_TRACE_TYPES as readonly string[]).includes(type)) {
      throw new TypeError(
        `Plotly.${method}: trace ${String(i)} has type ${JSON.stringify(type)}, which the basic bundle lacks (has ${BASIC_TRACE_TYPES.join(', ')})`,
      );
    }
    for (const key of ['x', 'y', 'values'] as const) {
      if (key in t && !isNumberArray(t[key])) {
        throw new TypeError(
          `Plotly.${method}: trace ${String(i)}.${key} must be an array of numbers or labels`,
        );
      }
    }
    if (type !== 'pie' && Array.isArray(t.x) && Array.isArray(t.y) && t.x.length !== t.y.length) {
      throw new RangeError(
        `Plotly.${method}: trace ${String(i)} has ${String(t.x.length)} x values but ${String(t.y.length)} y values`,
      );
    }
  });
  if (layout !== undefined && !isRecord(layout))
    throw new TypeError(`Plotly.${method}: layout must be an object`);
  return {
    method,
    data: data as Record<string, unknown>[],
    layout: layout ?? {},
  };
}

/** A Plotly-shaped object recording each figure in `figures`. */
export function createPlotlyStandIn() {
  const figures: RecordedFigure[] = [];
  const draw =
    (method: string) =>
    (target: unknown, data: unknown, layout?: unknown): Promise<HTMLElement> => {
      const node = typeof target === 'string' ? document.getElementById(target) : target;
      if (!(node instanceof HTMLElement)) {
        return Promise.reject(
          new TypeError(`Plotly.${method}: the first argument must be an element or its id`),
        );
      }
      figures.push(validateFigure(method, data, layout));
      node.setAttribute('data-plotly-stand-in', String(figures.length));
      return Promise.resolve(node);
    };
  return {
    figures,
    plotly: {
      newPlot: draw('newPlot'),
      react: draw('react'),
      purge: (): void => undefined,
      Plots: { resize: (): void => undefined },
    },
  };
}
