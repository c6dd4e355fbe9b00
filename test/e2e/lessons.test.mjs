// @ts-check
/** Every lesson page loads, runs all its cells without a rejection, and talks to no other host. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { launchBrowser, lessonsFromSource, lessonUrl, openPage, settledCells } from './helpers.mjs';

/** @type {import('playwright-core').Browser} */
let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser.close();
});

describe('every lesson', () => {
  for (const lesson of lessonsFromSource()) {
    it(`${lesson.slug}: all cells run, none rejected, nothing loaded from elsewhere`, async () => {
      const context = await browser.newContext();
      const { page, foreignRequests, errors } = await openPage(context);
      const response = await page.goto(lessonUrl(lesson.slug));
      assert.equal(response?.status(), 200);
      assert.equal(await page.locator('h1').first().textContent(), lesson.title);

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
