// @ts-check
/**
 * No leaks when a reader reruns cells (issue 10, point 1). For every lesson, in Chromium, with
 * `?test=1`: load, settle, rerun every cell once (the baseline: a first rerun may free what only
 * the first load made), then rerun every cell ROUNDS more times and move every slider through a
 * few values and back. After each round, with garbage collected, TF.js's tensor count and bytes
 * (page and workers), the number of workers, live DOM nodes and JS event listeners must be back
 * at the baseline (nodes within a small slack for text that varies, and not counting the lines the
 * code editors draw, which follow the viewport: see lib/memory.mjs; the number of editors must not
 * grow). A leak of one tensor, one worker, one editor or one plot per rerun fails. The figures
 * are printed as test diagnostics.
 *
 *   LEAK_ROUNDS=5 (default)   LEAK_LESSONS=slug,slug (default: every lesson)
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  cellMessage,
  launchBrowser,
  lessonUrl,
  lessonsFromSource,
  openPage,
  settledCells,
} from './helpers.mjs';
import { footprintOf, rerunAllCells, trainingIdle } from './lib/memory.mjs';

const ROUNDS = Number(process.env['LEAK_ROUNDS'] ?? 5);
const ONLY = (process.env['LEAK_LESSONS'] ?? '').split(',').filter((s) => s !== '');
/**
 * Live DOM nodes may differ by a few dozen between two settled states (text nodes of outputs
 * that show other numbers); one leaked plot is 200+ nodes, one leaked inspector value 100+.
 */
const NODE_SLACK = 60;

/**
 * DOM nodes that are not the code editors' drawn lines (those follow the viewport, not reruns).
 * @param {import('./lib/memory.mjs').Footprint} f
 */
const nodesOutsideEditors = (f) => f.nodes - f.editorNodes;
/** Listeners varied by ±1 between settled states of the training lesson; one leaked plot is 40+. */
const LISTENER_SLACK = 5;

/** @type {import('playwright-core').Browser} */
let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser.close();
});

/**
 * Every cell settled and none newly rejected; training (if any) finished.
 * @param {import('playwright-core').Page} page
 * @param {Set<string>} rejectedAtLoad
 * @param {string} when
 */
async function settle(page, rejectedAtLoad, when) {
  await page.waitForTimeout(100);
  await settledCells(page, 180_000);
  await trainingIdle(page);
  // Quiet for a moment, then settled again: work finishing in a worker can still render a
  // cell's last output just after the cells settle, a one-time change that is not a leak.
  await page.waitForTimeout(1500);
  // A generator cell that yielded a first value (say `null` while a timing runs in the worker)
  // counts as settled but is still working: measuring then would catch one of two states.
  await page.waitForFunction(
    () => document.querySelectorAll('[data-cell][data-generating]').length === 0,
    undefined,
    { timeout: 120_000, polling: 200 },
  );
  const cells = await settledCells(page, 180_000);
  const rejected = cells.filter((c) => c.state === 'rejected' && !rejectedAtLoad.has(c.cell));
  const messages = [];
  for (const c of rejected)
    messages.push(`${c.cell}: ${(await cellMessage(page, c.cell)).slice(0, 300)}`);
  assert.deepEqual(messages, [], `cells rejected ${when}`);
}

/**
 * Moves every range input of the lesson to `fraction` of its span (on its step), as a reader
 * dragging it would (an `input` event).
 * @param {import('playwright-core').Page} page
 * @param {number | null} fraction null: back to the value it had at load (`data-leak-start`)
 */
function moveSliders(page, fraction) {
  return page.evaluate((f) => {
    const ranges = /** @type {HTMLInputElement[]} */ ([
      ...document.querySelectorAll('[data-cell] input[type="range"]'),
    ]);
    for (const input of ranges) {
      if (input.dataset['leakStart'] === undefined) input.dataset['leakStart'] = input.value;
      const [min, max, step] = [Number(input.min), Number(input.max), Number(input.step) || 1];
      const value =
        f === null
          ? Number(input.dataset['leakStart'])
          : min + Math.round(((max - min) * f) / step) * step;
      input.value = String(value);
      input.dispatchEvent(new Event('input', { bubbles: true }));
    }
    return ranges.length;
  }, fraction);
}

const lessons = lessonsFromSource().filter((l) => ONLY.length === 0 || ONLY.includes(l.slug));

