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

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isNumberArray(value: unknown): boolean {
  const arr =
    Array.isArray(value) || ArrayBuffer.isView(value)
      ? Array.from(value as ArrayLike<unknown>)
      : null;
  return (
    arr !== null &&
    arr.every(
      (v) => v === null || typeof v === 'number' || typeof v === 'string' || v instanceof Date,
    )
  );
}

/** Throws a descriptive error when a figure would not render with the basic bundle. */
export function validateFigure(method: string, data: unknown, layout: unknown): RecordedFigure {
  if (!Array.isArray(data))
    throw new TypeError(`Plotly.${method}: data must be an array of traces, got ${typeof data}`);
  data.forEach((trace: unknown, i) => {
    if (!isRecord(trace))
      throw new TypeError(`Plotly.${method}: trace ${String(i)} is not an object`);
    const type = trace['type'] ?? 'scatter';
    if (typeof type !== 'string' || !(BASIC_TRACE_TYPES as readonly string[]).includes(type)) {
      throw new TypeError(
        `Plotly.${method}: trace ${String(i)} has type ${JSON.stringify(type)}, which the basic bundle lacks (has ${BASIC_TRACE_TYPES.join(', ')})`,
      );
    }
    for (const key of ['x', 'y', 'values']) {
      if (key in trace && !isNumberArray(trace[key])) {
        throw new TypeError(
          `Plotly.${method}: trace ${String(i)}.${key} must be an array of numbers or labels`,
        );
      }
    }
    if (
      type !== 'pie' &&
      Array.isArray(trace['x']) &&
      Array.isArray(trace['y']) &&
      trace['x'].length !== trace['y'].length
    ) {
      throw new RangeError(
        `Plotly.${method}: trace ${String(i)} has ${String(trace['x'].length)} x values but ${String(trace['y'].length)} y values`,
      );
    }
  });
  if (layout !== undefined && !isRecord(layout))
    throw new TypeError(`Plotly.${method}: layout must be an object`);
  return {
    method,
    data: data as Record<string, unknown>[],
    layout: (layout ?? {}) as Record<string, unknown>,
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
      node.dataset['plotlyStandIn'] = String(figures.length);
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
