/**
 * Long main-thread tasks while a lesson page loads (issue 11, "responsive while computing"):
 * Chromium (playwright-core, Debian's build) opens each page, a `PerformanceObserver` for
 * `longtask` (tasks over 50 ms) and `layout-shift` entries is installed before any page script
 * runs, and after `windowMs` the entries that started within that window are summarised: count,
 * total and longest duration, the blocking part (Σ max(0, d − 50 ms), as Lighthouse's TBT counts
 * it, but measured, not simulated) and the layout shift (CLS-style sum, shifts without recent
 * input). No CPU throttling: the figures are this machine's, under whatever load it has.
 */
import { chromium, type Browser } from 'playwright-core';
import { CHROMIUM_ARGS } from './browser.ts';

/** One page's long tasks during the first `windowMs` after navigation started. */
export interface LongTaskRow {
  readonly path: string;
  readonly windowMs: number;
  readonly count: number;
  readonly totalMs: number;
  readonly maxMs: number;
  /** Σ max(0, duration − 50 ms) over the long tasks: the measured counterpart of TBT. */
  readonly blockingMs: number;
  /** Sum of layout-shift values without recent input (all shifts in the window). */
  readonly layoutShift: number;
  /** The largest shifts in the window: value, time and the shifted elements. */
  readonly topShifts: readonly { value: number; start: number; nodes: readonly string[] }[];
  /** Cells in each state at the end of the window (`data-state` counts). */
  readonly cellStates: Readonly<Record<string, number>>;
  readonly error?: string;
}

interface PageEntries {
  tasks: { start: number; duration: number }[];
  /** `nodes`: the shifted elements (tag.class), for finding what moved. */
  shifts: { start: number; value: number; nodes: string[] }[];
}

declare global {
  interface Window {
    __perfEntries?: PageEntries;
  }
}

/** Installed before the page's own scripts (playwright `addInitScript`). */
function observeEntries(): void {
  const entries: PageEntries = { tasks: [], shifts: [] };
  window.__perfEntries = entries;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries())
      entries.tasks.push({ start: e.startTime, duration: e.duration });
  }).observe({ type: 'longtask', buffered: true });
  new PerformanceObserver((list) => {
    for (const e of list.getEntries() as (PerformanceEntry & {
      value: number;
      hadRecentInput: boolean;
      sources?: { node?: Node | null }[];
    })[]) {
      if (e.hadRecentInput) continue;
      const nodes = (e.sources ?? []).map(({ node }) =>
        node instanceof Element
          ? `${node.tagName.toLowerCase()}${node.className && typeof node.className === 'string' ? `.${node.className.split(' ')[0] ?? ''}` : ''}`
          : (node?.nodeName ?? '?'),
      );
      entries.shifts.push({ start: e.startTime, value: e.value, nodes });
    }
  }).observe({ type: 'layout-shift', buffered: true });
}

/** Summarises long tasks and layout shifts that started before `windowMs`. */
export function summarise(
  entries: PageEntries,
  windowMs: number,
): Pick<LongTaskRow, 'count' | 'totalMs' | 'maxMs' | 'blockingMs' | 'layoutShift'> {
  if (!(windowMs > 0))
    throw new RangeError(`summarise: windowMs must be > 0, got ${String(windowMs)}`);
  const tasks = entries.tasks.filter((t) => t.start < windowMs);
  const durations = tasks.map((t) => t.duration);
  return {
    count: tasks.length,
    totalMs: durations.reduce((a, b) => a + b, 0),
    maxMs: durations.length === 0 ? 0 : Math.max(...durations),
    blockingMs: durations.reduce((a, d) => a + Math.max(0, d - 50), 0),
    layoutShift: entries.shifts.filter((s) => s.start < windowMs).reduce((a, s) => a + s.value, 0),
  };
}

/** Measures each path (relative to `baseUrl`) in a fresh context of one Chromium. */
export async function measureLongTasks(
  baseUrl: string,
  paths: readonly string[],
  options: { windowMs?: number; log?: (line: string) => void; browser?: Browser } = {},
): Promise<LongTaskRow[]> {
  const windowMs = options.windowMs ?? 10_000;
  const log = options.log ?? console.log;
  const browser =
    options.browser ??
    (await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: [...CHROMIUM_ARGS],
      headless: true,
    }));
  const rows: LongTaskRow[] = [];
  try {
    for (const path of paths) {
      log(`long tasks: ${path} …`);
      const context = await browser.newContext({ viewport: { width: 412, height: 823 } });
      try {
        const page = await context.newPage();
        await page.addInitScript(observeEntries);
        const started = Date.now();
        await page.goto(`${baseUrl}${path}`, { waitUntil: 'load', timeout: 60_000 });
        const left = windowMs - (Date.now() - started);
        if (left > 0) await page.waitForTimeout(left);
        // Measured in the page: the window is relative to navigation start (performance.now()).
        const { entries, states } = await page.evaluate(() => {
          const counts: Record<string, number> = {};
          for (const el of document.querySelectorAll('[data-cell]')) {
            const s = el.getAttribute('data-state') ?? '?';
            counts[s] = (counts[s] ?? 0) + 1;
          }
          return { entries: window.__perfEntries ?? { tasks: [], shifts: [] }, states: counts };
        });
        const topShifts = entries.shifts
          .filter((x) => x.start < windowMs)
          .sort((a, b) => b.value - a.value)
          .slice(0, 5);
        rows.push({
          path,
          windowMs,
          ...summarise(entries, windowMs),
          topShifts,
          cellStates: states,
        });
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        log(`long tasks: ${path} failed: ${message}`);
        rows.push({
          path,
          windowMs,
          count: NaN,
          totalMs: NaN,
          maxMs: NaN,
          blockingMs: NaN,
          layoutShift: NaN,
          topShifts: [],
          cellStates: {},
          error: message,
        });
      } finally {
        await context.close();
      }
    }
  } finally {
    if (!options.browser) await browser.close();
  }
  return rows;
}
