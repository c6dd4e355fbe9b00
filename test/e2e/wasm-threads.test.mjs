// @ts-check
/**
 * TF.js's WASM backend runs threaded under the site's unchanged CSP (issue 24): the build serves
 * its pthread scripts from the site itself (src/platform/wasm-threads-plugin.ts). A reader's page
 * with no flags is cross-origin isolated and runs one thread, saying why (threads were measured no
 * faster for a training step, src/platform/wasm-threads.ts); with `?threads=2` the training
 * worker starts WASM with 2 threads, every worker comes from the site (none from a `blob:` URL),
 * and no Content-Security-Policy violation is reported, in the page or in a worker
 * (`securitypolicyviolation` events, console errors). Threads change no numbers that matter: the
 * lesson's LoRA run through the same worker (the bench page, seed 0, the same batches) gives the
 * same losses with 2 threads as with one.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BASE_URL, launchBrowser, lessonUrl, openPage } from './helpers.mjs';

/** @type {import('playwright-core').Browser} */
let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser.close();
});

/**
 * Records the page's CSP violations into `window.__cspViolations` from its first script on. Left
 * out: `script-src-attr` refusals of inline event handlers, which @observablehq/inputs' htl sets
 * as placeholders before assigning the real handler (see `openPage` in helpers.mjs; they run no
 * code and have nothing to do with workers).
 */
const RECORD_VIOLATIONS = () => {
  /** @type {any} */ (window).__cspViolations = [];
  document.addEventListener('securitypolicyviolation', (e) => {
    if (e.violatedDirective === 'script-src-attr' && e.blockedURI === 'inline') return;
    /** @type {any} */ (window).__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`);
  });
};

/**
 * Watches every worker of `page` (pthread workers included): their URLs, and their console
 * errors (a CSP refusal inside a worker is reported there, not to the page's document).
 * @param {import('playwright-core').Page} page
 */
function watchWorkers(page) {
  /** @type {string[]} */
  const urls = [];
  /** @type {string[]} */
  const errors = [];
  page.on('worker', (worker) => {
    urls.push(worker.url());
    worker.on('console', (/** @type {import('playwright-core').ConsoleMessage} */ m) => {
      if (m.type() === 'error') errors.push(`${worker.url()}: ${m.text()}`);
    });
  });
  return { urls, errors };
}

/**
 * Runs the training bench page (the lesson's LoRA run in its worker) and returns its result.
 * @param {import('playwright-core').Page} page
 * @param {string} query
 */
async function trainBench(page, query) {
  await page.goto(new URL(`bench-train/?${query}`, BASE_URL).href);
  await page.waitForFunction(() => window.__trainBenchResult !== undefined, undefined, {
    timeout: 300_000,
    polling: 250,
  });
  /** @type {any} */
  const result = await page.evaluate(() => window.__trainBenchResult);
  assert.equal(result.error, undefined, String(result.error));
  return result;
}

describe('WASM threads', () => {
  it('a reader with no flags: isolated, one WASM thread, and the badge says why', async () => {
    const context = await browser.newContext();
    const { page, errors } = await openPage(context);
    try {
      // `cells=all`: outside test mode a lesson runs a cell only when the reader nears it.
      await page.goto(lessonUrl('training-run', 'cells=all'));
      await page.waitForSelector('[data-train-setup]', { timeout: 120_000 });
      assert.equal(await page.evaluate(() => crossOriginIsolated), true, 'COOP/COEP are sent');
      assert.equal(await page.textContent('[data-train-backend]'), 'wasm');
      assert.match(
        (await page.textContent('[data-train-setup]')) ?? '',
        /WASM SIMD, 1 thread \(the default: threads did not speed up a training step here\)/,
      );
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  it('?threads=2: the training worker runs WASM on 2 threads, no CSP violation, no blob: worker', async () => {
    const context = await browser.newContext();
    await context.addInitScript(RECORD_VIOLATIONS);
    const { page, errors, foreignRequests } = await openPage(context);
    const workers = watchWorkers(page);
    try {
      await page.goto(lessonUrl('training-run', 'cells=all&threads=2'));
      await page.waitForSelector('[data-train-setup]', { timeout: 120_000 });
      const text = (await page.textContent('[data-train-setup]')) ?? '';
      assert.equal(await page.textContent('[data-train-backend]'), 'wasm');
      assert.match(text, /WASM SIMD, 2 threads/);
      // The pthread workers come from the site's own script, never from a blob: URL.
      const pthreads = workers.urls.filter((u) => u.includes('tfjs-backend-wasm-threaded-simd'));
      console.log(`workers: ${JSON.stringify(workers.urls)}`);
      assert.ok(pthreads.length >= 1, JSON.stringify(workers.urls));
      for (const url of workers.urls) {
        assert.equal(new URL(url).origin, new URL(BASE_URL).origin, `worker from ${url}`);
      }
      assert.deepEqual(await page.evaluate(() => /** @type {any} */ (window).__cspViolations), []);
      assert.deepEqual(workers.errors, []);
      assert.deepEqual(errors, []);
      assert.deepEqual(foreignRequests, []);
    } finally {
      await context.close();
    }
  });

  it('a LoRA run gives the same losses with threads as single-threaded (same seed, same batches)', async () => {
    const context = await browser.newContext();
    await context.addInitScript(RECORD_VIOLATIONS);
    const { page, errors } = await openPage(context);
    const workers = watchWorkers(page);
    try {
      const base = 'backend=wasm&rounds=1&steps=4';
      const one = await trainBench(page, `${base}&threads=1`);
      const two = await trainBench(page, `${base}&threads=2`);
      assert.match(one.reason, /WASM SIMD, 1 thread \(forced by \?threads=1\)/);
      assert.match(two.reason, /WASM SIMD, 2 threads/);
      const lora = (/** @type {any} */ r) =>
        r.runs.find((/** @type {any} */ x) => x.method === 'lora');
      const [a, b] = [lora(one), lora(two)];
      console.log(
        `LoRA losses, 1 thread: ${String(a.firstLoss)} → ${String(a.lastLoss)}; ` +
          `2 threads: ${String(b.firstLoss)} → ${String(b.lastLoss)}`,
      );
      assert.ok(Number.isFinite(a.firstLoss) && a.firstLoss > 0);
      // float32 sums may be split differently across threads: a few ulps, no more.
      assert.ok(Math.abs(a.firstLoss - b.firstLoss) <= 1e-5 * a.firstLoss, 'first loss');
      assert.ok(Math.abs(a.lastLoss - b.lastLoss) <= 1e-4 * a.lastLoss, 'loss after 3 steps');
      assert.ok(a.lastLoss < a.firstLoss, 'the run trains');
      assert.deepEqual(await page.evaluate(() => /** @type {any} */ (window).__cspViolations), []);
      assert.deepEqual(workers.errors, []);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
});
