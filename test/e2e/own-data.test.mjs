// @ts-check
/**
 * The own-data lesson in Chromium, on the reader's path (`?test=1` only shrinks the run to a few
 * steps): a CSV picked through a real file chooser is read (rows, labels, split), an adapter is
 * trained with a pointer press of Start, its three files are downloaded through the browser's
 * download, picked again and loaded into a fresh model with the same predictions; no request the
 * page makes carries any of the file's text; a bad paste names its row and column and stays in the
 * box; kept data is in localStorage only when asked, and Forget removes it.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import {
  BASE_URL,
  cellMessage,
  editCell,
  launchBrowser,
  lessonUrl,
  openPage,
  settledCells,
} from './helpers.mjs';

const SLUG = 'own-data';
/** In every sentence of the file: no request may carry it. */
const MARKER = 'qzvprivate';

/** A small three-label file, quoted cells and a CRLF line end included. */
function ticketsCsv() {
  const topics = {
    billing: ['charged', 'invoice', 'refund'],
    hardware: ['screen', 'battery', 'keyboard'],
    shipping: ['parcel', 'courier', 'delivery'],
  };
  const lines = ['id,text,team'];
  let id = 0;
  for (let i = 0; i < 12; i++)
    for (const [team, words] of Object.entries(topics))
      lines.push(`${id++},"${MARKER} my ${words[i % 3]}, case ${i}, is ""wrong"" again",${team}`);
  return lines.join('\r\n') + '\r\n';
}

/** @type {import('playwright-core').Browser} */
let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser.close();
});

/**
 * Picks files through the page's real file chooser, opened by a pointer click on `selector`.
 * @param {import('playwright-core').Page} page
 * @param {string} selector
 * @param {Parameters<import('playwright-core').FileChooser['setFiles']>[0]} files
 */
async function pick(page, selector, files) {
  const [chooser] = await Promise.all([
    page.waitForEvent('filechooser'),
    page.locator(selector).click(),
  ]);
  await chooser.setFiles(files);
}

