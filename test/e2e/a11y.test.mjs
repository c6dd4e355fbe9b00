// @ts-check
/**
 * Accessibility checks with axe-core (WCAG 2 A and AA rules, colour contrast included) on the home
 * page and every lesson, in the light and the dark theme, and at phone width.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import { BASE_URL, launchBrowser, lessonsFromSource, lessonUrl, settledCells } from './helpers.mjs';

const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** @type {import('playwright-core').Browser} */
let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser.close();
});

/**
 * Runs axe on the page and returns its violations as short strings.
 * @param {import('playwright-core').Page} page
 */
async function violations(page) {
  await page.addScriptTag({ path: axePath });
  /** @type {{ id: string, impact: string | null, nodes: { target: string[] }[] }[]} */
  const found = await page.evaluate(async () => {
    // @ts-expect-error axe is the global the script tag defined
    const result = await window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
    return result.violations.map(
      (/** @type {{ id: string, impact: string | null, nodes: { target: string[] }[] }} */ v) => ({
        id: v.id,
        impact: v.impact,
        nodes: v.nodes.map((n) => ({ target: n.target })),
      }),
    );
  });
  return found.map(
    (v) => `${v.id} (${v.impact ?? '?'}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
  );
}

const jaUrl = (/** @type {string} */ path) => new URL(`ja/${path}`, BASE_URL).href;
const pages = [
  { name: 'home', url: BASE_URL, cells: false },
  ...lessonsFromSource().map((l) => ({ name: l.slug, url: lessonUrl(l.slug), cells: true })),
  // The Japanese edition: the same pages, the same cells, other words (both themes).
  { name: 'ja home', url: jaUrl(''), cells: false },
  ...lessonsFromSource().map((l) => ({
    name: `ja ${l.slug}`,
    url: jaUrl(`lessons/${l.slug}/?test=1`),
    cells: true,
  })),
];

describe('accessibility (axe-core, WCAG 2.1 A/AA)', () => {
  for (const target of pages) {
    for (const colorScheme of /** @type {const} */ (['light', 'dark'])) {
      it(`${target.name}, ${colorScheme} theme`, async () => {
        // axe is injected as an inline script, which the site's CSP (rightly) forbids.
        const context = await browser.newContext({ colorScheme, bypassCSP: true });
        const page = await context.newPage();
        await page.goto(target.url);
        if (target.cells) await settledCells(page);
        assert.deepEqual(await violations(page), []);
        await context.close();
      });
    }
  }

  it('every lesson at phone width (360 px) does not scroll sideways', async () => {
    const context = await browser.newContext({ viewport: { width: 360, height: 740 } });
    const page = await context.newPage();
    for (const lesson of lessonsFromSource()) {
      for (const url of [lessonUrl(lesson.slug), jaUrl(`lessons/${lesson.slug}/?test=1`)]) {
        await page.goto(url);
        await settledCells(page);
        const overflow = await page.evaluate(
          () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
        );
        assert.ok(overflow <= 0, `${url} is ${overflow}px wider than the screen`);
      }
    }
    await context.close();
  });
});
