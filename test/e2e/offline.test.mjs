// @ts-check
/**
 * Offline use (issue 10, point 7), in Chromium against the built site: after one visit, with the
 * network off (`context.setOffline(true)`), a lesson reloads and runs, another lesson opens and
 * loads the pretrained model and the data from the service worker's cache, and what is not saved
 * fails at once with a message that says so. Only this test lets service workers run (the other
 * tests' contexts block them, see helpers.mjs).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BASE_URL, launchBrowser, lessonUrl, openPage, settledCells } from './helpers.mjs';

const FIRST = 'how-these-notebooks-work';
const TRAINING = 'training-run';
const MODEL = 'models/tiny-roberta/model.safetensors';
/** A cache of an older build (must be deleted on activate) and one of another app (must stay). */
const OLD_CACHE = 'lora-live-00000000deadbeef';
const OTHER_CACHE = 'someone-else';

/** @type {import('playwright-core').Browser} */
let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser.close();
});

/**
 * Asks the active service worker what it has saved (src/offline/plan.ts `OfflineStatus`).
 * @param {import('playwright-core').Page} page
 * @returns {Promise<{ version: string, shell: { saved: number, total: number }, data: { saved: number, total: number }, missing: string[] }>}
 */
function offlineStatus(page) {
  return page.evaluate(async () => {
    const timeout = (/** @type {string} */ what) =>
      new Promise((_, reject) => {
        setTimeout(() => {
          reject(new Error(`no service worker answered within 20 s (${what})`));
        }, 20_000);
      });
    const registration = /** @type {ServiceWorkerRegistration} */ (
      await Promise.race([navigator.serviceWorker.ready, timeout('ready')])
    );
    const channel = new MessageChannel();
    const reply = new Promise((resolve) => {
      channel.port1.onmessage = (event) => {
        resolve(event.data);
      };
    });
    registration.active?.postMessage({ type: 'offline:status' }, [channel.port2]);
    return /** @type {any} */ (await Promise.race([reply, timeout('status')]));
  });
}

/**
 * @param {{ cell: string, state: string }[]} cells
 */
function notFulfilled(cells) {
  return cells.filter((c) => c.state !== 'fulfilled').map((c) => c.cell);
}

/**
 * The training lesson's set-up (it loads the model and the sentences in the worker), as text.
 * @param {import('playwright-core').Page} page
 */
async function trainingSetup(page) {
  await page.goto(lessonUrl(TRAINING, 'backend=wasm&cells=all'));
  await page.waitForSelector('[data-train-setup]', { timeout: 180_000 });
  return ((await page.textContent('[data-train-setup]')) ?? '').replace(/\s+/g, ' ');
}

