// @ts-check
/**
 * No frozen page (issue 25): while the intrinsic-dimension lesson's sweep and "Train both
 * starting points" run, no main-thread task may last over {@link LIMIT_MS} (a looser bound than
 * the bench's 200 ms, for a loaded test machine; `npm run bench` measures the reader's sizes,
 * scripts/bench/busy-tasks.ts). `?test=1` only shrinks the runs' sizes: the code path is the
 * reader's. Buttons are pressed with a real pointer (`locator.click()`, with its actionability
 * checks and its wait for the page to take the click), and each says how long it will take
 * before it is pressed.
 *
 * On the code before the experiment worker (the runs on the page's thread) this fails: the
 * pretrained encoder's steps and set-up are single tasks of seconds.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, lessonUrl, openPage } from './helpers.mjs';

/** The longest main-thread task allowed while a run is in progress (ms). */
const LIMIT_MS = 1000;

/** @type {import('playwright-core').Browser} */
let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser.close();
});

/** Installed before the page's scripts: every long task (over 50 ms) with its start. */
function observeLongTasks() {
  /** @type {{ start: number, duration: number }[]} */
  const tasks = [];
  Object.assign(window, { __longTasks: tasks });
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) tasks.push({ start: e.startTime, duration: e.duration });
  }).observe({ type: 'longtask', buffered: true });
}

/**
 * The long tasks that started at or after `since` (page clock), longest first.
 * @param {import('playwright-core').Page} page
 * @param {number} since
 */
function longTasksSince(page, since) {
  return page.evaluate(
    (t0) =>
      /** @type {{ start: number, duration: number }[]} */ (
        /** @type {any} */ (window).__longTasks ?? []
      )
        .filter((t) => t.start >= t0)
        .sort((a, b) => b.duration - a.duration),
    since,
  );
}

/**
 * Waits until a cell's output contains `text` and the cell is done (no longer generating).
 * @param {import('playwright-core').Page} page
 * @param {string} cell
 * @param {string} text
 * @param {number} timeout
 */
async function cellDoneWith(page, cell, text, timeout) {
  await page.waitForFunction(
    ([k, t]) => {
      const root = document.querySelector(`[data-cell="${k}"]`);
      return (
        root?.getAttribute('data-state') === 'fulfilled' &&
        root.querySelector('.cell-status')?.textContent === 'Done' &&
        (root.querySelector('.cell-output')?.textContent ?? '').includes(t)
      );
    },
    /** @type {[string, string]} */ ([cell, text]),
    { timeout, polling: 250 },
  );
}

test('the sweep and "Train both starting points" keep the page responsive', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  try {
    const { page, errors } = await openPage(context);
    await page.addInitScript(observeLongTasks);
    await page.goto(lessonUrl('intrinsic-dimension'));

    const sweepButton = page.locator('[data-cell="sweepGo"] .cell-output button');
    await sweepButton.waitFor({ timeout: 120_000 });
    await cellDoneWith(page, 'sweepView', 'Press', 120_000);
    const trainButton = page.locator('[data-cell="sentimentGo"] .cell-output button');
    await trainButton.waitFor({ timeout: 120_000 });
    await cellDoneWith(page, 'sentimentRun', 'Press the button', 180_000);
    // What the page says about each run's duration before its button is pressed (checked last).
    /** @param {string} cell the button's cell: its estimate is the cell just above it */
    const estimateAbove = (cell) =>
      page
        .locator(`[data-cell="${cell}"]`)
        .evaluate((el) =>
          (el.previousElementSibling?.closest('[data-cell]') ?? el.previousElementSibling)
            ?.querySelector('.cell-output')
            ?.textContent?.replace(/\s+/g, ' ')
            .trim(),
        )
        .catch(() => undefined);
    const estimate = /about \d+ (s|min)\b/;
    await page
      .waitForFunction(
        (re) =>
          [...document.querySelectorAll('[data-cell] .cell-output')].filter((o) =>
            new RegExp(re).test(o.textContent ?? ''),
          ).length >= 2,
        estimate.source,
        { timeout: 180_000, polling: 250 },
      )
      .catch(() => undefined);
    const said = {
      sweep: await estimateAbove('sweepGo'),
      train: await estimateAbove('sentimentGo'),
    };

    // When each result cell first shows a progress bar (page clock).
    await page.evaluate(() => {
      /** @type {Record<string, number>} */
      const first = {};
      Object.assign(window, { __firstProgress: first });
      for (const key of ['sweepView', 'sentimentRun']) {
        const root = document.querySelector(`[data-cell="${key}"]`);
        if (!root) continue;
        new MutationObserver(() => {
          if (first[key] === undefined && root.querySelector('.cell-output .cell-progress'))
            first[key] = performance.now();
        }).observe(root, { subtree: true, childList: true });
      }
    });
    const now = () => page.evaluate(() => performance.now());
    const t0 = await now();
    await sweepButton.click();
    await cellDoneWith(page, 'sweepView', 'Your sweep', 300_000);
    const t1 = await now();
    await trainButton.click();
    await cellDoneWith(page, 'sentimentRun', 'Sentiment test accuracy', 300_000);
    const first = /** @type {Record<string, number>} */ (
      await page.evaluate(() => /** @type {any} */ (window).__firstProgress)
    );

    const result = await page
      .locator('[data-cell="sentimentRun"] .cell-output tbody tr')
      .allTextContents();
    assert.equal(result.length, 2, `both starting points trained: ${result.join(' | ')}`);
    const tasks = await longTasksSince(page, t0);
    const longest = tasks[0]?.duration ?? 0;
    assert.ok(
      longest <= LIMIT_MS,
      `no main-thread task over ${String(LIMIT_MS)} ms while computing; the longest were ` +
        tasks
          .slice(0, 5)
          .map((t) => `${t.duration.toFixed(0)} ms`)
          .join(', '),
    );
    // Progress shows at once (within a few seconds on a loaded machine), not after the work.
    for (const [key, pressed] of /** @type {const} */ ([
      ['sweepView', t0],
      ['sentimentRun', t1],
    ])) {
      const after = (first[key] ?? Infinity) - pressed;
      assert.ok(after < 5000, `${key}: a progress bar ${after.toFixed(0)} ms after the press`);
    }
    for (const [what, text] of Object.entries(said))
      assert.match(text ?? '', estimate, `${what}: the expected duration is said before the press`);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
