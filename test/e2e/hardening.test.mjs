// @ts-check
/**
 * Issue 23 in Chromium against the built site: two tabs of one lesson see each other's saved
 * edits (the `storage` event) and neither loses one; the service worker saves no file whose body
 * is not the one the build made; the server never serves a lesson page with the embed headers;
 * `eval` is refused on a page where no cell runs, and allowed where cells run.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { startServer } from '../../scripts/start-server.mjs';
import { BASE_URL, launchBrowser, lessonUrl, openPage } from './helpers.mjs';

const SLUG = 'how-these-notebooks-work';
const DIST = process.env['DIST_DIR'] ?? fileURLToPath(new URL('../../dist/', import.meta.url));

/** @type {import('playwright-core').Browser} */
let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser.close();
});

/**
 * Replaces the code of the first cell of `page` by typing (as a reader does).
 * @param {import('playwright-core').Page} page
 * @param {string} text
 */
async function typeInFirstCell(page, text) {
  const editor = page.locator('section.cell').first().locator('.cm-content');
  await editor.click();
  await page.keyboard.press('Control+A');
  await page.keyboard.type(text);
}

describe('two tabs of one lesson', () => {
  it("each tab learns of the other's saved edit, and no edit is lost", async () => {
    const context = await browser.newContext();
    const a = await openPage(context);
    const b = await openPage(context);
    for (const { page } of [a, b]) {
      await page.goto(lessonUrl(SLUG, 'cells=all'));
      await page.waitForSelector('section.cell .cm-content', { timeout: 60_000 });
    }
    const first = (/** @type {import('playwright-core').Page} */ page) =>
      page.locator('section.cell').first();
    const original = (await first(a.page).locator('.cm-content').textContent()) ?? '';
    await typeInFirstCell(a.page, 'x_from_a = 1');
    // Tab B hears of it through the storage event, once A has saved (300 ms after typing).
    await b.page.waitForFunction(
      () =>
        /changed in another tab/.test(
          document.querySelector('section.cell .cell-notice')?.textContent ?? '',
        ),
      null,
      { timeout: 10_000 },
    );
    // B types its own code into the same cell: A's edit is kept, not overwritten.
    await typeInFirstCell(b.page, 'x_from_b = 2');
    await b.page.waitForFunction(
      () => document.querySelectorAll('.cells-kept textarea').length === 1,
      null,
      { timeout: 10_000 },
    );
    assert.equal(await b.page.inputValue('.cells-kept textarea'), 'x_from_a = 1');
    // A is told, and can take B's code.
    await a.page.waitForFunction(
      () =>
        /changed in another tab/.test(
          document.querySelector('section.cell .cell-notice')?.textContent ?? '',
        ),
      null,
      { timeout: 10_000 },
    );
    await first(a.page).getByRole('button', { name: 'Use the other tab’s code' }).click();
    assert.equal(await first(a.page).locator('.cm-content').textContent(), 'x_from_b = 2');
    assert.notEqual(original, 'x_from_b = 2');
    assert.deepEqual([...a.errors, ...b.errors], []);
    await context.close();
  });
});

describe('server', () => {
  it('never serves a lesson page with the embed headers, however the path is encoded', async () => {
    for (const path of [`embed/..%2Flessons%2F${SLUG}%2F`, `embed/x/..%5C..%5Clessons/${SLUG}/`]) {
      const response = await fetch(new URL(path, BASE_URL));
      assert.equal(response.status, 400, path);
      assert.doesNotMatch(
        response.headers.get('content-security-policy') ?? '',
        /frame-ancestors \*/,
      );
    }
    const lesson = await fetch(new URL(`lessons/${SLUG}/`, BASE_URL));
    assert.match(lesson.headers.get('content-security-policy') ?? '', /'unsafe-eval'/);
    assert.match(lesson.headers.get('permissions-policy') ?? '', /camera=\(\)/);
    for (const page of ['', 'instructors/', 'bench/', 'data/']) {
      const response = await fetch(new URL(page, BASE_URL));
      assert.doesNotMatch(
        response.headers.get('content-security-policy') ?? '',
        /'unsafe-eval'/,
        page,
      );
    }
  });

  it("eval is refused where no cell runs, and the lesson's cells still run", async () => {
    const context = await browser.newContext();
    const { page, errors } = await openPage(context);
    await page.goto(new URL('instructors/', BASE_URL).href);
    // Code evaluated by the test itself is exempt from the page's CSP; a timer's callback is not.
    const tryEval = () =>
      page.evaluate(
        () =>
          new Promise((resolve) => {
            setTimeout(() => {
              try {
                resolve(String(new Function('return 1')()));
              } catch (error) {
                resolve(String(error));
              }
            }, 0);
          }),
      );
    assert.match(String(await tryEval()), /EvalError/);
    await page.goto(lessonUrl(SLUG, 'cells=all'));
    assert.equal(await tryEval(), '1');
    await page.waitForSelector('section.cell[data-state="fulfilled"]', { timeout: 60_000 });
    assert.deepEqual(
      errors.filter((e) => /Content.Security.Policy|Permissions.Policy/i.test(e)),
      [],
    );
    await context.close();
  });
});

describe('offline cache', () => {
  it('saves no file whose body is not the one the build made (a captive portal, a half deploy)', async () => {
    const copy = mkdtempSync(join(tmpdir(), 'h23-tampered-'));
    cpSync(DIST, copy, { recursive: true });
    // A small file the shell saves at install, changed after the build (as a portal would).
    const data = readdirSync(join(copy, 'data')).find((name) => name.endsWith('.json'));
    assert.ok(data, 'the build has a data/*.json file');
    writeFileSync(join(copy, 'data', data), '<html>Sign in to continue</html>');
    const saved = process.env['DIST_DIR'];
    process.env['DIST_DIR'] = copy;
    const server = await startServer();
    if (saved === undefined) delete process.env['DIST_DIR'];
    else process.env['DIST_DIR'] = saved;
    const context = await browser.newContext({ serviceWorkers: 'allow' });
    try {
      const page = await context.newPage();
      await page.goto(new URL('', server.url).href);
      const outcome = await page.evaluate(async (path) => {
        // Wait for the install to end: activated, or failed (a first install that fails removes
        // its registration). The page registers the worker once it is idle (up to 5 s).
        let seen = false;
        let active = false;
        const end = Date.now() + 45_000;
        while (Date.now() < end) {
          const r = await navigator.serviceWorker.getRegistration();
          if (r?.active) {
            active = true;
            break;
          }
          // Seen once it has a worker (the registration exists before its script is fetched).
          if (r && (r.installing ?? r.waiting)) seen = true;
          else if (seen) break; // The install ended without an active worker: it failed.
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        const hits = [];
        for (const name of await caches.keys()) {
          const hit = await (await caches.open(name)).match(new URL(path, location.href).href);
          if (hit) hits.push(await hit.text());
        }
        return { seen, active, hits };
      }, `data/${data}`);
      assert.deepEqual(outcome, { seen: true, active: false, hits: [] });
    } finally {
      await context.close();
      server.stop();
      rmSync(copy, { recursive: true, force: true });
    }
  });
});
