// @ts-check
/**
 * Every lesson page loads, runs all its cells without a rejection, and talks to no other host;
 * then every button that starts work (each `Inputs.button`) is pressed with a real pointer click,
 * in page order, and must start, finish and keep its result. `?test=1` only shrinks sizes: the
 * buttons gate the same code a reader's press runs. The training lesson's buttons (Start and the
 * three after it) are pressed the same way in training.test.mjs.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  launchBrowser,
  lessonsFromSource,
  lessonUrl,
  openPage,
  readToTheEnd,
  settledCells,
} from './helpers.mjs';

/** @type {import('playwright-core').Browser} */
let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser.close();
});

/** Outputs that still ask the reader to press something. */
const ASKING = /\bPress\b[^.]*\b(button|to (train|start|run))|Press “/i;

/**
 * Presses each Inputs.button of the lesson with the mouse, in page order, waiting after each for
 * the press to register (the view's value moves on: a rerun of the button's cell would reset it)
 * and for the cells to settle without a rejection. At the end, and again 3 s later (a result
 * thrown away by a rerun would bring the question back), no output may still ask for a press.
 * @param {import('playwright-core').Page} page
 */
async function pressEveryButton(page) {
  const keys = await page.$$eval('[data-cell]', (cells) =>
    cells
      .filter((c) => c.querySelector('.cell-output form button') !== null)
      .map((c) => c.getAttribute('data-cell') ?? ''),
  );
  for (const key of keys) {
    const form = page.locator(`[data-cell="${key}"] .cell-output form`).first();
    const before = await form.evaluate((f) => /** @type {any} */ (f).value);
    await page.evaluate((k) => {
      const w = /** @type {any} */ (window);
      w.__pressed = {
        form: document.querySelector(`[data-cell="${k}"] .cell-output form`),
        events: [],
      };
      for (const type of ['pointerdown', 'click', 'input']) {
        document.addEventListener(
          type,
          (e) =>
            w.__pressed.events.push(`${type} on ${/** @type {Element} */ (e.target).nodeName}`),
          { capture: true },
        );
      }
    }, key);
    await form.locator('button').first().click();
    const registered = await page
      .waitForFunction(
        ([k, v]) => {
          const f = document.querySelector(`[data-cell="${k}"] .cell-output form`);
          return f !== null && /** @type {any} */ (f).value !== v;
        },
        /** @type {[string, unknown]} */ ([key, before]),
        { timeout: 10_000 },
      )
      .then(
        () => true,
        () => false,
      );
    if (!registered) {
      const seen = await page.evaluate((k) => {
        const w = /** @type {any} */ (window);
        const now = document.querySelector(`[data-cell="${k}"] .cell-output form`);
        return `events ${w.__pressed.events.join(', ')}; form replaced: ${String(now !== w.__pressed.form)}; value ${String(/** @type {any} */ (now)?.value)}; cell ${document.querySelector(`[data-cell="${k}"]`)?.getAttribute('data-state') ?? '?'}`;
      }, key);
      assert.fail(`pressing ${key} did not register: ${seen}`);
    }
    const cells = await settledCells(page, 600_000);
    const rejected = cells.filter((c) => c.state === 'rejected');
    assert.deepEqual(rejected, [], `after pressing ${key}: ${JSON.stringify(rejected)}`);
  }
  for (const pause of [0, 3000]) {
    await page.waitForTimeout(pause);
    const cells = await settledCells(page, 60_000);
    const asking = cells
      .filter((c) => ASKING.test(c.output))
      .map((c) => `${c.cell}: ${c.output.slice(0, 120)}`);
    assert.deepEqual(asking, [], `buttons ${keys.join(', ')} pressed; ${String(pause)} ms later`);
  }
}

describe('every lesson', () => {
  for (const lesson of lessonsFromSource()) {
    it(`${lesson.slug}: all cells run, none rejected, nothing loaded from elsewhere`, async () => {
      const context = await browser.newContext();
      const { page, foreignRequests, errors } = await openPage(context);
      const response = await page.goto(lessonUrl(lesson.slug));
      assert.equal(response?.status(), 200);
      assert.equal(await page.locator('h1').first().textContent(), lesson.title);

      // Read through once, as a reader does: a cell that waits until it is seen runs then.
      await readToTheEnd(page);
      const cells = await settledCells(page);
      const rejected = cells.filter((cell) => cell.state === 'rejected');
      assert.deepEqual(rejected, [], `rejected cells: ${JSON.stringify(rejected)}`);

      // The backend badge names the backend the cells run on, once one is chosen.
      const backend = await page.evaluate(() => document.documentElement.dataset['backend']);
      if (backend !== undefined) {
        await page.waitForFunction(
          (name) => document.querySelector('backend-badge')?.getAttribute('data-backend') === name,
          backend,
        );
      }
      if (lesson.slug !== 'training-run') await pressEveryButton(page);
      assert.deepEqual(foreignRequests, []);
      assert.deepEqual(
        errors.filter((e) => /Content.Security.Policy|pageerror/i.test(e)),
        [],
        'no uncaught errors and no CSP violations',
      );
      await context.close();
    });
  }
});
