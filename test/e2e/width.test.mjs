// @ts-check
/**
 * A cell's state survives a width change (issue 25). The lesson column can collapse to 0 for a
 * moment (the page then grows to ~604,000 px) and a window can be resized; every cell that reads
 * the `width` built-in used to rerun at once, the training panel with it, throwing its finished
 * run away. `width` (src/cells/client/width.ts) now ignores a collapsed column, only changes once
 * a new width has held for 250 ms, and is the width of a cell's output, so figures fit.
 *
 * Reader's path: no `?test=1`, the cell is edited in its editor and the panel's Start pressed with
 * a real pointer click; only the column's collapse is made from script (it is a layout state, not
 * something a reader does).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cellSettled, editCell, launchBrowser, lessonUrl, openPage } from './helpers.mjs';

/** @type {import('playwright-core').Browser} */
let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser.close();
});

/**
 * Collapses the lesson column to 0 px for `ms`, then gives it back its width.
 * @param {import('playwright-core').Page} page
 */
async function collapseColumn(page, ms = 600) {
  const grown = await page.evaluate(async (hold) => {
    const root = /** @type {HTMLElement} */ (document.querySelector('[data-lesson-root]'));
    root.style.width = '0px';
    await new Promise((r) => requestAnimationFrame(r));
    const height = document.documentElement.scrollHeight;
    await new Promise((r) => setTimeout(r, hold));
    root.style.width = '';
    return height;
  }, ms);
  return grown;
}

/**
 * Resizes the window to a phone's width and back within 100 ms, and to a narrower desktop that
 * keeps the column's width.
 * @param {import('playwright-core').Page} page
 */
async function resizeWindow(page) {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForTimeout(80);
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.waitForTimeout(300);
  await page.setViewportSize({ width: 1000, height: 800 });
  await page.waitForTimeout(300);
  await page.setViewportSize({ width: 1280, height: 900 });
}

/** The content width of a cell's output: its width less its padding (what `width` must be). */
const OUTPUT_WIDTH = /** @type {(el: Element) => number} */ (
  (output) => {
    const style = getComputedStyle(output);
    return Math.floor(
      output.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight),
    );
  }
);

test('a generator reading `width` keeps running through a collapsed column and resizes', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const { page, errors } = await openPage(context);
  await page.goto(lessonUrl('how-these-notebooks-work', ''));
  // Cell 3 (a paragraph nothing reads) becomes a counter that also shows `width`.
  await page.locator('[data-cell="3"]').scrollIntoViewIfNeeded();
  await page.locator('[data-cell="3"] .cm-content').waitFor();
  await editCell(
    page,
    '3',
    '{ let i = 0; while (true) { i++; yield html`<p data-tick=${i} data-width=${width}>tick ${i} at ${width}</p>`; await new Promise((r) => setTimeout(r, 40)); } }',
  );
  const tick = () =>
    page
      .locator('[data-cell="3"] [data-tick]')
      .evaluate((p) => Number(p.getAttribute('data-tick')));
  await page.waitForFunction(
    () =>
      Number(document.querySelector('[data-cell="3"] [data-tick]')?.getAttribute('data-tick')) > 5,
  );
  const output = page.locator('[data-cell="3"] .cell-output');
  const shownWidth = async () =>
    Number(await page.locator('[data-cell="3"] [data-width]').getAttribute('data-width'));
  // `width` is the cell's own content width, not the column's.
  assert.equal(await shownWidth(), await output.evaluate(OUTPUT_WIDTH));

  // Count how often the counter starts again (i back to 1) from here on.
  await page.evaluate(() => {
    const w = /** @type {{ restarts?: number }} */ (/** @type {unknown} */ (window));
    w.restarts = 0;
    new MutationObserver(() => {
      const p = document.querySelector('[data-cell="3"] [data-tick]');
      if (p?.getAttribute('data-tick') === '1') w.restarts = (w.restarts ?? 0) + 1;
    }).observe(/** @type {Element} */ (document.querySelector('[data-cell="3"]')), {
      subtree: true,
      childList: true,
      attributes: true,
    });
  });
  const before = await tick();
  const grown = await collapseColumn(page);
  assert.ok(grown > 50_000, `the collapsed column made the page ${String(grown)} px tall`);
  await resizeWindow(page);
  await page.waitForTimeout(600);
  const restarts = await page.evaluate(
    () => /** @type {{ restarts?: number }} */ (/** @type {unknown} */ (window)).restarts,
  );
  assert.equal(restarts, 0, 'the generator started again');
  assert.ok((await tick()) > before + 10, 'the generator stopped producing');
  assert.equal(await shownWidth(), await output.evaluate(OUTPUT_WIDTH));

  // A width that holds is a real change: the cell reruns with the new width, which fits.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForFunction(
    () =>
      Number(document.querySelector('[data-cell="3"] [data-width]')?.getAttribute('data-width')) <
      390,
  );
  assert.equal(await shownWidth(), await output.evaluate(OUTPUT_WIDTH));
  assert.deepEqual(errors, []);
  await context.close();
});

test('the training panel keeps its run through a collapsed column and resizes', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const { page, errors } = await openPage(context);
  await page.goto(lessonUrl('training-run', ''));
  await page.locator('section[data-cell="run"]').scrollIntoViewIfNeeded();
  const start = page.locator('[data-train-panel] button[data-action="start"]');
  await start.waitFor({ timeout: 120_000 });
  await page.locator('[data-train-panel]').evaluate((el) => el.setAttribute('data-probe', 'first'));
  await start.click();
  // Mid-run: some steps done.
  await page.waitForFunction(
    () => {
      const text = document.querySelector('[data-train-fraction]')?.textContent ?? '';
      return /^([1-9]\d*) \//.test(text);
    },
    undefined,
    { timeout: 120_000 },
  );
  await collapseColumn(page);
  await resizeWindow(page);
  await page.waitForFunction(
    () => document.querySelector('[data-train-panel]')?.getAttribute('data-state') !== 'running',
    undefined,
    { timeout: 300_000, polling: 250 },
  );
  // Once done, the panel used to go back to "Not started" about a second later.
  await collapseColumn(page);
  await resizeWindow(page);
  await page.waitForTimeout(1500);
  const panel = page.locator('[data-train-panel]');
  assert.equal(await panel.getAttribute('data-probe'), 'first', 'the panel was made again');
  assert.equal(await panel.getAttribute('data-state'), 'done');
  assert.match((await page.locator('[data-train-status]').textContent()) ?? '', /^Done: 150 steps/);
  // The cells below get the run: merging says nothing about training first.
  await page.locator('section[data-cell="merged"]').scrollIntoViewIfNeeded();
  await cellSettled(page, 'merged', 'fulfilled');
  const merged =
    (await page.locator('section[data-cell="merged"] .cell-output').textContent()) ?? '';
  assert.notEqual(merged.trim(), 'null', 'merged saw no run');
  assert.deepEqual(errors, []);
  await context.close();
});
