// @ts-check
/**
 * Every lesson read the way a person reads it: no `?test=1`, no `?cells=all`, the page opened
 * cold and scrolled one screen at a time with the mouse wheel to the end, on a desktop viewport
 * in the light theme and on a phone viewport in the dark one. Every cell the reader passes must
 * settle without rejecting (the lessons' loaders fetch the shipped model, MNIST and results files
 * as they do for a reader), and nothing may throw or reach another host. Buttons are pressed by
 * lessons.test.mjs; here nothing is clicked, as by a reader who only reads.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  launchBrowser,
  lessonUrl,
  lessonsFromSource,
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

const READERS = /** @type {const} */ ([
  { name: 'desktop, light', viewport: { width: 1280, height: 900 }, colorScheme: 'light' },
  {
    name: 'phone, dark',
    viewport: { width: 390, height: 844 },
    colorScheme: 'dark',
    isMobile: true,
    hasTouch: true,
  },
]);

describe('a reader scrolls through every lesson', () => {
  for (const lesson of lessonsFromSource()) {
    for (const reader of READERS) {
      it(`${lesson.slug} (${reader.name}): every cell settles, none rejects`, async () => {
        const { name: _name, ...options } = reader;
        const context = await browser.newContext(options);
        const { page, foreignRequests, errors } = await openPage(context);
        try {
          const response = await page.goto(lessonUrl(lesson.slug, ''));
          assert.equal(response?.status(), 200);
          assert.equal(
            await page.evaluate(() => matchMedia('(prefers-color-scheme: dark)').matches),
            reader.colorScheme === 'dark',
          );
          const screens = await readToTheEnd(page);
          assert.ok(screens > 2, `only ${String(screens)} screens`);
          // Full sizes: a cell that trains on open (MNIST's slider run) takes a while here.
          const cells = await settledCells(page, 600_000);
          const waiting = await page.$$eval('[data-cell][data-waiting]', (els) =>
            els.map((e) => e.getAttribute('data-cell')),
          );
          assert.deepEqual(waiting, [], 'cells the reader scrolled past but that never ran');
          const rejected = cells.filter((c) => c.state !== 'fulfilled');
          assert.deepEqual(
            rejected.map((c) => `${c.cell}: ${c.output.slice(0, 200)}`),
            [],
            'cells that rejected on the reader path',
          );
          const shownErrors = await page.$$eval('[data-cell] [role="alert"]', (els) =>
            els.map((e) => e.textContent?.trim() ?? '').filter((t) => t !== ''),
          );
          assert.deepEqual(shownErrors, [], 'errors shown in cells');
          assert.deepEqual(foreignRequests, []);
          assert.deepEqual(errors, []);
        } finally {
          await context.close();
        }
      });
    }
  }
});
