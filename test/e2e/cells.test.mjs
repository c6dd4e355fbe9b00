// @ts-check
/**
 * What only a browser shows about live cells, on the first lesson: editing reruns dependents,
 * errors show inline and clear, edits persist, Reset restores, shared links ask first, runaway
 * loops stop, and the WebGPU backend can be forced.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  cellMessage,
  cellSettled,
  editCell,
  editorText,
  launchBrowser,
  lessonUrl,
  openPage,
  settledCells,
} from './helpers.mjs';

const SLUG = 'how-these-notebooks-work';

/** @type {import('playwright-core').Browser} */
let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser.close();
});

/** A fresh context (fresh storage) with the lesson loaded and every cell settled. */
async function freshLesson(query = 'test=1') {
  const context = await browser.newContext();
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const opened = await openPage(context);
  opened.page.on('dialog', (dialog) => void dialog.accept());
  await opened.page.goto(lessonUrl(SLUG, query));
  const cells = await settledCells(opened.page);
  return { context, cells, ...opened };
}

/**
 * @param {import('playwright-core').Page} page
 * @param {string} key
 */
const outputOf = (page, key) =>
  page.locator(`[data-cell="${key}"] .cell-output`).evaluate((el) => el.textContent);

describe('live cells', () => {
  it('rerun their dependents when edited (Shift+Enter)', async () => {
    const { context, page, foreignRequests } = await freshLesson();
    const before = await outputOf(page, '3');
    assert.match(before, /589,824/, 'a 768×768 layer has 589,824 weights');
    await editCell(page, 'layer', 'layer = ({dIn: 1024, dOut: 512})');
    await cellSettled(page, 'layer', 'fulfilled');
    // `counts` depends on `layer`, and cell 3 on `counts`: both must rerun by themselves.
    await page.waitForFunction(
      () => document.querySelector('[data-cell="3"] .cell-output')?.textContent.includes('524,288'),
      undefined,
      { timeout: 30_000 },
    );
    const after = await outputOf(page, '3');
    assert.match(after, /3,072/, 'rank 2 on 1024→512 trains 2·(1024 + 512) numbers');
    assert.deepEqual(foreignRequests, []);
    await context.close();
  });

  it('rerun their dependents when a slider moves', async () => {
    const { context, page } = await freshLesson();
    assert.match(await outputOf(page, '3'), /At rank 2,/);
    const slider = page.locator('[data-cell="r"] input[type="range"]');
    await slider.focus();
    await page.keyboard.press('ArrowRight');
    await page.waitForFunction(
      () =>
        document.querySelector('[data-cell="3"] .cell-output')?.textContent.includes('At rank 3,'),
      undefined,
      { timeout: 30_000 },
    );
    assert.match(await outputOf(page, '3'), /4,608/, 'rank 3 on 768→768 trains 3·1536 numbers');
    await context.close();
  });

  it('show an error inline, keep the other cells working, and clear it when fixed', async () => {
    const { context, page } = await freshLesson();
    const original = await editorText(page, 'counts');
    await editCell(page, 'counts', 'counts = ({full: layr.dIn * layer.dOut, lora: 0})');
    await cellSettled(page, 'counts', 'rejected');
    assert.match(await cellMessage(page, 'counts'), /layr/, 'the error names the culprit');
    // An unrelated cell still runs.
    await editCell(page, 'alpha', 'alpha = 8');
    await cellSettled(page, 'alpha', 'fulfilled');
    await editCell(page, 'counts', original);
    await cellSettled(page, 'counts', 'fulfilled');
    assert.doesNotMatch(await cellMessage(page, 'counts'), /layr/, 'the error is gone');
    await context.close();
  });

  it('keep edits across a reload, and Reset restores the original code', async () => {
    const { context, page } = await freshLesson();
    assert.equal(await editorText(page, 'alpha'), 'alpha = 4');
    await editCell(page, 'alpha', 'alpha = 16');
    await cellSettled(page, 'alpha', 'fulfilled');
    await page.reload();
    await settledCells(page);
    assert.equal(await editorText(page, 'alpha'), 'alpha = 16', 'the edit survived the reload');

    await page
      .locator('[data-cell="alpha"]')
      .getByRole('button', { name: /^reset/i })
      .click();
    await page.waitForFunction(
      () => document.querySelector('[data-cell="alpha"] .cm-content')?.textContent === 'alpha = 4',
    );
    await cellSettled(page, 'alpha', 'fulfilled');
    await page.reload();
    await settledCells(page);
    assert.equal(await editorText(page, 'alpha'), 'alpha = 4', 'the reset survived the reload');
    await context.close();
  });

  it('Reset all restores every cell', async () => {
    const { context, page } = await freshLesson();
    await editCell(page, 'alpha', 'alpha = 2');
    await cellSettled(page, 'alpha', 'fulfilled');
    await editCell(page, 'layer', 'layer = ({dIn: 10, dOut: 10})');
    await cellSettled(page, 'layer', 'fulfilled');
    await page.getByRole('button', { name: /reset all/i }).click();
    await page.waitForFunction(
      () =>
        document.querySelector('[data-cell="alpha"] .cm-content')?.textContent === 'alpha = 4' &&
        document.querySelector('[data-cell="layer"] .cm-content')?.textContent ===
          'layer = ({dIn: 768, dOut: 768})',
    );
    await context.close();
  });

  it('run shared code only after the reader agrees', async () => {
    const { context, page } = await freshLesson();
    await editCell(page, 'alpha', 'alpha = 8');
    await cellSettled(page, 'alpha', 'fulfilled');
    await page
      .locator('[data-lesson-toolbar]')
      .getByRole('button', { name: /^share$/i })
      .click();
    const shared = await sharedLink(page);
    assert.ok(shared.startsWith(lessonUrl(SLUG, '').replace(/\/$/, '')), shared);
    await context.close();

    const other = await browser.newContext();
    const { page: reader } = await openPage(other);
    await reader.goto(shared);
    const consent = reader.getByRole('button', { name: /run shared code/i });
    await consent.waitFor({ timeout: 30_000 });
    assert.equal(await editorText(reader, 'alpha'), 'alpha = 8', 'the shared code is shown');
    // Give the page time to (wrongly) run it, then check it has not.
    await reader.waitForTimeout(1500);
    assert.equal(
      await reader.locator('[data-cell="alpha"]').getAttribute('data-state'),
      'pending',
      'shared code must not run before the reader agrees',
    );
    await consent.click();
    await cellSettled(reader, 'alpha', 'fulfilled');
    const cells = await settledCells(reader);
    assert.deepEqual(
      cells.filter((cell) => cell.state === 'rejected'),
      [],
    );
    await other.close();
  });

  it('stop a runaway loop with an inline error within a few seconds', async () => {
    const { context, page } = await freshLesson();
    const started = Date.now();
    // A block cell (a bare statement is not Observable JavaScript and would fail to parse at once).
    await editCell(page, '3', '{ while (true) {} }');
    await cellSettled(page, '3', 'rejected', 20_000);
    const seconds = (Date.now() - started) / 1000;
    assert.ok(seconds < 15, `stopped after ${seconds.toFixed(1)} s`);
    assert.match(
      await cellMessage(page, '3'),
      /loop ran for more than/i,
      'the loop guard says why',
    );
    // The page is alive again: another edit runs, and the stopped cell runs once fixed.
    await editCell(page, 'alpha', 'alpha = 2');
    await cellSettled(page, 'alpha', 'fulfilled', 15_000);
    await editCell(page, '3', 'counts.lora');
    await cellSettled(page, '3', 'fulfilled', 15_000);
    await context.close();
  });

  it('run on WebGPU when ?backend=webgpu forces it', async () => {
    const { context, page, cells } = await freshLesson('test=1&backend=webgpu');
    await page.waitForFunction(() => document.documentElement.dataset['backend'] === 'webgpu', {
      timeout: 90_000,
    });
    assert.deepEqual(
      cells.filter((cell) => cell.state === 'rejected'),
      [],
    );
    await page.waitForFunction(() =>
      document.querySelector('backend-badge')?.textContent.includes('webgpu'),
    );
    await context.close();
  });
});

/**
 * The link the Share button produced: from the clipboard, or from the field it reveals (labelled
 * "Share link") when the clipboard is not available.
 * @param {import('playwright-core').Page} page
 * @returns {Promise<string>}
 */
async function sharedLink(page) {
  const field = page.getByRole('textbox', { name: /share link/i });
  await field.waitFor({ timeout: 10_000 });
  const fromField = await field.inputValue();
  const fromClipboard = await page.evaluate(() => navigator.clipboard.readText()).catch(() => '');
  return fromClipboard.startsWith('http') ? fromClipboard : fromField;
}
