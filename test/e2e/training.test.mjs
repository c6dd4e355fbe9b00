// @ts-check
/**
 * The training lesson in Chromium: training runs in a Web Worker on the forced backend, reports
 * progress, its loss falls, Stop stops it within a second, Resume continues, and the page stays
 * responsive (no main-thread task over 200 ms while training, by PerformanceObserver 'longtask').
 * Start, Stop, Resume and the lesson's buttons are pressed with real pointer clicks. `?test=1`
 * only shrinks sizes: the panel waits for Start as a reader's does, and the shipped model and
 * sentences load. The Stop/Resume runs edit `ready` to the micro model (MICRO_READY), as a reader
 * may, so that a step takes milliseconds.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  launchBrowser,
  lessonUrl,
  openPage,
  pressStart,
  settledCells,
  startLongMicroRun,
} from './helpers.mjs';

const SLUG = 'training-run';

/** @type {import('playwright-core').Browser} */
let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser.close();
});

/** Records main-thread long tasks from the start of the page into `window.__longTasks`. */
const LONG_TASKS = () => {
  /** @type {any} */ (window).__longTasks = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries())
      /** @type {any} */ (window).__longTasks.push({ start: e.startTime, ms: e.duration });
  }).observe({ type: 'longtask', buffered: true });
};

/** A long full fine-tuning run: learns the stand-in within ~40 steps, long enough to stop. */
const LONG_RUN = `runConfig = ({
  method: "full", task: "sentiment", r: 2, loraAlpha: 4, targetModules: ["query"],
  learningRate: 5e-3, steps: 5000, batchSize: 8, seed: 0, evalEvery: 50
})`;

/**
 * @param {import('playwright-core').Page} page
 * @returns {Promise<number>}
 */
const stepsDone = (page) =>
  page.evaluate(() => {
    /** @type {any} */
    const div = document.querySelector('[data-train-panel]');
    return div?.trainingLog?.loss.x.length ?? 0;
  });

/**
 * @param {import('playwright-core').Page} page
 * @returns {Promise<number[]>}
 */
const losses = (page) =>
  page.evaluate(() => {
    /** @type {any} */
    const div = document.querySelector('[data-train-panel]');
    return [...(div?.trainingLog?.loss.y ?? [])];
  });

/**
 * Presses Stop with a real pointer click and returns the ms from the click event reaching the
 * button until the panel says it stopped (measured in the page).
 * @param {import('playwright-core').Page} page
 */
async function stopAndTime(page) {
  await page.evaluate(() => {
    const w = /** @type {any} */ (window);
    const panel = /** @type {HTMLElement} */ (document.querySelector('[data-train-panel]'));
    const stop = /** @type {HTMLButtonElement} */ (
      panel.querySelector('button[data-action="stop"]')
    );
    w.__stopClicked = null;
    stop.addEventListener('click', () => (w.__stopClicked = performance.now()), {
      once: true,
      capture: true,
    });
    w.__stopped = new Promise((resolve, reject) => {
      const observer = new MutationObserver(() => {
        if (panel.dataset.state === 'stopped' && w.__stopClicked !== null) {
          observer.disconnect();
          resolve(performance.now() - w.__stopClicked);
        }
      });
      observer.observe(panel, { attributes: true, attributeFilter: ['data-state'] });
      setTimeout(() => {
        const status = panel.querySelector('[data-train-status]')?.textContent ?? '';
        reject(
          new Error(
            `still ${panel.dataset.state ?? '?'} 20 s after the press (click reached Stop: ` +
              `${String(w.__stopClicked !== null)}; status "${status}")`,
          ),
        );
      }, 20_000);
    });
  });
  const stop = page.locator('[data-train-panel] button[data-action="stop"]');
  await stop.click();
  // On a loaded machine a pointer click was seen to miss now and then (the page moved between
  // Playwright's hit test and the press): a reader clicks again, and so does this test — the
  // time is measured from the click that reached the button.
  const reached = await page
    .waitForFunction(() => /** @type {any} */ (window).__stopClicked !== null, undefined, {
      timeout: 2000,
    })
    .then(
      () => true,
      () => false,
    );
  if (!reached) {
    console.log('Stop: the first pointer click did not reach the button; clicking again');
    await stop.click();
  }
  return /** @type {Promise<number>} */ (
    page.evaluate(() => /** @type {any} */ (window).__stopped)
  );
}

