// @ts-check
/**
 * Shared set-up for the end-to-end tests: one Chromium (Debian's, never a downloaded one) per test
 * file, a fresh context (so fresh storage) per test, and helpers that read the testability
 * contract: every cell root has `data-cell` and `data-state` = pending|running|fulfilled|rejected,
 * and its editor is CodeMirror's `.cm-content` inside the root.
 */
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../scripts/lib/chromium.mjs';
import { lessonsFromSource } from '../../scripts/lib/lesson-files.mjs';

// Shared with the scripts (screenshots, bench), which must not import tests: one list each.
export { CHROMIUM_ARGS, CHROMIUM_PATH, lessonsFromSource };

/** The site under test; scripts/e2e.mjs starts scripts/serve.mjs and passes its URL. */
export const BASE_URL = process.env['E2E_BASE_URL'] ?? 'http://127.0.0.1:4321/';

/**
 * A fresh headless Chromium; `launch` uses a new temporary profile every time.
 *
 * Its contexts block service workers unless a test asks for them (`serviceWorkers: 'allow'`, only
 * the offline test does): the site's offline worker would answer requests itself, and
 * `page.route`/`context.route` (the failure injection of reliability.test.mjs, for one) would no
 * longer see them.
 */
export async function launchBrowser() {
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: CHROMIUM_ARGS,
    headless: true,
  });
  const newContext = browser.newContext.bind(browser);
  /** @type {typeof browser.newContext} */
  const blocking = (options = {}) => newContext({ serviceWorkers: 'block', ...options });
  // browser.newPage() makes its context through newContext too.
  browser.newContext = blocking;
  return browser;
}

/**
 * Opens a page and records what must not happen: requests to any other host, uncaught errors,
 * console errors (CSP violations are reported there).
 * @param {import('playwright-core').BrowserContext} context
 */
export async function openPage(context) {
  const page = await context.newPage();
  const origin = new URL(BASE_URL).origin;
  /** @type {string[]} */
  const foreignRequests = [];
  /** @type {string[]} */
  const errors = [];
  page.on('request', (request) => {
    const url = request.url();
    if (/^(data|blob|about):/.test(url)) return;
    if (new URL(url).origin !== origin) foreignRequests.push(url);
  });
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const text = message.text();
    // @observablehq/inputs builds its inputs with htl, which briefly sets placeholder
    // `oninput="…"` attributes before assigning the real handler as a property; the CSP refuses
    // the placeholder (as it should) and the input works (cells.test.mjs moves a slider).
    if (/^Executing inline event handler violates/.test(text)) return;
    errors.push(`console: ${text}`);
  });
  return { page, foreignRequests, errors };
}

/**
 * Waits until no cell is pending or running, then returns each cell's key and state.
 * @param {import('playwright-core').Page} page
 * @param {number} [timeout]
 * @returns {Promise<{ cell: string, state: string, output: string }[]>}
 */
export async function settledCells(page, timeout = 120_000) {
  // A cell may wait until it is seen (`await visibility()`): every few seconds the cells still
  // busy are scrolled into view, one after another, as a reader looks at a busy cell.
  const end = Date.now() + timeout;
  let look = 0;
  for (;;) {
    const left = end - Date.now();
    const done = await settledOnce(page, Math.max(1, Math.min(left, 5000))).then(
      () => true,
      (/** @type {unknown} */ e) => {
        if (left <= 5000) throw e;
        return false;
      },
    );
    if (done) break;
    await page.evaluate((k) => {
      const busy = [...document.querySelectorAll('[data-cell][data-state="running"]')];
      busy[k % Math.max(1, busy.length)]?.scrollIntoView({ block: 'center' });
    }, look++);
  }
  const mount = await page.getAttribute('[data-lesson-root]', 'data-mount');
  if (mount === 'failed') {
    throw new Error('the cell runtime failed to mount');
  }
  return page.$$eval('[data-cell]', (cells) =>
    cells.map((cell) => ({
      cell: cell.getAttribute('data-cell') ?? '',
      state: cell.getAttribute('data-state') ?? '',
      output: cell.querySelector('.cell-output')?.textContent ?? '',
    })),
  );
}

/**
 * Resolves when no cell is pending or running (or the runtime failed to mount).
 * @param {import('playwright-core').Page} page
 * @param {number} timeout
 */
async function settledOnce(page, timeout) {
  await page.waitForFunction(
    () => {
      // src/pages/lessons/_start-lesson.ts marks a runtime that failed to mount.
      const mount = document.querySelector('[data-lesson-root]')?.getAttribute('data-mount');
      if (mount === 'failed') return true;
      const cells = [...document.querySelectorAll('[data-cell]')];
      return (
        cells.length > 0 &&
        cells.every((cell) => {
          const state = cell.getAttribute('data-state');
          return state === 'fulfilled' || state === 'rejected';
        })
      );
    },
    undefined,
    { timeout, polling: 200 },
  );
}