describe(`no leaks over ${String(ROUNDS)} reruns of every cell`, () => {
  for (const { slug } of lessons) {
    it(`${slug}: tensors, workers, DOM nodes and listeners return to the baseline`, async (t) => {
      const context = await browser.newContext();
      const { page, errors } = await openPage(context);
      try {
        const measure = await footprintOf(page);
        await page.goto(lessonUrl(slug));
        const loaded = await settledCells(page, 180_000);
        await trainingIdle(page);
        const rejectedAtLoad = new Set(
          loaded.filter((c) => c.state === 'rejected').map((c) => c.cell),
        );
        const atLoad = await measure();
        await rerunAllCells(page);
        await settle(page, rejectedAtLoad, 'on the first rerun');
        const base = await measure();
        t.diagnostic(`${slug} at load: ${JSON.stringify(atLoad)}`);
        t.diagnostic(`${slug} baseline (after 1 rerun): ${JSON.stringify(base)}`);
        /** @type {import('./lib/memory.mjs').Footprint[]} */
        const rounds = [];
        for (let round = 1; round <= ROUNDS; round++) {
          await rerunAllCells(page);
          await settle(page, rejectedAtLoad, `on rerun ${String(round + 1)}`);
          rounds.push(await measure());
        }
        const last = rounds.at(-1) ?? base;
        t.diagnostic(`${slug} after ${String(ROUNDS)} more reruns: ${JSON.stringify(last)}`);
        const series = (/** @type {keyof import('./lib/memory.mjs').Footprint} */ key) =>
          [base, ...rounds].map((r) => r[key]).join(' → ');
        const nodeSeries = () =>
          [base, ...rounds]
            .map((r) => `${String(r.nodes)} (drawn lines ${String(r.editorNodes)})`)
            .join(' → ');
        for (const round of rounds) {
          assert.ok(round.tensors <= base.tensors, `page tensors grow: ${series('tensors')}`);
          assert.ok(round.bytes <= base.bytes, `page tensor bytes grow: ${series('bytes')}`);
          assert.ok(round.workers <= base.workers, `workers grow: ${series('workers')}`);
          assert.ok(
            round.workerTensors <= base.workerTensors,
            `worker tensors grow: ${series('workerTensors')}`,
          );
          assert.ok(
            round.listeners <= base.listeners + LISTENER_SLACK,
            `event listeners grow: ${series('listeners')}`,
          );
          assert.ok(round.editors <= base.editors, `code editors grow: ${series('editors')}`);
          assert.ok(
            nodesOutsideEditors(round) <= nodesOutsideEditors(base) + NODE_SLACK,
            `DOM nodes besides the editors' drawn lines grow: ${nodeSeries()}`,
          );
        }

        // Sliders: three positions and back; dependents rerun each time.
        const sliders = await moveSliders(page, 0);
        if (sliders > 0) {
          await settle(page, rejectedAtLoad, 'with every slider at its minimum');
          for (const f of [1, 0.5, null]) {
            await moveSliders(page, f);
            await settle(page, rejectedAtLoad, `with every slider at ${String(f ?? 'its start')}`);
          }
          const back = await measure();
          t.diagnostic(
            `${slug}: ${String(sliders)} sliders moved and back: ${JSON.stringify(back)}`,
          );
          assert.ok(
            back.tensors <= base.tensors,
            `tensors after sliders: ${String(back.tensors)} > ${String(base.tensors)}`,
          );
          assert.ok(
            back.bytes <= base.bytes,
            `tensor bytes after sliders: ${String(back.bytes)} > ${String(base.bytes)}`,
          );
          assert.ok(
            back.listeners <= base.listeners + LISTENER_SLACK,
            `listeners after sliders: ${String(back.listeners)} > ${String(base.listeners)}`,
          );
          assert.ok(
            back.editors <= base.editors,
            `code editors after sliders: ${String(back.editors)}`,
          );
          assert.ok(
            nodesOutsideEditors(back) <= nodesOutsideEditors(base) + NODE_SLACK,
            `DOM nodes besides the editors' drawn lines after sliders: ${String(back.nodes)} (drawn lines ${String(back.editorNodes)}) > ${String(base.nodes)} (drawn lines ${String(base.editorNodes)})`,
          );
        }
        assert.deepEqual(errors, []);
      } finally {
        await context.close();
      }
    });
  }
});
