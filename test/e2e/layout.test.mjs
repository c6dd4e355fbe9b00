// @ts-check
/**
 * Layout at a phone's width (390×844) and a desktop's (1280×900), every lesson, after its cells
 * have run (issue 25): nothing in a cell's output is wider than the output, unless it is inside a
 * box of its own that scrolls sideways *visibly* (overflow-x auto or scroll, with the scroll
 * shadow of src/styles/base.css); the same for tables and display maths in the prose; the page
 * itself never scrolls sideways; on a phone, form controls in cells are at least 24 px.
 *
 * Reader's path: no `?test=1`; the cells run from the lesson bar's **Run all cells**, pressed with
 * a real pointer click. Code (editors, `<pre>`) scrolls as code does and is not checked here.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, lessonUrl, lessonsFromSource, openPage } from './helpers.mjs';

/** @type {import('playwright-core').Browser} */
let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser.close();
});

/**
 * Everything on the page that breaks the rules above, as readable lines.
 * @param {import('playwright-core').Page} page
 * @param {boolean} phone
 * @returns {Promise<string[]>}
 */
function layoutProblems(page, phone) {
  return page.evaluate((isPhone) => {
    /** @type {string[]} */
    const problems = [];
    const SLACK = 1;
    const describe = (/** @type {Element} */ el) => {
      const cell = el.closest('section.cell')?.getAttribute('data-cell');
      const cls = typeof el.className === 'string' ? el.className.split(/\s+/)[0] : '';
      return `${cell === undefined ? 'prose' : `cell ${cell}`}: <${el.tagName.toLowerCase()}${cls ? `.${cls}` : ''}>`;
    };
    const scrollsX = (/** @type {Element} */ el) =>
      ['auto', 'scroll'].includes(getComputedStyle(el).overflowX);
    const visibleCue = (/** @type {Element} */ el) => {
      const style = getComputedStyle(el);
      return /gradient/.test(style.backgroundImage) && /local/.test(style.backgroundAttachment);
    };
    const clips = (/** @type {Element} */ el) =>
      el instanceof SVGElement || ['hidden', 'clip'].includes(getComputedStyle(el).overflowX);
    /** A scroll box: it must fit, and if its content is wider, say so visibly. */
    const checkScroller = (/** @type {HTMLElement} */ el) => {
      if (el.scrollWidth > el.clientWidth + SLACK && !visibleCue(el)) {
        problems.push(
          `${describe(el)} scrolls sideways (${String(el.scrollWidth)} > ${String(el.clientWidth)} px) with no visible sign`,
        );
      }
    };
    /** Every box in `parent` ends within [left, right]; scroll boxes and clipping boxes are leaves. */
    const walk = (
      /** @type {Element} */ parent,
      /** @type {number} */ left,
      /** @type {number} */ right,
    ) => {
      for (const child of parent.children) {
        const box = child.getBoundingClientRect();
        if (box.width === 0 && box.height === 0) continue;
        if (getComputedStyle(child).position === 'fixed') continue;
        if (box.right > right + SLACK || box.left < left - SLACK) {
          problems.push(
            `${describe(child)} is ${String(Math.round(box.width))} px wide and reaches ${String(Math.round(box.right - right))} px past its cell or column`,
          );
          continue;
        }
        if (child instanceof HTMLElement && scrollsX(child)) checkScroller(child);
        else if (!clips(child)) walk(child, left, right);
      }
    };
    const doc = document.documentElement;
    if (doc.scrollWidth > doc.clientWidth + SLACK) {
      problems.push(
        `the page scrolls sideways (${String(doc.scrollWidth)} > ${String(doc.clientWidth)} px)`,
      );
    }
    const root = document.querySelector('[data-lesson-root]');
    if (!root) return ['no lesson root'];
    const column = root.getBoundingClientRect();
    // Cells: their outputs' content boxes.
    for (const output of root.querySelectorAll('section.cell .cell-output')) {
      if (!(output instanceof HTMLElement) || output.offsetParent === null) continue;
      const style = getComputedStyle(output);
      const box = output.getBoundingClientRect();
      const left = box.left + output.clientLeft + parseFloat(style.paddingLeft);
      const right =
        box.left + output.clientLeft + output.clientWidth - parseFloat(style.paddingRight);
      if (box.right > column.right + SLACK)
        problems.push(`${describe(output)} is wider than the column`);
      walk(output, left, right);
      checkScroller(output);
    }
    // Prose: tables and display maths.
    for (const el of root.querySelectorAll('table, .katex-display')) {
      if (!(el instanceof HTMLElement) || el.closest('section.cell')) continue;
      const box = el.getBoundingClientRect();
      if (box.right > column.right + SLACK)
        problems.push(`${describe(el)} is wider than the column`);
      if (scrollsX(el)) checkScroller(el);
      else if (el.scrollWidth > el.clientWidth + SLACK)
        problems.push(`${describe(el)} overflows and does not scroll`);
    }
    if (isPhone) {
      for (const input of root.querySelectorAll(
        'section.cell .cell-output input[type="radio"], section.cell .cell-output input[type="checkbox"], section.cell .cell-output input[type="range"]',
      )) {
        const box = input.getBoundingClientRect();
        if (box.width === 0) continue;
        if (box.width < 24 || box.height < 24) {
          problems.push(
            `${describe(input)} (${/** @type {HTMLInputElement} */ (input).type}) is ${String(Math.round(box.width))}×${String(Math.round(box.height))} px, under 24 px for a finger`,
          );
        }
      }
    }
    return problems;
  }, phone);
}

