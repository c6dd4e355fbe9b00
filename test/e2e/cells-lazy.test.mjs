// @ts-check
/**
 * Lesson pages without test mode (what a reader gets) in Chromium: cells wait until the reader
 * scrolls near them, so loading the page fetches neither TF.js nor Plotly; a cell brought into
 * view runs with the cells it reads, the others keep waiting; "Run all cells" runs the rest, and
 * nothing rejects. (`?test=1` pages run everything at once: the other e2e files.)
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { launchBrowser, lessonUrl, openPage, settledCells } from './helpers.mjs';

const SLUG = 'how-these-notebooks-work';

/** @type {import('playwright-core').Browser} */
let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser.close();
});

/** @param {import('playwright-core').Page} page */
const states = (page) =>
  page.$$eval('[data-cell]', (cells) =>
    Object.fromEntries(
      cells.map((c) => [c.getAttribute('data-cell'), c.getAttribute('data-state')]),
    ),
  );

describe('lazy lesson page', () => {
  it('runs a cell when it nears the viewport, and Run all runs the rest', async () => {
    const context = await browser.newContext({ viewport: { width: 412, height: 823 } });
    const { page, foreignRequests, errors } = await openPage(context);
    /** @type {string[]} */
    const scripts = [];
    page.on('request', (r) => scripts.push(new URL(r.url()).pathname));
    await page.goto(lessonUrl(SLUG, ''));
    await page.waitForSelector('[data-lesson-root][data-mount="done"]', { timeout: 60_000 });
    // The last cell is far below the first screen: it waits, and says so.
    const last = page.locator('section.cell').last();
    await page.waitForFunction(
      () => [...document.querySelectorAll('section.cell')].at(-1)?.hasAttribute('data-waiting'),
      undefined,
      { timeout: 30_000 },
    );
    assert.equal(await last.getAttribute('data-state'), 'pending');
    assert.match((await last.locator('.cell-status').textContent()) ?? '', /scroll here/);
    const heavy = () => scripts.filter((p) => /\/_astro\/(tfjs|plotly)[.-]/.test(p));
    assert.deepEqual(heavy(), [], 'nothing heavy is fetched while no cell near the top needs it');

    // Bring the plot into view: it runs (Plotly loads), with the cells it reads.
    await page.locator('[data-cell="rankPlot"]').scrollIntoViewIfNeeded();
    await page.waitForFunction(
      () =>
        document.querySelector('[data-cell="rankPlot"]')?.getAttribute('data-state') ===
        'fulfilled',
      undefined,
      { timeout: 60_000 },
    );
    const after = await states(page);
    for (const key of ['r', 'layer', 'counts']) assert.equal(after[key], 'fulfilled', key);
    assert.equal(await last.getAttribute('data-state'), 'pending', 'a cell far below still waits');
    assert.ok(
      heavy().some((p) => p.includes('plotly')),
      'Plotly loaded for the plot',
    );

    await page.getByRole('button', { name: 'Run all cells', exact: true }).click();
    const cells = await settledCells(page);
    assert.deepEqual(
      cells.filter((c) => c.state !== 'fulfilled'),
      [],
    );
    assert.deepEqual(foreignRequests, []);
    assert.deepEqual(
      errors.filter((e) => /Content.Security.Policy|pageerror/i.test(e)),
      [],
    );
    await context.close();
  });
});
