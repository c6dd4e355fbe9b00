// @ts-check
/**
 * The initialisation lesson opens on precomputed first frames: at its opening settings (no test
 * mode, the real site; `cells=all` runs every cell without scrolling) every cell settles quickly
 * from public/results/initialisation/encoder.json, without downloading the model or training
 * anything; any other setting in the URL runs live.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { launchBrowser, lessonUrl, openPage, settledCells } from './helpers.mjs';

/** @type {import('playwright-core').Browser} */
let browser;

/**
 * What the cells show (their outputs, not their source code).
 * @param {import('playwright-core').Page} page
 */
async function outputs(page) {
  return (await page.locator('.cell-output').allTextContents()).join('\n');
}

before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser.close();
});

describe('initialisation lesson', () => {
  it('opens on the precomputed results: every cell settles, no model download, no rejection', async () => {
    const context = await browser.newContext();
    const { page, foreignRequests } = await openPage(context);
    /** @type {string[]} */
    const paths = [];
    page.on('request', (request) => paths.push(new URL(request.url()).pathname));
    await page.goto(lessonUrl('initialisation', 'cells=all'));
    const cells = await settledCells(page, 90_000);
    assert.deepEqual(
      cells.filter((c) => c.state === 'rejected'),
      [],
    );
    const text = await outputs(page);
    assert.match(text, /Showing precomputed results/);
    // The figures were drawn from the file: the loss plot's table and the derivation's checks.
    assert.match(text, /both zero: ‖∂L\/∂A‖ = ‖∂L\/∂B‖ = 0 at every step/);
    assert.ok(paths.some((p) => p.endsWith('/results/initialisation/encoder.json')));
    assert.ok(
      !paths.some((p) => p.endsWith('/model.safetensors')),
      'the weights are not downloaded while the precomputed frames are shown',
    );
    assert.deepEqual(foreignRequests, []);
    await context.close();
  });

  it('any other setting runs live (the precomputed note goes, the model loads)', async () => {
    const context = await browser.newContext();
    const { page } = await openPage(context);
    const weights = page.waitForRequest((r) => r.url().endsWith('/model.safetensors'), {
      timeout: 60_000,
    });
    await page.goto(lessonUrl('initialisation', 'seed=1&cells=all'));
    await weights;
    // The page says which model runs once the task is built; the precomputed note is gone.
    await page.waitForFunction(() =>
      [...document.querySelectorAll('.cell-output')].some((o) =>
        /Model in use:/.test(o.textContent ?? ''),
      ),
    );
    assert.doesNotMatch(await outputs(page), /Showing precomputed results/);
    await context.close();
  });

  it('a mangled link opens at the defaults, names what it did not use, and keeps other parameters', async () => {
    const context = await browser.newContext();
    const { page, errors } = await openPage(context);
    await page.goto(lessonUrl('initialisation', 'r=3&scale=abc&seed=0&cells=all#x'));
    await page.waitForFunction(() =>
      [...document.querySelectorAll('.cell-output')].some((o) =>
        /From the link, not used:/.test(o.textContent ?? ''),
      ),
    );
    const text = (await outputs(page)).replace(/\s+/g, ' ');
    assert.match(text, /r=3 is not one of 1, 2, 4, 8, 16: using 4/);
    assert.match(text, /scale=abc is not a number from 0\.05 to 2: using 0\.5/);
    const url = new URL(page.url());
    assert.equal(url.searchParams.get('seed'), '0', 'a valid value is kept');
    assert.equal(url.searchParams.get('cells'), 'all', 'other parameters are kept');
    assert.notEqual(url.searchParams.get('r'), '3', 'the refused value is replaced');
    assert.equal(url.hash, '#x');
    assert.deepEqual(errors, []);
    await context.close();
  });
});
