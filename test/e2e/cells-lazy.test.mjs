// @ts-check
/**
 * Lesson pages without test mode (what a reader gets) in Chromium: the cell runtime itself loads
 * only when a cell nears the viewport (or on "Run all cells"), so a page whose cells are below the
 * first screen fetches no runtime, TF.js or Plotly at load and shows each cell's code as the
 * server's <pre>; a cell brought into view runs with the cells it reads, the others keep waiting;
 * "Run all cells" runs the rest, and nothing rejects. (`?test=1` pages run everything at once:
 * the other e2e files.)
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import { launchBrowser, lessonUrl, openPage, settledCells } from './helpers.mjs';

const SLUG = 'how-these-notebooks-work';
const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

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
  it('loads the runtime when a cell nears the viewport; Run all runs the rest', async () => {
    const context = await browser.newContext({ viewport: { width: 412, height: 823 } });
    const { page, foreignRequests, errors } = await openPage(context);
    /** @type {string[]} */
    const scripts = [];
    page.on('request', (r) => scripts.push(new URL(r.url()).pathname));
    await page.goto(lessonUrl(SLUG, ''));
    // No cell is on the first screen: the runtime waits, the code is the server's <pre>.
    const firstTop = await page.evaluate(
      () => document.querySelector('section.cell')?.getBoundingClientRect().top ?? 0,
    );
    assert.ok(
      firstTop > 823 * 1.75,
      `this test needs the lesson's first cell more than 0.75 screen below the first screen (START_MARGIN); it is at ${String(firstTop)} px`,
    );
    await page.waitForSelector('[data-lesson-root][data-mount="waiting"]');
    await page.waitForTimeout(1500);
    assert.equal(await page.getAttribute('[data-lesson-root]', 'data-mount'), 'waiting');
    const runtime = () => scripts.filter((p) => /\/_astro\/mount\./.test(p));
    assert.deepEqual(runtime(), [], 'the cell runtime is not fetched before a cell nears');
    assert.equal((await page.locator('section.cell pre.cell-source').count()) > 0, true);
    assert.equal(await page.locator('.cm-content').count(), 0);
    await page.getByRole('button', { name: 'Run all cells', exact: true }).waitFor();

    // Scrolling towards the first cell loads the runtime; its editor replaces the <pre>.
    await page.locator('section.cell').first().scrollIntoViewIfNeeded();
    await page.waitForSelector('[data-lesson-root][data-mount="done"]', { timeout: 60_000 });
    assert.equal(
      await page.getAttribute('[data-lesson-root]', 'data-mount-trigger'),
      'cell near the viewport',
    );
    await page.locator('section.cell').first().locator('.cm-content').waitFor({ timeout: 30_000 });
    // The last cell is far below: it waits, and says so.
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

  it('"Run all cells" before the runtime has loaded runs every cell', async () => {
    const context = await browser.newContext({ viewport: { width: 412, height: 823 } });
    const { page, errors } = await openPage(context);
    await page.goto(lessonUrl(SLUG, ''));
    await page.waitForSelector('[data-lesson-root][data-mount="waiting"]');
    await page.getByRole('button', { name: 'Run all cells', exact: true }).click();
    const cells = await settledCells(page);
    assert.deepEqual(
      cells.filter((c) => c.state !== 'fulfilled'),
      [],
    );
    assert.equal(
      await page.getAttribute('[data-lesson-root]', 'data-mount-trigger'),
      'Run all cells',
    );
    // The runtime's own bar replaced the stand-in; every cell already runs, so it has no Run all.
    assert.equal(await page.locator('[data-stand-in]').count(), 0);
    await page.getByRole('button', { name: 'Reset all', exact: true }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Run all cells' }).count(), 0);
    // The pressed stand-in is gone: keyboard focus went back into the lesson, not to <body>.
    await page.waitForFunction(
      () => document.activeElement !== document.body && document.activeElement !== null,
      undefined,
      { timeout: 10_000 },
    );
    assert.equal(
      await page.evaluate(() =>
        Boolean(
          document.activeElement?.closest('[data-lesson-toolbar], [data-lesson-root]') ?? null,
        ),
      ),
      true,
      'focus is in the lesson toolbar or a cell',
    );
    assert.deepEqual(
      errors.filter((e) => /Content.Security.Policy|pageerror/i.test(e)),
      [],
    );
    await context.close();
  });

  it('a stored edit loads the runtime at once, so the editor shows the edit', async () => {
    const context = await browser.newContext({ viewport: { width: 412, height: 823 } });
    const { page } = await openPage(context);
    await page.goto(lessonUrl(SLUG, ''));
    const index = Number(await page.locator('section.cell').last().getAttribute('data-cell-index'));
    const original = (await page.locator('section.cell').last().locator('pre').textContent()) ?? '';
    await page.evaluate(
      ({ key, value }) => {
        localStorage.setItem(key, value);
      },
      {
        key: `lora-lessons:edit:v1:${SLUG}:${String(index)}`,
        value: JSON.stringify({ source: `${original}\n// EDITED`, originalHash: 'x', savedAt: 1 }),
      },
    );
    await page.reload();
    await page.waitForSelector('[data-lesson-root][data-mount="done"]', { timeout: 60_000 });
    assert.equal(
      await page.getAttribute('[data-lesson-root]', 'data-mount-trigger'),
      'stored edits',
    );
    await context.close();
  });

  for (const theme of /** @type {const} */ (['light', 'dark'])) {
    it(`the server's code of a waiting cell has enough contrast (${theme} theme)`, async () => {
      const context = await browser.newContext({
        viewport: { width: 412, height: 823 },
        colorScheme: theme,
        bypassCSP: true, // axe is added as an inline script
      });
      const { page } = await openPage(context);
      await page.goto(lessonUrl('initialisation', ''));
      await page.waitForSelector('[data-lesson-root][data-mount="waiting"]');
      assert.equal(await page.getAttribute('html', 'data-theme'), theme);
      await page.addScriptTag({ path: axePath });
      /** @type {string[]} */
      const found = await page.evaluate(async () => {
        // @ts-expect-error axe is the global the script tag defined
        const result = await window.axe.run(
          { include: [['section.cell pre.cell-source']] },
          { runOnly: { type: 'rule', values: ['color-contrast'] } },
        );
        return result.violations.flatMap(
          (/** @type {{ nodes: { target: string[], failureSummary?: string }[] }} */ v) =>
            v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary ?? ''}`),
        );
      });
      assert.deepEqual(found.slice(0, 5), []);
      await context.close();
    });
  }
});
