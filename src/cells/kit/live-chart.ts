/**
 * A light line chart in SVG for curves that grow while a run trains: one `<path>` and a label, so
 * a redraw costs well under a millisecond and the page stays responsive even on a busy machine
 * (Plotly's draw is a long main-thread task). The x axis runs from 0 to `xMax`; the y axis from 0
 * to `yMax`, or to the data's largest value (at least 0.1) when `yMax` is null. Its words are in
 * the page's edition (`<html lang>`, text.ts) unless `lang` says otherwise.
 */
import type { Lang } from '../../lib/i18n.ts';
import { kitText } from './text.ts';

const SVG = 'http://www.w3.org/2000/svg';
const W = 640;
const H = 180;
const PAD = { l: 44, r: 8, t: 8, b: 26 } as const;

/** Options of {@link liveChart}. */
export interface LiveChartOptions {
  /** What the curve is ("training loss"): the chart's accessible name and its axis label. */
  readonly label: string;
  /** The chart's `data-live-chart` (default `label`): a name for tests, not shown. */
  readonly key?: string;
  /** The edition of the chart's words (default: the page's). */
  readonly lang?: Lang | undefined;
  readonly color: string;
  /** The top of the y axis; null: the data's largest value. */
  readonly yMax: number | null;
  /** The right end of the x axis (the run's steps). */
  readonly xMax: number;
}

/** A live chart: its SVG node, and `update` to redraw it with the curve so far. */
export interface LiveChart {
  readonly node: SVGSVGElement;
  update(xs: readonly number[], ys: readonly number[]): void;
}

function el<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Readonly<Record<string, string | number>>,
): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  return node;
}

/** Makes an empty live chart; its accessible name says the last value ("training loss: 0.412"). */
export function liveChart(options: LiveChartOptions): LiveChart {
  const { label, color, yMax, xMax } = options;
  const words = kitText(options.lang).chart;
  const node = el('svg', {
    width: W,
    height: H,
    viewBox: `0 0 ${String(W)} ${String(H)}`,
    role: 'img',
    'aria-label': words.named(label, undefined),
    'data-live-chart': options.key ?? label,
    style: 'display:block;max-width:100%;height:auto',
  });
  const frame = el('rect', {
    x: PAD.l,
    y: PAD.t,
    width: W - PAD.l - PAD.r,
    height: H - PAD.t - PAD.b,
    fill: 'none',
    stroke: 'currentColor',
    'stroke-opacity': 0.3,
  });
  const top = el('text', { x: 4, y: 14, 'font-size': 11, fill: 'currentColor' });
  const axis = el('text', { x: PAD.l, y: H - 8, 'font-size': 11, fill: 'currentColor' });
  axis.textContent = words.axis(label);
  const path = el('path', { fill: 'none', stroke: color, 'stroke-width': 1.5 });
  node.append(frame, top, axis, path);
  const update = (xs: readonly number[], ys: readonly number[]): void => {
    const max = yMax ?? Math.max(0.1, ...ys);
    const sx = (x: number) => PAD.l + (x / xMax) * (W - PAD.l - PAD.r);
    const sy = (y: number) => H - PAD.b - (Math.min(y, max) / max) * (H - PAD.t - PAD.b);
    const d = xs.map((x, i) => {
      const y = ys[i] ?? 0;
      return `${i === 0 ? 'M' : 'L'}${sx(x).toFixed(1)},${sy(y).toFixed(1)}`;
    });
    path.setAttribute('d', d.join(''));
    top.textContent = max.toFixed(2);
    const last = ys.at(-1);
    node.setAttribute('aria-label', words.named(label, last));
  };
  return { node, update };
}