/**
 * Waits until `selector` is on the page; fails at once, with the cells' errors, when a cell is
 * rejected instead (a rejected cell never shows its output, so waiting on would only time out),
 * and on timeout says which cells were still pending or running and what the panel said.
 * @param {import('playwright-core').Page} page
 * @param {string} selector
 * @param {number} timeout
 */
async function until(page, selector, timeout) {
  const handle = await page
    .waitForFunction(
      (sel) =>
        document.querySelector(sel) !== null ||
        document.querySelector('[data-cell][data-state="rejected"]') !== null,
      selector,
      { timeout, polling: 250 },
    )
    .catch(() => null);
  await handle?.dispose();
  if ((await page.$(selector)) !== null) return;
  const state = await page.evaluate(() => ({
    cells: [...document.querySelectorAll('[data-cell]')]
      .filter((c) => c.getAttribute('data-state') !== 'fulfilled')
      .map((c) => {
        const alert = c.querySelector('[role="alert"]')?.textContent ?? '';
        return `${c.getAttribute('data-cell') ?? '?'}: ${c.getAttribute('data-state') ?? '?'} ${alert}`;
      }),
    panel: document.querySelector('[data-train-status]')?.textContent ?? '',
  }));
  assert.fail(`no ${selector}: ${JSON.stringify(state)}`);
}

/**
 * Waits for the panel's memory note after Stop number `n`: `[tensors, bytes]` in the worker.
 * @param {import('playwright-core').Page} page
 * @param {number} n
 * @returns {Promise<[number, number]>}
 */
async function memoryAfterStop(page, n) {
  const handle = await page.waitForFunction(
    (k) => {
      const v = document
        .querySelector('[data-train-panel]')
        ?.getAttribute('data-memory-after-stop');
      return v?.startsWith(`${String(k)}:`) ? v : null;
    },
    n,
    { timeout: 60_000, polling: 100 },
  );
  const [, tensors, bytes] = String(await handle.jsonValue())
    .split(':')
    .map(Number);
  return [tensors ?? NaN, bytes ?? NaN];
}

/**
 * Runs the long run on `backend`: progress, loss falls, Stop within a second, Resume, no long task.
 * @param {string} backend
 * @param {number} minSteps steps to wait for before judging the loss
 * @param {string} [extra] more of the query, e.g. `threads=2` (WASM threads, off by default)
 */