describe('own-data lesson (Chromium)', () => {
  it('reads a picked file, trains, downloads the adapter, loads it back with the same predictions, and sends none of the data', async () => {
    const context = await browser.newContext({ acceptDownloads: true });
    const { page, foreignRequests, errors } = await openPage(context);
    /** @type {string[]} */
    const carried = [];
    page.on('request', (request) => {
      const body = request.postData() ?? '';
      const headers = JSON.stringify(request.headers());
      if ([request.url(), body, headers].some((s) => s.includes(MARKER)))
        carried.push(request.url());
    });
    try {
      await page.goto(lessonUrl(SLUG));
      await settledCells(page, 180_000);
      // The example is read until the reader gives something.
      assert.match((await page.locator('[data-own-source]').textContent()) ?? '', /the example/);

      await pick(page, '[data-cell="picked"] input[type=file]', {
        name: 'tickets.csv',
        mimeType: 'text/csv',
        buffer: Buffer.from(ticketsCsv()),
      });
      await page.waitForFunction(
        () => /your file/.test(document.querySelector('[data-own-source]')?.textContent ?? ''),
        undefined,
        { timeout: 30_000 },
      );
      await settledCells(page, 180_000);
      const report = await page.locator('[data-own-report]').textContent();
      assert.match(report ?? '', /36 rows, 3 labels/);
      assert.match(report ?? '', /billing\s*12/);
      // The columns were guessed: text and team, not the id.
      const chosen = await page
        .locator('[data-cell="columns"] select')
        .evaluateAll((ss) =>
          ss.map((s) => /** @type {HTMLSelectElement} */ (s).selectedOptions[0]?.textContent),
        );
      assert.deepEqual(chosen, ['text', 'team']);

      assert.match(
        (await page.locator('[data-own-trainer]').textContent()) ?? '',
        /in a Web Worker/,
      );
      await page.locator('[data-train-panel] button[data-action="start"]').first().click();
      await page.waitForFunction(
        () => document.querySelector('[data-train-panel]')?.getAttribute('data-state') === 'done',
        undefined,
        { timeout: 120_000 },
      );
      await page.locator('[data-own-accuracy]').waitFor({ timeout: 60_000 });
      const confusion = await page.locator('[data-own-confusion] tbody tr').count();
      assert.equal(confusion, 3);

      // The download links come from a cell that reruns as the run's last values arrive: take
      // them once the page has settled, as a reader who has read the results does.
      await settledCells(page);
      /** @type {{ name: string, mimeType: string, buffer: Buffer }[]} */
      const saved = [];
      for (const name of ['adapter_config.json', 'adapter_model.safetensors', 'labels.json']) {
        const [download] = await Promise.all([
          page.waitForEvent('download'),
          page.locator(`a[data-download="${name}"]`).click(),
        ]);
        assert.equal(download.suggestedFilename(), name);
        const path = await download.path();
        saved.push({ name, mimeType: 'application/octet-stream', buffer: await readFile(path) });
      }
      const config = JSON.parse(saved[0]?.buffer.toString('utf8') ?? '{}');
      assert.equal(config.peft_type, 'LORA');
      assert.deepEqual(config.modules_to_save, ['classifier']);
      assert.deepEqual(JSON.parse(saved[2]?.buffer.toString('utf8') ?? '{}').labels, [
        'billing',
        'hardware',
        'shipping',
      ]);

      await pick(page, '[data-own-load]', saved);
      await page.waitForFunction(
        () => /^Loaded/.test(document.querySelector('[data-own-loaded]')?.textContent ?? ''),
        undefined,
        { timeout: 60_000 },
      );
      const loaded = (await page.locator('[data-own-loaded]').textContent()) ?? '';
      const same = /the same prediction for (\d+) of (\d+)/.exec(loaded);
      assert.ok(same, loaded);
      assert.equal(same[1], same[2], loaded);
      const diff = Number(/largest probability difference ([\d.e+-]+)/.exec(loaded)?.[1]);
      assert.ok(diff < 1e-5, loaded);

      assert.deepEqual(carried, [], 'no request carries the data');
      assert.deepEqual(foreignRequests, []);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  it('names the row and column of a bad paste and keeps it; keeps data only when asked; Forget removes it', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const { page } = await openPage(context);
    try {
      await page.goto(lessonUrl(SLUG));
      await settledCells(page, 180_000);
      const bad = 'text,label\nfine,a\nhello, world,b\n';
      await page.locator('[data-cell="pasted"] textarea').click();
      await page.keyboard.insertText(bad);
      await page.waitForFunction(
        () =>
          document.querySelector('[data-cell="table"]')?.getAttribute('data-state') === 'rejected',
        undefined,
        { timeout: 30_000 },
      );
      assert.match(await cellMessage(page, 'table'), /row 2: CSV: 3 cells but the header names 2/);
      assert.equal(await page.locator('[data-cell="pasted"] textarea').inputValue(), bad);

      // A good paste; nothing is stored until the box is ticked.
      await page
        .locator('[data-cell="pasted"] textarea')
        .fill('text,label\nfine,a\nbad,b\nok,a\nno,b\n');
      await settledCells(page, 120_000);
      const key = 'lora-live:own-data:v1';
      assert.equal(await page.evaluate((k) => localStorage.getItem(k), key), null);
      await page.locator('[data-cell="keep"] input[type=checkbox]').click();
      await page.waitForFunction((k) => localStorage.getItem(k) !== null, key);
      assert.match((await page.evaluate((k) => localStorage.getItem(k), key)) ?? '', /fine,a/);

      // Kept across a reload, then forgotten with one button.
      await page.reload();
      await settledCells(page, 180_000);
      assert.match(
        (await page.locator('[data-own-source]').textContent()) ?? '',
        /kept in this browser/,
      );
      await page.locator('button[data-action="forget"]').click();
      await page.waitForFunction((k) => localStorage.getItem(k) === null, key);
      assert.match((await page.locator('[data-own-forgotten]').textContent()) ?? '', /Forgotten/);
      await settledCells(page, 120_000);
      assert.match((await page.locator('[data-own-source]').textContent()) ?? '', /the example/);
      assert.equal(await page.locator('[data-cell="pasted"] textarea').inputValue(), '');

      // A 20,000-row TSV through the file chooser: read, reported and split.
      const big = ['label\tsentence'];
      for (let i = 0; i < 20_000; i++)
        big.push(`${['a', 'b', 'c', 'd'][i % 4] ?? ''}\trow ${i} says ${i % 7}`);
      const t0 = Date.now();
      await pick(page, '[data-cell="picked"] input[type=file]', {
        name: 'big.tsv',
        mimeType: 'text/tab-separated-values',
        buffer: Buffer.from(big.join('\n')),
      });
      await page.waitForFunction(
        () =>
          /20,000 rows, 4 labels/.test(
            document.querySelector('[data-own-report]')?.textContent ?? '',
          ),
        undefined,
        { timeout: 60_000 },
      );
      console.log(`20,000 rows read and reported in ${String(Date.now() - t0)} ms`);
      assert.match(
        (await page.locator('[data-own-report]').textContent()) ?? '',
        /16,000\s*training and\s*4,000\s*validation/,
      );
      // Over the (test-sized) threshold: the page's worker read it.
      assert.match(
        (await page.locator('[data-own-report] caption').first().textContent()) ?? '',
        /parsed on a background thread/,
      );
      // A refusal from the worker (over 100,000 characters) names the row as the page's reader does.
      const broken = ['text,label'];
      for (let i = 1; i <= 6000; i++)
        broken.push(
          i === 4321 ? `row ${i}, with a comma,x` : `row ${i} is long enough to need the worker,x`,
        );
      await pick(page, '[data-cell="picked"] input[type=file]', {
        name: 'broken.csv',
        mimeType: 'text/csv',
        buffer: Buffer.from(broken.join('\n')),
      });
      await page.waitForFunction(
        () =>
          document.querySelector('[data-cell="table"]')?.getAttribute('data-state') === 'rejected',
        undefined,
        { timeout: 30_000 },
      );
      assert.match(
        await cellMessage(page, 'table'),
        /row 4321: CSV: 3 cells but the header names 2/,
      );
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      assert.ok(overflow <= 0, `horizontal overflow at 390 px: ${overflow}`);
    } finally {
      await context.close();
    }
  });

  it('Stop ends a long run between steps and Resume continues it (the reader edits the steps)', async () => {
    const context = await browser.newContext();
    const { page, errors } = await openPage(context);
    try {
      await page.goto(lessonUrl(SLUG));
      await settledCells(page, 180_000);
      await editCell(
        page,
        'runConfig',
        'runConfig = ({method: "lora", r: 2, loraAlpha: 4, targetModules: ["query"], learningRate: 2e-3, steps: 2000, batchSize: 8, seed: 0, evalEvery: 0})',
      );
      await page.waitForFunction(
        () =>
          / \/ 2000 steps$/.test(
            document.querySelector('[data-train-fraction]')?.textContent ?? '',
          ),
        undefined,
        { timeout: 60_000 },
      );
      const panel = page.locator('[data-train-panel]').first();
      /** @returns {Promise<number>} */
      const steps = () =>
        panel.evaluate((p) => /** @type {any} */ (p).trainingLog?.loss.x.length ?? 0);
      await panel.locator('button[data-action="start"]').click();
      await page.waitForFunction(
        () => {
          const p = /** @type {any} */ (document.querySelector('[data-train-panel]'));
          return (p?.trainingLog?.loss.x.length ?? 0) >= 5;
        },
        undefined,
        { timeout: 60_000 },
      );
      await panel.locator('button[data-action="stop"]').click();
      await page.waitForFunction(
        () =>
          document.querySelector('[data-train-panel]')?.getAttribute('data-state') === 'stopped',
        undefined,
        { timeout: 10_000 },
      );
      const stoppedAt = await steps();
      await page.waitForTimeout(1000);
      assert.equal(await steps(), stoppedAt, 'no step after Stop');
      await panel.locator('button[data-action="resume"]').click();
      await page.waitForFunction(
        (n) => {
          const p = /** @type {any} */ (document.querySelector('[data-train-panel]'));
          return (p?.trainingLog?.loss.x.length ?? 0) >= n + 3;
        },
        stoppedAt,
        { timeout: 60_000 },
      );
      await panel.locator('button[data-action="stop"]').click();
      await page.waitForFunction(
        () =>
          document.querySelector('[data-train-panel]')?.getAttribute('data-state') === 'stopped',
        undefined,
        { timeout: 10_000 },
      );
      assert.ok((await steps()) > stoppedAt);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  it('an embedding page hands a framed cell its data by postMessage (text, never code)', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    try {
      const src = new URL('embed/own-data/sourceNote/?test=1', BASE_URL).href;
      // The host page: the site's home page with its body replaced (an http origin, which
      // `frame-ancestors *` needs; framing from other origins is embed.test.mjs's subject).
      await page.goto(BASE_URL);
      await page.setContent(
        `<iframe title="own data" src="${src}" width="700" height="300"></iframe>`,
      );
      const frame = await (await page.waitForSelector('iframe')).contentFrame();
      assert.ok(frame);
      await frame.waitForSelector('[data-own-source]', { timeout: 60_000 });
      assert.match((await frame.textContent('[data-own-source]')) ?? '', /the example/);
      await page.evaluate(() => {
        const f = /** @type {HTMLIFrameElement} */ (document.querySelector('iframe'));
        f.contentWindow?.postMessage(
          { type: 'lora-live:own-data', name: 'class.csv', text: 'text,label\nyes,a\nno,b\n' },
          '*',
        );
        // Anything else is ignored: another type, or code.
        f.contentWindow?.postMessage({ type: 'other', text: 'x' }, '*');
      });
      await frame.waitForFunction(
        () =>
          /the page around this one sent/.test(
            document.querySelector('[data-own-source]')?.textContent ?? '',
          ),
        undefined,
        { timeout: 30_000 },
      );
      assert.match(
        (await frame.textContent('[data-own-source]')) ?? '',
        /class\.csv.*\s*22 characters/s,
      );
    } finally {
      await context.close();
    }
  });
});
