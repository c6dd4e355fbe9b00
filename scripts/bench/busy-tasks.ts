/**
 * Long main-thread tasks while a lesson computes (issue 11, "responsive while computing": no task
 * over 200 ms while a training run or a sweep is in progress). In Chromium, a reader's page
 * (`?cells=all`, no test mode, so the lesson's real sizes), with a `PerformanceObserver` for
 * `longtask` installed before the page's scripts:
 *
 * - **training run**: the training lesson's Start; the window opens once 3 steps are logged and
 *   lasts `windowMs`, or until the panel leaves its running state (the run trains in a Web Worker);
 * - **sweep**: the intrinsic-dimension lesson's "Run the sweep"; the window opens 2 s after the
 *   press;
 * - the **buttons of issue 25** ({@link BUTTON_SCENARIOS}): "Train both starting points", the sweep
 *   again and the initialisation lesson's "Run the experiments live", each on a reader's page (no
 *   `?cells=all`), pressed with a real pointer, the window from the press to the result.
 *
 * `busyTaskSection(baseUrl)` returns BENCHMARKS.md lines and bench/results.json records;
 * `npm run bench` (main.ts) calls it. Standalone (start Chromium only under the shared lock):
 *   npx tsx scripts/bench/busy-tasks.ts --dist /tmp/perf-dist [--window 20000] [--backend wasm]
 *     [--button-window 120000] [--only sweep]
 */
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM_ARGS } from './browser.ts';
import { startServer } from '../start-server.mjs';

/** One scenario's long tasks within its window. */
export interface BusyRow {
  readonly scenario: string;
  readonly path: string;
  readonly backend: string;
  /** Length of the window actually observed (ms). */
  readonly windowMs: number;
  readonly count: number;
  readonly totalMs: number;
  readonly maxMs: number;
  /** What the lesson had done by the end of the window (steps, sweep progress). */
  readonly progress: string;
  readonly error?: string;
}

/** A bench/results.json record (the shape main.ts writes). */
export interface BusyRecord {
  readonly benchmark: string;
  readonly backend: string;
  readonly metric: string;
  readonly value: number;
  readonly unit: string;
}

/** The budget: no main-thread task longer than this while computing. */
export const BUSY_TASK_LIMIT_MS = 200;

declare global {
  interface Window {
    __busyTasks?: { start: number; duration: number }[];
  }
}

/** Installed before the page's own scripts. */
function observeLongTasks(): void {
  const tasks: { start: number; duration: number }[] = [];
  window.__busyTasks = tasks;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) tasks.push({ start: e.startTime, duration: e.duration });
  }).observe({ type: 'longtask', buffered: true });
}

/** Count, total and longest of the tasks that started within [t0, t1] (page clock, ms). */
export function tasksIn(
  tasks: readonly { start: number; duration: number }[],
  t0: number,
  t1: number,
): { count: number; totalMs: number; maxMs: number } {
  if (!(t1 >= t0)) throw new RangeError(`tasksIn: need t1 ≥ t0, got ${String(t0)}..${String(t1)}`);
  const inside = tasks.filter((t) => t.start >= t0 && t.start <= t1).map((t) => t.duration);
  return {
    count: inside.length,
    totalMs: inside.reduce((a, b) => a + b, 0),
    maxMs: inside.length === 0 ? 0 : Math.max(...inside),
  };
}

const now = (page: Page): Promise<number> => page.evaluate(() => performance.now());
const longTasks = (page: Page) => page.evaluate(() => window.__busyTasks ?? []);

async function trainingRun(page: Page, base: string, backend: string, windowMs: number) {
  await page.goto(`${base}lessons/training-run/?backend=${backend}&cells=all`);
  const start = page.locator('[data-train-panel] button[data-action="start"]');
  await start.waitFor({ timeout: 180_000 });
  await page.waitForSelector('[data-train-backend]', { timeout: 180_000 });
  const active = (await page.textContent('[data-train-backend]')) ?? '?';
  await page.waitForFunction(
    () =>
      !document.querySelector<HTMLButtonElement>('[data-train-panel] [data-action="start"]')
        ?.disabled,
    undefined,
    { timeout: 180_000 },
  );
  await start.click();
  const steps = (): Promise<number> =>
    page.evaluate(() => {
      const div = document.querySelector<Element & { trainingLog?: { loss: { x: unknown[] } } }>(
        '[data-train-panel]',
      );
      return div?.trainingLog?.loss.x.length ?? 0;
    });
  await page.waitForFunction(
    () =>
      (document.querySelector<Element & { trainingLog?: { loss: { x: unknown[] } } }>(
        '[data-train-panel]',
      )?.trainingLog?.loss.x.length ?? 0) >= 3,
    undefined,
    { timeout: 180_000, polling: 100 },
  );
  const t0 = await now(page);
  const s0 = await steps();
  await page
    .waitForFunction(
      () => document.querySelector('[data-train-panel]')?.getAttribute('data-state') !== 'running',
      undefined,
      { timeout: windowMs, polling: 250 },
    )
    .catch(() => undefined); // still running at the end of the window: the usual case
  const t1 = await now(page);
  const s1 = await steps();
  const fraction = (await page.textContent('[data-train-fraction]')) ?? '';
  const state = (await page.getAttribute('[data-train-panel]', 'data-state')) ?? '?';
  const stop = page.locator('[data-train-panel] button[data-action="stop"]');
  if (state === 'running' && (await stop.isVisible())) await stop.click();
  return {
    t0,
    t1,
    backend: active,
    progress: `steps logged ${String(s0)}→${String(s1)}; panel: ${fraction.trim()}, ${state}`,
  };
}