/**
 * Waits until every cell is fulfilled or rejected, or `timeout` ms, scrolling to the first that is
 * not; returns the cells that are still not.
 * @param {import('playwright-core').Page} page
 * @param {number} timeout
 * @returns {Promise<string[]>}
 */
async function settledOrLate(page, timeout) {
  const unsettled = () =>
    page.$$eval('section.cell', (cells) =>
      cells
        .filter((c) => !['fulfilled', 'rejected'].includes(c.getAttribute('data-state') ?? ''))
        .map((c) => c.getAttribute('data-cell') ?? ''),
    );
  const end = Date.now() + timeout;
  let late = await unsettled();
  while (late.length > 0 && Date.now() < end) {
    // A reader scrolls on: cells that wait for `visibility()` (a benchmark) run once seen.
    await page
      .locator(`section.cell[data-cell="${late[0] ?? ''}"]`)
      .scrollIntoViewIfNeeded()
      .catch(() => undefined);
    await page.waitForTimeout(500);
    late = await unsettled();
  }
  return late;
}

/**
 * Lessons opened with `?test=1` (small sizes, every cell at once): the placement lesson's latency
 * benchmark runs for minutes at full size on a shared machine; its figure is the same.
 */
const TEST_SIZES = new Set(['adapter-placement']);

const VIEWPORTS = [
  { name: 'phone', viewport: { width: 390, height: 844 }, phone: true },
  { name: 'desktop', viewport: { width: 1280, height: 900 }, phone: false },
];

for (const { name, viewport, phone } of VIEWPORTS) {
  test(`every lesson fits its cells and column at ${name} width (${String(viewport.width)} px)`, async () => {
    const context = await browser.newContext({ viewport });
    /** @type {string[]} */
    const problems = [];
    for (const lesson of lessonsFromSource()) {
      const { page } = await openPage(context);
      const query = TEST_SIZES.has(lesson.slug) ? 'test=1' : '';
      await page.goto(lessonUrl(lesson.slug, query));
      if (query === '') {
        await page.locator('[data-lesson-toolbar] button', { hasText: 'Run all cells' }).click();
      }
      // Every cell that finishes within a minute is checked (on a loaded machine a benchmark or
      // a data load can take longer; those are named, and their figures are not checked).
      const late = await settledOrLate(page, 60_000);
      if (late.length > 0) console.log(`layout: ${lesson.slug}: not finished: ${late.join(', ')}`);
      // Figures are drawn after their cell's value arrives; give Plotly a moment.
      await page.waitForTimeout(800);
      for (const problem of await layoutProblems(page, phone))
        problems.push(`${lesson.slug}: ${problem}`);
      await page.close();
    }
    await context.close();
    assert.deepEqual(problems, []);
  });
}
