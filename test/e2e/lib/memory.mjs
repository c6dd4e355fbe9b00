// @ts-check
/**
 * What a page holds, for the leak tests: TF.js tensors on the page and in each of its workers (read
 * from the engine TF.js keeps on the global object, `_tfengine`, so the app needs no test hook),
 * live DOM nodes and JS event listeners (Chromium's own counters, taken right after a forced
 * garbage collection, so detached nodes still reachable from a listener count and garbage does
 * not), the JS heap in use, and the number of workers.
 *
 * Code editors draw only the lines near the viewport (CodeMirror's virtual rendering), so how many
 * nodes an editor holds depends on where the page is scrolled and when the editor last measured
 * its layout: the same settled page measured 5 to 28 drawn lines in one 29-line cell over four
 * loads, which moved the page's total by up to 960 nodes. `editorNodes` counts the nodes of those
 * drawn lines and gutter cells so a test can leave them out of the comparison; `editors` counts the
 * editors themselves (one per cell), so a leaked editor still shows.
 */

/**
 * @typedef {object} Footprint
 * @property {number} tensors TF.js tensors on the page (0 when TF.js never loaded)
 * @property {number} bytes bytes those tensors hold
 * @property {number} workers dedicated workers the page runs
 * @property {number} workerTensors TF.js tensors in all of them together
 * @property {number} nodes DOM nodes alive after garbage collection (attached or not)
 * @property {number} editorNodes of those, nodes of the lines and gutter cells the code editors
 *   draw (their number follows the viewport)
 * @property {number} editors code editors in the page
 * @property {number} listeners JS event listeners alive after garbage collection
 * @property {number} heapMiB JS heap in use after garbage collection, MiB
 */

/** Reads the TF.js engine's counters in the current realm (page or worker). */
const TF_MEMORY = () => {
  /** @type {{ memory(): { numTensors: number, numBytes: number } } | undefined} */
  const engine = /** @type {any} */ (globalThis)._tfengine;
  const m = engine?.memory();
  return { tensors: m?.numTensors ?? 0, bytes: m?.numBytes ?? 0 };
};

/**
 * Counts the code editors on the page and the nodes of what they draw by viewport: each drawn
 * line or gap (`.cm-content`'s children) and each gutter cell, with everything inside them. The rest
 * of an editor (its frame, tooltips, panels) still counts as page nodes, so a leak there shows.
 */
const EDITOR_NODES = () => {
  const editors = document.querySelectorAll('.cm-editor');
  let editorNodes = 0;
  for (const drawn of document.querySelectorAll('.cm-content > *, .cm-gutterElement')) {
    const walker = document.createTreeWalker(drawn, NodeFilter.SHOW_ALL);
    while (walker.nextNode()) editorNodes++;
    editorNodes++; // the line, gap or gutter cell itself
  }
  return { editors: editors.length, editorNodes };
};

/**
 * Starts measuring a page (opens a CDP session on it).
 * @param {import('playwright-core').Page} page
 * @returns {Promise<() => Promise<Footprint>>} a function that measures it now
 */
export async function footprintOf(page) {
  const cdp = await page.context().newCDPSession(page);
  const tensorsNow = () => page.evaluate(TF_MEMORY).then((m) => m.tensors);
  return async () => {
    // Cells settle before the disposals their invalidation schedules have run (measured: 61
    // tensors at "settled", 42 four hundred ms later, on every rerun): wait until the count holds
    // still for half a second (at most 10 s).
    let previous = await tensorsNow();
    for (let waited = 0; waited < 10_000; waited += 500) {
      await page.waitForTimeout(500);
      const current = await tensorsNow();
      if (current === previous) break;
      previous = current;
    }
    await cdp.send('HeapProfiler.collectGarbage');
    const dom = await cdp.send('Memory.getDOMCounters');
    const { editors, editorNodes } = await page.evaluate(EDITOR_NODES);
    const heap = await cdp.send('Runtime.getHeapUsage');
    const { tensors, bytes } = await page.evaluate(TF_MEMORY);
    const workers = page.workers();
    let workerTensors = 0;
    for (const worker of workers) {
      workerTensors += (await worker.evaluate(TF_MEMORY)).tensors;
    }
    return {
      tensors,
      bytes,
      workers: workers.length,
      workerTensors,
      nodes: dom.nodes,
      editorNodes,
      editors,
      listeners: dom.jsEventListeners,
      heapMiB: Math.round((heap.usedSize / 2 ** 20) * 10) / 10,
    };
  };
}

/**
 * Presses every cell's Run button at once (the runtime reruns each cell and its dependents once).
 * @param {import('playwright-core').Page} page
 */
export function rerunAllCells(page) {
  return page.evaluate(() => {
    for (const cell of document.querySelectorAll('[data-cell]')) {
      const run = [...cell.querySelectorAll('.cell-toolbar button')].find(
        (b) => b.textContent === 'Run',
      );
      if (!(run instanceof HTMLButtonElement)) throw new Error('a cell has no Run button');
      run.click();
    }
  });
}

/**
 * Waits until no training panel is running (a rerun of the training lesson starts a run in its
 * worker; the cells settle before the run ends, so measure only after it).
 * @param {import('playwright-core').Page} page
 */
export function trainingIdle(page, timeout = 120_000) {
  return page.waitForFunction(
    () =>
      [...document.querySelectorAll('[data-train-panel]')].every(
        (p) => p.getAttribute('data-state') !== 'running',
      ),
    undefined,
    { timeout, polling: 250 },
  );
}