async function sweep(page: Page, base: string, backend: string, windowMs: number) {
  await page.goto(`${base}lessons/intrinsic-dimension/?backend=${backend}&cells=all`);
  const button = page.locator('[data-cell="sweepGo"] .cell-output button');
  await button.waitFor({ timeout: 180_000 });
  // Let the page finish its own start-up work first, so the window holds only the sweep.
  await page.waitForFunction(
    () =>
      [...document.querySelectorAll('[data-cell]')].every((c) =>
        ['fulfilled', 'rejected'].includes(c.getAttribute('data-state') ?? ''),
      ),
    undefined,
    { timeout: 300_000, polling: 500 },
  );
  const active = (await page.getAttribute('html', 'data-backend')) ?? '?';
  await button.click();
  await page.waitForTimeout(2000);
  const t0 = await now(page);
  await page.waitForTimeout(windowMs);
  const t1 = await now(page);
  // The sweep's progress bar (shown by the sweepView cell) says how far it got.
  const progress = await page.evaluate(
    () =>
      document
        .querySelector('[data-cell="sweepView"] .cell-progress progress')
        ?.getAttribute('aria-valuetext') ?? '',
  );
  return { t0, t1, backend: active, progress: progress || '(no progress shown)' };
}

/** A lesson button whose run is measured from the press to its result. */
export interface ButtonScenario {
  readonly scenario: string;
  /** Lesson page, relative to the site. */
  readonly path: string;
  /** The cell (`data-cell`) whose output holds the button. */
  readonly buttonCell: string;
  /** The cell whose output shows the run's progress and then its result. */
  readonly resultCell: string;
  /** Text the result cell shows once the page is ready for the press (its "press the button"). */
  readonly readyText: string;
}

/**
 * The buttons of issue 25 that compute on a reader's page: each page is opened as a reader opens
 * it (no `?cells=all`, no test mode), scrolled to the button, and pressed with a real pointer
 * (`locator.click()`) once the result cell asks for the press.
 */
export const BUTTON_SCENARIOS: readonly ButtonScenario[] = [
  {
    scenario: 'train both starting points',
    path: 'lessons/intrinsic-dimension/',
    buttonCell: 'sentimentGo',
    resultCell: 'sentimentRun',
    readyText: 'Press the button',
  },
  {
    scenario: 'sweep (pointer, whole run)',
    path: 'lessons/intrinsic-dimension/',
    buttonCell: 'sweepGo',
    resultCell: 'sweepView',
    readyText: 'to start it',
  },
  {
    scenario: 'initialisation: run the experiments live',
    path: 'lessons/initialisation/',
    buttonCell: 'live',
    resultCell: 'runs',
    readyText: '',
  },
];

/** Result cell's state, as the page shows it. */
function cellShows(name: string): { state: string; status: string; text: string } {
  const root = document.querySelector(`[data-cell="${name}"]`);
  return {
    state: root?.getAttribute('data-state') ?? '',
    status: root?.querySelector('.cell-status')?.textContent ?? '',
    text: root?.querySelector('.cell-output')?.textContent ?? '',
  };
}

/**
 * One {@link ButtonScenario}: the window opens at the press and closes when the result cell is
 * done (fulfilled, no longer showing progress) or after `windowMs`. Also reports how long the
 * first progress took to appear and the line the page shows about the run's expected duration.
 */
