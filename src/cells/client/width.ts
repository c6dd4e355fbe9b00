/**
 * The `width` built-in in the browser: the content width of a cell's output (the cell's inner
 * width less the output's padding), so a figure drawn `width` px wide fits inside its cell. Every
 * cell of a page has the same frame, so the first cell of the root is measured; a root without
 * cells gives its own content width.
 *
 * A cell that reads `width` reruns when it changes, and rerunning throws its state away (a
 * finished training run, a running generator). So cells see a new width only once it has held for
 * WIDTH_SETTLE_MS, and never a collapsed one: a column narrower than MIN_WIDTH (0 while the page
 * is laid out again, hidden, or in a closed `<details>` or a hidden frame) is not a layout anyone
 * reads, and is ignored; a momentary collapse that comes back to the same width changes nothing.
 */
import { observe } from '../generators.ts';

/** Narrower than this (px), a measured width is a collapsed or hidden column, and is ignored. */
export const MIN_WIDTH = 64;

/** How long (ms) a new width must hold before cells see it. */
export const WIDTH_SETTLE_MS = 250;

/** The width given while the root has never been laid out (hidden from the start). */
export const FALLBACK_WIDTH = 640;

function px(value: string): number {
  const n = Number.parseFloat(value);
  return Number.isFinite(n) ? n : 0;
}

/** The content width (px, whole) of a cell's output in `root`; see the module comment. */
export function measureCellWidth(root: HTMLElement): number {
  const cell = root.querySelector<HTMLElement>('section.cell');
  const box = cell ?? root;
  // A cell's output may be `display: none` while empty; its padding is computed all the same.
  const padded = cell?.querySelector<HTMLElement>('.cell-output') ?? root;
  const style = getComputedStyle(padded);
  return Math.max(0, Math.floor(box.clientWidth - px(style.paddingLeft) - px(style.paddingRight)));
}

/** Whether a measured width is a real layout (not a collapsed or hidden column). */
export function isUsableWidth(width: number): boolean {
  return Number.isFinite(width) && width >= MIN_WIDTH;
}

/** The width of a root's cells, followed through resizes. */
export interface CellWidth {
  /** The `width` built-in: a function returning a generator of widths (for `new Runtime`). */
  readonly builtin: () => Generator<Promise<number>, undefined>;
  /** The width now: measured if usable, else the last usable one (for fitting figures). */
  readonly current: () => number;
}

/** Follows the width of `root`'s cells (see the module comment). */
export function cellWidth(
  root: HTMLElement,
  options: { readonly settleMs?: number } = {},
): CellWidth {
  const settleMs = options.settleMs ?? WIDTH_SETTLE_MS;
  let lastUsable: number | null = null;
  const usable = (): number | null => {
    const w = measureCellWidth(root);
    if (!isUsableWidth(w)) return null;
    lastUsable = w;
    return w;
  };
  const current = (): number => usable() ?? lastUsable ?? FALLBACK_WIDTH;
  const builtin = (): Generator<Promise<number>, undefined> =>
    observe<number>((change) => {
      let width = change(current());
      if (typeof ResizeObserver !== 'function') return undefined;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const settle = (): void => {
        timer = undefined;
        const w = usable();
        if (w !== null && w !== width) width = change(w);
      };
      const observer = new ResizeObserver(() => {
        clearTimeout(timer);
        timer = setTimeout(settle, settleMs);
      });
      observer.observe(root);
      const cell = root.querySelector('section.cell');
      if (cell) observer.observe(cell);
      return () => {
        clearTimeout(timer);
        observer.disconnect();
      };
    });
  return { builtin, current };
}

/** A function returning a generator of the width of `element`'s cells (for `new Runtime`). */
export function widthOf(element: HTMLElement): () => Generator<Promise<number>, undefined> {
  return cellWidth(element).builtin;
}