async function longRun(backend, minSteps, extra = '') {
  const context = await browser.newContext();
  await context.addInitScript(LONG_TASKS);
  const { page, errors, foreignRequests } = await openPage(context);
  try {
    await page.goto(lessonUrl(SLUG, `backend=${backend}&test=1${extra ? `&${extra}` : ''}`));
    await page.waitForSelector('[data-train-backend]', { timeout: 120_000 });
    assert.equal(await page.textContent('[data-train-backend]'), backend);
    if (extra === 'threads=2') {
      assert.match((await page.textContent('[data-train-setup]')) ?? '', /WASM SIMD, 2 threads/);
    }
    await startLongMicroRun(page, LONG_RUN);
    // The window starts once training is under way (the panel's own set-up is cell work).
    await page.waitForFunction(
      () => {
        /** @type {any} */
        const div = document.querySelector('[data-train-panel]');
        return (div?.trainingLog?.loss.x.length ?? 0) >= 5;
      },
      undefined,
      { timeout: 120_000, polling: 250 },
    );
    const t0 = await page.evaluate(() => performance.now());
    await page.waitForFunction(
      (n) => {
        /** @type {any} */
        const div = document.querySelector('[data-train-panel]');
        return (div?.trainingLog?.loss.x.length ?? 0) >= n;
      },
      minSteps,
      { timeout: 240_000, polling: 250 },
    );
    const stats = (await page.textContent('[data-train-stats]')) ?? '';
    assert.match(stats, /steps\/s/);
    assert.match(stats, /s left/);
    assert.match(stats, /MiB in \d+ tensors/);
    assert.match(stats, /weights train/);
    const l = await losses(page);
    const mean = (/** @type {number[]} */ xs) => xs.reduce((s, v) => s + v, 0) / xs.length;
    const head = mean(l.slice(0, 8));
    const tail = mean(l.slice(-8));
    assert.ok(tail < 0.7 * head, `loss should fall: first 8 steps ${head}, last 8 ${tail}`);

    // Stop does not wait for a step still running on the device (its update counts, its loss
    // arrives later) nor measure accuracy, so it takes effect within a second on every backend:
    // measured 29–66 ms on WASM and on the software WebGPU adapter (0.5 steps/s), where it used to
    // take two step times (3.4 s) while the stopped run measured its validation accuracy.
    const rate = Number(/([\d.]+) steps\/s/.exec(stats)?.[1] ?? 'NaN');
    const limit = 1000;
    const ms = await stopAndTime(page);
    assert.ok(ms < limit, `Stop took ${String(ms)} ms (limit ${String(limit)})`);
    const stoppedAt = await stepsDone(page);
    await page.waitForTimeout(1500);
    assert.ok((await stepsDone(page)) <= stoppedAt + 1, 'no steps after Stop');
    const [tensors1, bytes1] = await memoryAfterStop(page, 1);

    await page.click('[data-train-panel] button[data-action="resume"]');
    await page.waitForFunction(
      (n) => {
        /** @type {any} */
        const div = document.querySelector('[data-train-panel]');
        return (div?.trainingLog?.loss.x.length ?? 0) >= n;
      },
      stoppedAt + 5,
      { timeout: 120_000, polling: 250 },
    );
    const ms2 = await stopAndTime(page);
    assert.ok(ms2 < limit, `second Stop took ${String(ms2)} ms (limit ${String(limit)})`);
    const t2 = await page.evaluate(() => performance.now());
    // Steps in between allocate and free their tensors: after each Stop the worker holds the
    // same set (model, Adam's moments), so the same count and bytes.
    const [tensors2, bytes2] = await memoryAfterStop(page, 2);
    assert.ok(tensors1 > 0, `tensors after Stop: ${String(tensors1)}`);
    assert.deepEqual([tensors2, bytes2], [tensors1, bytes1], 'tensors leaked between the Stops');
    console.log(
      `${backend}: Stop took ${ms.toFixed(0)} and ${ms2.toFixed(0)} ms at ${String(rate)} steps/s; ` +
        `${String(tensors1)} tensors after each Stop`,
    );

    /** @type {{start: number, ms: number}[]} */
    const long = await page.evaluate(() => /** @type {any} */ (window).__longTasks);
    // Only tasks from the first step to the last Stop (start-up compiles cells, loads Plotly).
    const during = long.filter((x) => x.start >= t0 && x.start <= t2);
    const worst = Math.max(0, ...during.map((x) => x.ms));
    const draws = await page.evaluate(() =>
      performance.getEntriesByName('training-panel-draw').map((e) => Math.round(e.duration)),
    );
    assert.ok(
      worst <= 200,
      `a main-thread task took ${String(worst)} ms while training; all: ${JSON.stringify(
        during.map((x) => [Math.round(x.start - t0), Math.round(x.ms)]),
      )} (t2 = ${String(Math.round(t2 - t0))}); panel redraws took ${JSON.stringify(draws)} ms`,
    );
    assert.deepEqual(foreignRequests, []);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
}

describe('training lesson', () => {
  it('wasm: the whole lesson runs in test mode (merge, save/load, swap, comparison, backends)', async () => {
    const context = await browser.newContext();
    const { page, errors, foreignRequests } = await openPage(context);
    try {
      await page.goto(lessonUrl(SLUG, 'backend=wasm&test=1'));
      // Nothing trains until the reader presses Start; merging and saving follow when the run
      // ends. Bounds are for a loaded 2-core machine, not speed checks; a rejected cell fails at once.
      await until(page, '[data-train-panel]', 180_000);
      await page.waitForSelector('[data-train-setup]', { timeout: 180_000 });
      assert.match(
        (await page.textContent('[data-train-setup]')) ?? '',
        /pretrained encoder is loaded/,
        'test mode trains the shipped model, as a reader does',
      );
      assert.equal(await page.getAttribute('[data-train-panel]', 'data-state'), null);
      await pressStart(page);
      await until(page, '[data-merge]', 180_000);
      // One loss chart once the run has ended: the Plotly figure took the live curve's place.
      await page.waitForSelector('[data-plot="loss"] .plot-container', { timeout: 60_000 });
      assert.deepEqual(
        await page.$eval('[data-train-panel]', (panel) => ({
          figures: panel.querySelectorAll('[data-plot="loss"] .plot-container').length,
          live: panel.querySelectorAll('svg[data-live-chart]').length,
          lossSlots: panel.querySelectorAll('[data-plot="loss"]').length,
        })),
        { figures: 1, live: 0, lossSlots: 1 },
        'one loss chart after the run',
      );
      await until(page, '[data-roundtrip]', 60_000);
      /** @type {[string, string, number][]} */
      const buttons = [
        ['Train the second adapter and swap', 'swaps', 120_000],
        ['Run the comparison', 'comparison', 180_000],
        // One worker per backend in turn, three steps each; software WebGPU compiles its
        // kernels first (tens of seconds here).
        ['Compare backends', 'backends', 400_000],
      ];
      for (const [name, what, timeout] of buttons) {
        await page.locator('button', { hasText: name }).click();
        await until(page, `[data-${what}]`, timeout);
      }
      const cells = await settledCells(page, 60_000);
      const rejected = cells.filter((c) => c.state !== 'fulfilled');
      assert.deepEqual(rejected, [], JSON.stringify(rejected));
      assert.match(
        (await page.textContent('[data-merge]')) ?? '',
        /same predicted class for every sentence\s*yes/,
      );
      assert.match((await page.textContent('[data-roundtrip]')) ?? '', /difference\s*0\.0e\+0/);
      assert.match(
        (await page.textContent('[data-swaps]')) ?? '',
        /yes, both tasks[\s\S]*yes, both tasks/,
      );
      assert.match(
        (await page.textContent('[data-comparison]')) ?? '',
        /LoRA[\s\S]*full fine-tuning/,
      );
      // Every backend ran in its own worker and reported real numbers.
      const rows = await page.$$eval('[data-backends] tr[data-backend]', (trs) =>
        trs.map((tr) => ({
          name: tr.getAttribute('data-backend') ?? '',
          losses: (tr.querySelector('[data-losses]')?.textContent ?? '').split(', ').map(Number),
          ms: Number(tr.querySelector('[data-ms-per-step]')?.textContent ?? 'NaN'),
          text: tr.textContent,
        })),
      );
      console.log(`backends: ${JSON.stringify(rows)}`);
      assert.deepEqual(
        rows.map((r) => r.name),
        ['wasm', 'webgl', 'cpu', 'webgpu'],
      );
      for (const r of rows) {
        assert.equal(r.losses.length, 3, `${r.name}: ${r.text ?? ''}`);
        assert.ok(
          r.losses.every((l) => Number.isFinite(l) && l > 0),
          `${r.name}: ${r.text ?? ''}`,
        );
        assert.ok(r.ms > 0, `${r.name}: ms per step ${String(r.ms)}`);
      }
      // The numerics check of issue 24: every backend, WebGPU on Chromium's software adapter
      // included, computes the same LoRA steps from the same weights as WASM up to float32
      // rounding (the lesson's 1e-4 bound on each loss's relative difference), so a run on a real
      // GPU can only change the speed.
      const wasmLosses = rows[0]?.losses ?? [];
      for (const r of rows.slice(1)) {
        const worst = Math.max(
          ...r.losses.map((l, i) => Math.abs(l - (wasmLosses[i] ?? NaN)) / Math.abs(l)),
        );
        assert.ok(worst <= 1e-4, `${r.name} vs wasm: relative difference ${String(worst)}`);
        assert.match(r.text ?? '', /yes/, `${r.name}: the page's own "within 1e-4?" column`);
      }
      assert.deepEqual(foreignRequests, []);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  it('wasm: progress, loss falls, Stop within a second, Resume, no long main-thread task', async () => {
    await longRun('wasm', 60);
  });

  it('wasm with ?threads=2 (threads are off by default): the same, on 2 threads', async () => {
    await longRun('wasm', 60, 'threads=2');
  });

  it('webgpu (software adapter): a run starts, reports progress, its loss falls, Stop within a second', async () => {
    await longRun('webgpu', 40);
  });

  it('a reader without a GPU: real sentences and model load, the worker falls back to WASM and says why', async () => {
    const context = await browser.newContext();
    const { page, errors } = await openPage(context);
    try {
      // No ?backend=: the worker chooses. Here WebGPU is SwiftShader's software adapter, as for a
      // reader without a GPU, so the choice is WASM, and the page says so and why.
      // `cells=all`: outside test mode a lesson runs a cell only when the reader nears it.
      await page.goto(lessonUrl(SLUG, 'cells=all'));
      await page.waitForSelector('[data-train-setup]', { timeout: 120_000 });
      const text = (await page.textContent('[data-train-setup]')) ?? '';
      assert.match(text, /from \/data\/sentiment\.json/);
      // The shipped model's files pass their manifest's SHA-256 check and load.
      assert.match(text, /pretrained encoder is loaded/);
      assert.match(text, /in a Web Worker/);
      assert.equal(await page.textContent('[data-train-backend]'), 'wasm');
      assert.match(text, /software fallback|no WebGPU adapter/);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
});