async function buttonRun(
  page: Page,
  base: string,
  backend: string,
  windowMs: number,
  s: ButtonScenario,
) {
  await page.goto(`${base}${s.path}?backend=${backend}`);
  // Scrolled past the result cell and back, so the cells between them open (lazy pages).
  await page.locator(`[data-cell="${s.buttonCell}"]`).scrollIntoViewIfNeeded();
  await page.locator(`[data-cell="${s.resultCell}"]`).scrollIntoViewIfNeeded();
  const button = page.locator(`[data-cell="${s.buttonCell}"] .cell-output button`);
  await button.waitFor({ timeout: 180_000 });
  await button.scrollIntoViewIfNeeded();
  // Ready: the result cell has settled on its "press the button" answer (or any answer).
  await page.waitForFunction(
    ([name, ready]) => {
      const root = document.querySelector(`[data-cell="${name}"]`);
      const text = root?.querySelector('.cell-output')?.textContent ?? '';
      return (
        root?.getAttribute('data-state') === 'fulfilled' &&
        root.querySelector('.cell-status')?.textContent === 'Done' &&
        text.includes(ready)
      );
    },
    [s.resultCell, s.readyText] as const,
    { timeout: 300_000, polling: 500 },
  );
  const active = (await page.getAttribute('html', 'data-backend')) ?? '?';
  const caption = ((await button.textContent()) ?? '').trim();
  const t0 = await now(page);
  // A real pointer press; the page may be too busy to confirm it (the code before the experiment
  // worker froze for minutes), which is what is measured, so the press does not wait for it.
  // eslint-disable-next-line @typescript-eslint/no-deprecated -- still the way to not wait
  await button.click({ noWaitAfter: true, timeout: windowMs });
  // Time until the result cell visibly reacts (progress or result), measured in the page.
  let firstMs = NaN;
  try {
    await page.waitForFunction(
      (name) => {
        const root = document.querySelector(`[data-cell="${name}"]`);
        if (!root) return false;
        return (
          root.querySelector('.cell-output .cell-progress') !== null ||
          root.getAttribute('data-state') === 'running'
        );
      },
      s.resultCell,
      { timeout: windowMs, polling: 50 },
    );
    firstMs = (await now(page)) - t0;
  } catch {
    // never showed progress within the window
  }
  const left = Math.max(1, windowMs - ((await now(page)) - t0));
  await page
    .waitForFunction(
      (name) => {
        const root = document.querySelector(`[data-cell="${name}"]`);
        return (
          root?.getAttribute('data-state') === 'fulfilled' &&
          root.querySelector('.cell-status')?.textContent === 'Done' &&
          root.querySelector('.cell-output .cell-progress') === null
        );
      },
      s.resultCell,
      { timeout: left, polling: 250 },
    )
    .catch(() => undefined); // still running at the end of the window
  const t1 = await now(page);
  const shown = await page.evaluate(cellShows, s.resultCell);
  const bar = await page.evaluate(
    (name) =>
      document
        .querySelector(`[data-cell="${name}"] .cell-progress progress`)
        ?.getAttribute('aria-valuetext') ?? '',
    s.resultCell,
  );
  const done = shown.status === 'Done' && bar === '';
  return {
    t0,
    t1,
    backend: active,
    progress: `${done ? 'done' : `running: ${bar || shown.status}`}; first progress ${Number.isFinite(firstMs) ? `${(firstMs / 1000).toFixed(1)} s` : 'never'} after the press; button: “${caption}”`,
  };
}

/** Runs both scenarios, one after another, in one Chromium. */
export async function measureBusyTasks(
  baseUrl: string,
  options: {
    windowMs?: number;
    /** Longest window of a button scenario (from the press to its result); default 120 s. */
    buttonWindowMs?: number;
    backend?: string;
    /** Only the scenarios whose name contains this. */
    only?: string;
    log?: (line: string) => void;
  } = {},
): Promise<BusyRow[]> {
  const windowMs = options.windowMs ?? 20_000;
  const backend = options.backend ?? 'wasm';
  const log = options.log ?? console.log;
  const browser: Browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [...CHROMIUM_ARGS],
    headless: true,
  });
  const buttonWindowMs = options.buttonWindowMs ?? 120_000;
  const only = options.only;
  const scenarios = [
    { scenario: 'training run', path: 'lessons/training-run/', run: trainingRun },
    { scenario: 'sweep', path: 'lessons/intrinsic-dimension/', run: sweep },
    ...BUTTON_SCENARIOS.map((b) => ({
      scenario: b.scenario,
      path: b.path,
      run: (page: Page, base: string, be: string) => buttonRun(page, base, be, buttonWindowMs, b),
    })),
  ].filter((x) => only === undefined || x.scenario.includes(only));
  const rows: BusyRow[] = [];
  try {
    for (const { scenario, path, run } of scenarios) {
      log(`busy tasks: ${scenario} (${path}) …`);
      // Service workers blocked: the offline worker would save the whole site while we measure.
      const context = await browser.newContext({
        viewport: { width: 412, height: 823 },
        serviceWorkers: 'block',
      });
      try {
        const page = await context.newPage();
        await page.addInitScript(observeLongTasks);
        const r = await run(page, baseUrl, backend, windowMs);
        rows.push({
          scenario,
          path,
          backend: r.backend,
          windowMs: r.t1 - r.t0,
          ...tasksIn(await longTasks(page), r.t0, r.t1),
          progress: r.progress,
        });
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        log(`busy tasks: ${scenario} failed: ${message}`);
        rows.push({
          scenario,
          path,
          backend,
          windowMs: NaN,
          count: NaN,
          totalMs: NaN,
          maxMs: NaN,
          progress: '',
          error: message,
        });
      } finally {
        await context.close();
      }
    }
  } finally {
    await browser.close();
  }
  return rows;
}