/**
 * Waits until one cell reaches a final state (optionally a given one) and returns it.
 * @param {import('playwright-core').Page} page
 * @param {string} key the cell's `data-cell`
 * @param {'fulfilled' | 'rejected'} [state]
 * @param {number} [timeout]
 */
export async function cellSettled(page, key, state, timeout = 60_000) {
  await page.waitForFunction(
    ([k, s]) => {
      const cell = document.querySelector(`[data-cell="${k}"]`);
      const current = cell?.getAttribute('data-state');
      return s ? current === s : current === 'fulfilled' || current === 'rejected';
    },
    /** @type {[string, string | undefined]} */ ([key, state]),
    { timeout, polling: 100 },
  );
  return page.locator(`[data-cell="${key}"]`);
}

/**
 * Replaces a cell's code through its CodeMirror editor and runs it with Shift+Enter.
 * @param {import('playwright-core').Page} page
 * @param {string} key
 * @param {string} source
 */
export async function editCell(page, key, source) {
  const editor = page.locator(`[data-cell="${key}"] .cm-content`);
  await editor.click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(source);
  await page.keyboard.press('Shift+Enter');
}

/**
 * The text of a cell's editor.
 * @param {import('playwright-core').Page} page
 * @param {string} key
 */
export function editorText(page, key) {
  return page
    .locator(`[data-cell="${key}"] .cm-content`)
    .evaluate((el) =>
      [...el.querySelectorAll('.cm-line')].map((line) => line.textContent).join('\n'),
    );
}

/** The URL of a lesson page, with `?test=1` so lessons pick small sizes. */
export function lessonUrl(/** @type {string} */ slug, query = 'test=1') {
  return new URL(`lessons/${slug}/${query ? `?${query}` : ''}`, BASE_URL).href;
}

/**
 * What a cell shows the reader: its error message (role="alert") and its output, as text.
 * @param {import('playwright-core').Page} page
 * @param {string} key
 */
export function cellMessage(page, key) {
  return page.locator(`[data-cell="${key}"]`).evaluate((cell) =>
    [...cell.querySelectorAll('[role="alert"], .cell-output')]
      .map((el) => (el instanceof HTMLElement && el.hidden ? '' : el.textContent))
      .join('\n')
      .trim(),
  );
}

/**
 * The training lesson's `ready` cell, edited as a reader may: a micro random model on generated
 * sentences (the trainer's `small` option, which the lesson's backend check uses too). Tests of the
 * panel's machinery (Stop, Resume, a crash, a lost device) use it so a step takes milliseconds.
 */
export const MICRO_READY = 'ready = t.init({backend: forcedBackend, small: true})';

/**
 * Presses the training panel's Start with a real pointer click (Playwright's actionability
 * checks: visible, stable, enabled, receiving the event) and waits until the panel runs.
 * @param {import('playwright-core').Page} page
 */
export async function pressStart(page, timeout = 60_000) {
  await page.locator('[data-train-panel] button[data-action="start"]').click({ timeout });
  await page.waitForFunction(
    () => {
      const state = document.querySelector('[data-train-panel]')?.getAttribute('data-state');
      return state === 'running' || state === 'done' || state === 'failed';
    },
    undefined,
    { timeout },
  );
}

/**
 * Scrolls one screen at a time to the bottom with the mouse wheel, pausing as a reader would, so
 * every cell passes through the viewport (cells that wait for `visibility()` run then); returns
 * the number of screens.
 * @param {import('playwright-core').Page} page
 */
export async function readToTheEnd(page) {
  const { width, height } = page.viewportSize() ?? { width: 1280, height: 800 };
  // The wheel scrolls what is under the pointer: put it over the page.
  await page.mouse.move(width / 2, height / 2);
  let screens = 0;
  for (; screens < 400; screens++) {
    const atEnd = await page.evaluate(
      () => scrollY + innerHeight >= document.documentElement.scrollHeight - 2,
    );
    if (atEnd) break;
    await page.mouse.wheel(0, Math.round(height * 0.9));
    await page.waitForTimeout(250);
  }
  return screens;
}

/**
 * The reader's edits for a long run on the micro model, then Start: `ready` to MICRO_READY,
 * `runConfig` to `longRun` (a 5,000-step config), a wait for the panel made for both, and a
 * pointer press of Start.
 * @param {import('playwright-core').Page} page
 * @param {string} longRun
 */
export async function startLongMicroRun(page, longRun) {
  await editCell(page, 'ready', MICRO_READY);
  await editCell(page, 'runConfig', longRun);
  await page.waitForFunction(
    () =>
      / \/ 5000 steps$/.test(document.querySelector('[data-train-fraction]')?.textContent ?? '') &&
      /micro random model/.test(document.querySelector('[data-train-setup]')?.textContent ?? ''),
    undefined,
    { timeout: 120_000 },
  );
  await pressStart(page);
}