describe('offline after one visit', () => {
  it('lessons, the model and the data work with the network off; what is not saved says so at once', async () => {
    const context = await browser.newContext({ serviceWorkers: 'allow' });
    const { page, errors, foreignRequests } = await openPage(context);
    try {
      // The one visit, online.
      await page.goto(lessonUrl(FIRST));
      await page.evaluate(
        async ({ old, other }) => {
          await (await caches.open(old)).put('/x', new Response('from an older build'));
          await (await caches.open(other)).put('/x', new Response('not ours'));
        },
        { old: OLD_CACHE, other: OTHER_CACHE },
      );
      assert.deepEqual(notFulfilled(await settledCells(page)), []);
      // The worker installs (shell saved), activates, takes the page, then saves the data group.
      let status = await offlineStatus(page);
      for (let waited = 0; waited < 120_000; waited += 500) {
        if (status.missing.length === 0) break;
        await page.waitForTimeout(500);
        status = await offlineStatus(page);
      }
      assert.deepEqual(status.missing, [], 'everything in the manifest is saved');
      assert.ok(status.shell.total > 50, `shell: ${JSON.stringify(status.shell)}`);
      assert.ok(status.data.total >= 5, `data: ${JSON.stringify(status.data)}`);
      assert.ok(
        await page.evaluate(() => navigator.serviceWorker.controller !== null),
        'the worker controls the page it was installed from',
      );
      const names = await page.evaluate(() => caches.keys());
      assert.deepEqual(names.sort(), [`lora-live-${status.version}`, OTHER_CACHE].sort());
      assert.deepEqual(errors, []);

      await context.setOffline(true);
      assert.equal(await page.evaluate(() => navigator.onLine), false);

      // Reload the lesson: the page, its scripts and the WASM backend come from the cache.
      await page.reload();
      assert.deepEqual(notFulfilled(await settledCells(page)), []);
      assert.equal(await page.evaluate(() => document.documentElement.dataset['backend']), 'wasm');

      // Another lesson: its worker loads the pretrained model (checked against its SHA-256) and
      // the sentences from the cache.
      const setup = await trainingSetup(page);
      assert.match(setup, /The pretrained encoder is loaded \([\d,]+ words\)/);
      assert.match(setup, /the UCI sentences from \/data\/sentiment\.json/);
      assert.deepEqual(notFulfilled(await settledCells(page, 180_000)), []);

      // A third lesson, without ?test=1: MNIST (9.4 MB of IDX files) comes from the cache. Its
      // cells run as they near the viewport.
      await page.goto(lessonUrl('intrinsic-dimension', ''));
      await page.locator('[data-cell="sets"]').scrollIntoViewIfNeeded();
      await page.waitForFunction(
        () =>
          [...document.querySelectorAll('[data-cell] .cell-output')].some((o) =>
            /Data: MNIST as shipped with this site, 10,000 training and 2,000 test images/.test(
              o.textContent.replace(/\s+/g, ' '),
            ),
          ),
        undefined,
        { timeout: 120_000 },
      );
      assert.equal(await page.getAttribute('[data-cell="mnist"]', 'data-state'), 'fulfilled');

      // A page that is not saved: an offline page that says so and links the saved lessons.
      const started = Date.now();
      const missing = await page.goto(new URL('lessons/not-saved/?x=1', BASE_URL).href);
      assert.equal(missing?.status(), 503);
      assert.equal(await page.locator('h1').textContent(), 'You are offline');
      assert.match(
        (await page.locator('main').textContent()) ?? '',
        /You are offline, and \/lessons\/not-saved\/\?x=1 is not saved on this device/,
      );
      assert.ok(
        (await page.locator(`a[href="/lessons/${TRAINING}/"]`).count()) === 1,
        'the offline page links the saved lessons',
      );
      // A file that is not saved: a 503 whose text says so.
      const file = await page.evaluate(async () => {
        const r = await fetch('/data/not-saved.json');
        return { status: r.status, text: await r.text() };
      });
      assert.deepEqual(file, {
        status: 503,
        text: 'You are offline, and /data/not-saved.json is not saved on this device for offline use.',
      });
      assert.ok(Date.now() - started < 10_000, `answered in ${String(Date.now() - started)} ms`);

      // The model not saved (removed from the cache): the set-up says which file and why, at
      // once, and the lesson still runs (on random weights).
      await page.goto(lessonUrl(FIRST));
      const removed = await page.evaluate(
        async ({ version, path }) => (await caches.open(`lora-live-${version}`)).delete(`/${path}`),
        { version: status.version, path: MODEL },
      );
      assert.equal(removed, true);
      const without = await trainingSetup(page);
      assert.match(
        without,
        new RegExp(
          `No pretrained weights: the pretrained weights could not be used \\(/${MODEL}: HTTP 503 \\(You are offline, and /${MODEL} is not saved on this device for offline use\\.\\)\\)`,
        ),
      );
      assert.deepEqual(notFulfilled(await settledCells(page, 180_000)), []);

      // Back online: the model loads from the network and is saved again on this first use.
      await context.setOffline(false);
      assert.match(await trainingSetup(page), /The pretrained encoder is loaded/);
      let saved = false;
      for (let waited = 0; !saved && waited < 30_000; waited += 500) {
        saved = (await offlineStatus(page)).missing.length === 0;
        if (!saved) await page.waitForTimeout(500);
      }
      assert.ok(saved, 'the model is saved again after its first use online');
      assert.deepEqual(foreignRequests, []);
    } finally {
      await context.close();
    }
  });
});