const ms = (x: number): string => (Number.isFinite(x) ? `${x.toFixed(0)} ms` : '—');

/** The BENCHMARKS.md section for busy-task rows. */
export function busyLines(rows: readonly BusyRow[]): string[] {
  const lines = [
    '## Long tasks while a lesson computes (Chromium, no throttling)',
    '',
    `| what | page | backend | window | long tasks | total | longest | within budget (no task > ${String(BUSY_TASK_LIMIT_MS)} ms) | progress in the window |`,
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    if (r.error !== undefined) {
      lines.push(
        `| ${r.scenario} | ${r.path} | ${r.backend} | failed: ${r.error.slice(0, 120)} | | | | **no** | |`,
      );
      continue;
    }
    lines.push(
      `| ${r.scenario} | ${r.path} | ${r.backend} | ${(r.windowMs / 1000).toFixed(1)} s | ${String(r.count)} | ${ms(r.totalMs)} | ${ms(r.maxMs)} | ${r.maxMs <= BUSY_TASK_LIMIT_MS ? 'yes' : '**no**'} | ${r.progress.replace(/\|/g, '/')} |`,
    );
  }
  lines.push(
    '',
    "Measured by scripts/bench/busy-tasks.ts: a reader's page (`?cells=all`, the lesson's real sizes, phone-sized viewport), a `PerformanceObserver` for `longtask` installed before the page's scripts. Training run: the training lesson's Start with its default settings; the window opens when 3 steps are logged and lasts 20 s, or until the panel leaves its running state (training runs in a Web Worker). Sweep: the intrinsic-dimension lesson's “Run the sweep”, after every other cell has settled; the window opens 2 s after the press. The three buttons of issue 25 (“Train both starting points”, “Run the sweep”, and the initialisation lesson's “Run the experiments live”): the page opened as a reader opens it (no `?cells=all`), scrolled to the button, pressed with a real pointer once the result cell asks for it; the window runs from the press until the result is shown, or for at most 120 s; “first progress” is the time from the press until the result cell visibly reacts. Subspace and initialisation runs train in the page's experiment worker (src/experiments/). This machine, as loaded at the time, no CPU throttling.",
    '',
  );
  return lines;
}

/** bench/results.json records for busy-task rows. */
export function busyRecords(rows: readonly BusyRow[]): BusyRecord[] {
  return rows
    .filter((r) => r.error === undefined)
    .flatMap((r) => [
      {
        benchmark: `busy-long-tasks/${r.scenario}`,
        backend: `chromium-${r.backend}`,
        metric: 'longest_task',
        value: r.maxMs,
        unit: 'ms',
      },
      {
        benchmark: `busy-long-tasks/${r.scenario}`,
        backend: `chromium-${r.backend}`,
        metric: 'long_task_count',
        value: r.count,
        unit: 'count',
      },
    ]);
}

/** Lines and records, for main.ts. */
export async function busyTaskSection(
  baseUrl: string,
): Promise<{ lines: string[]; records: BusyRecord[] }> {
  const rows = await measureBusyTasks(baseUrl);
  return { lines: busyLines(rows), records: busyRecords(rows) };
}

async function cli(): Promise<void> {
  const args = process.argv.slice(2);
  const opt = (name: string): string | undefined => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const dist = opt('--dist');
  const only = opt('--only');
  if (dist !== undefined) process.env.DIST_DIR = dist;
  const server = await startServer();
  try {
    const rows = await measureBusyTasks(server.url, {
      windowMs: Number(opt('--window') ?? 20_000),
      buttonWindowMs: Number(opt('--button-window') ?? 120_000),
      backend: opt('--backend') ?? 'wasm',
      ...(only !== undefined ? { only } : {}),
    });
    console.log(busyLines(rows).join('\n'));
    console.log(JSON.stringify(rows));
  } finally {
    server.stop();
  }
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) await cli();
