// @ts-check
/**
 * TF.js's WASM backend runs threaded under the site's unchanged CSP (issue 24): the build serves
 * its pthread scripts from the site itself (src/platform/wasm-threads-plugin.ts). A reader's page
 * with no flags is cross-origin isolated, its training worker starts WASM with more than one
 * thread where the machine has more than one core, every worker comes from the site (none from a
 * `blob:` URL), and no Content-Security-Policy violation is reported, in the page or in a worker
 * (`securitypolicyviolation` events, console errors). Threads change no numbers that matter: the
 * lesson's LoRA run through the same worker (the bench page, seed 0, the same batches) gives the
 * same losses with threads as single-threaded (`?threads=1`, the tests' and the bench's switch).
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
  it('a reader with no flags: the training worker runs WASM threaded, no CSP violation, no blob: worker', async () => {
    const context = await browser.newContext();
    await context.addInitScript(RECORD_VIOLATIONS);
    const { page, errors, foreignRequests } = await openPage(context);
    const workers = watchWorkers(page);
    try {
      // `cells=all`: outside test mode a lesson runs a cell only when the reader nears it.
      await page.goto(lessonUrl('training-run', 'cells=all'));
      await page.waitForSelector('[data-train-setup]', { timeout: 120_000 });
      const { isolated, cores } = await page.evaluate(() => ({
        isolated: crossOriginIsolated,
        cores: navigator.hardwareConcurrency,
      }));
      assert.equal(isolated, true, 'the site sends COOP/COEP, so its pages are isolated');
      const text = (await page.textContent('[data-train-setup]')) ?? '';
      assert.equal(await page.textContent('[data-train-backend]'), 'wasm');
      const threads = Number(/WASM SIMD, (\d+) threads?/.exec(text)?.[1] ?? 'NaN');
      console.log(`training worker: ${String(threads)} threads on ${String(cores)} cores`);
      // The site's choice: the cores, capped at MAX_WASM_THREADS (4) — 2 on this machine.
      assert.equal(threads, Math.min(cores, 4), text);
      if (cores > 1) assert.ok(threads > 1, text);
      // The pthread workers come from the site's own script, never from a blob: URL.
      const pthreads = workers.urls.filter((u) => u.includes('tfjs-backend-wasm-threaded-simd'));
      assert.ok(pthreads.length >= threads - 1, JSON.stringify(workers.urls));
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
