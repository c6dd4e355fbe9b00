// @ts-check
/**
 * The Japanese edition as a reader meets it: /ja/ pages in Japanese with `lang="ja"`, the language
 * switch (a real pointer click) keeping the section being read and remembered by the home page,
 * a first visit following the browser's language, and a Japanese lesson's cells running.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BASE_URL, launchBrowser, lessonsFromSource, openPage, settledCells } from './helpers.mjs';

/** @type {import('playwright-core').Browser} */
let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser.close();
});

const JAPANESE = /[\u3040-\u30ff\u3400-\u9fff]/;

/** A Japanese lesson's URL (`?test=1` shrinks sizes, as for the English lessons). */
const jaLessonUrl = (/** @type {string} */ slug, query = 'test=1') =>
  new URL(`ja/lessons/${slug}/${query ? `?${query}` : ''}`, BASE_URL).href;

describe('the Japanese edition', () => {
  it('/ja/ lists every lesson in Japanese, in course order, linking inside /ja/', async () => {
    const context = await browser.newContext();
    const { page, foreignRequests, errors } = await openPage(context);
    await page.goto(new URL('ja/', BASE_URL).href);
    assert.equal(await page.getAttribute('html', 'lang'), 'ja');
    const listed = await page.$$eval('[data-lesson-list] > li', (items) =>
      items.map((li) => ({
        slug: li.getAttribute('data-lesson') ?? '',
        title: li.querySelector('h3')?.textContent.trim() ?? '',
        href: li.querySelector('a')?.getAttribute('href') ?? '',
      })),
    );
    assert.deepEqual(
      listed.map((l) => l.slug),
      lessonsFromSource().map((l) => l.slug),
    );
    for (const item of listed) {
      assert.equal(item.href, `/ja/lessons/${item.slug}/`);
      assert.match(item.title, JAPANESE, `${item.slug}'s title is in Japanese`);
    }
    const nav = await page.$$eval('.site-nav a', (links) => links.map((a) => a.textContent));
    assert.ok(
      nav.every((text) => JAPANESE.test(text ?? '')),
      `navigation in Japanese: ${nav}`,
    );
    assert.deepEqual(foreignRequests, []);
    assert.deepEqual(errors, []);
    await context.close();
  });

  it('every Japanese lesson page says lang="ja" and links to its English counterpart', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    for (const { slug } of lessonsFromSource()) {
      const response = await page.goto(jaLessonUrl(slug, ''));
      assert.equal(response?.status(), 200, slug);
      assert.equal(await page.getAttribute('html', 'lang'), 'ja', slug);
      assert.match((await page.textContent('h1')) ?? '', JAPANESE, slug);
      assert.equal(
        await page.getAttribute('[data-language-switch]', 'href'),
        `/lessons/${slug}/`,
        slug,
      );
      assert.equal(
        await page.getAttribute('link[rel=alternate][hreflang=en]', 'href'),
        `/lessons/${slug}/`,
      );
    }
    await context.close();
  });

  it('the switch keeps the section being read, and the home page remembers the choice', async () => {
    const context = await browser.newContext({ viewport: { width: 1000, height: 800 } });
    const { page, errors } = await openPage(context);
    await page.goto(new URL('lessons/qlora/', BASE_URL).href);
    const sectionAt = () =>
      page.evaluate(() => {
        const hs = [
          ...document.querySelectorAll(
            '[data-lesson-root] > h2, [data-lesson-root] > h3, [data-lesson-root] > h4',
          ),
        ];
        let found = 0;
        hs.forEach((h, i) => {
          if (h.getBoundingClientRect().top <= window.innerHeight / 3) found = i + 1;
        });
        return found;
      });
    // The reader scrolls with the wheel into the lesson, to just below the fourth heading (the
    // middle of a long section, so the place is not a boundary case), and reads there.
    await page.mouse.move(500, 400);
    // Still: the same scroll position three times over 1.2 s (cells render as they come into
    // view, and the browser's scroll anchoring moves the page while they do).
    const still = async () => {
      let last = -1;
      let same = 0;
      while (same < 3) {
        const y = await page.evaluate(() => window.scrollY);
        same = y === last ? same + 1 : 0;
        last = y;
        await page.waitForTimeout(400);
      }
    };
    const fourthTop = () =>
      page.evaluate(
        () =>
          document.querySelectorAll('[data-lesson-root] > h2')[3]?.getBoundingClientRect().top ?? 0,
      );
    // Cells render as they come into view and the page grows above: aim again until it holds.
    for (let i = 0; i < 8; i++) {
      const top = await fourthTop();
      if (Math.abs(top - 100) < 40) break;
      await page.mouse.wheel(0, top - 100);
      await still();
    }
    await still();
    await page.waitForTimeout(1000);
    const reading = await sectionAt();
    const fourth = await page.evaluate(() => {
      const hs = [
        ...document.querySelectorAll(
          '[data-lesson-root] > h2, [data-lesson-root] > h3, [data-lesson-root] > h4',
        ),
      ];
      const target = document.querySelectorAll('[data-lesson-root] > h2')[3];
      return target ? hs.indexOf(target) + 1 : 0;
    });
    assert.equal(reading, fourth, `the reader is in the fourth part (section ${reading})`);
    // … then scrolls back up to the header and clicks the switch with the pointer.
    for (let i = 0; i < 30; i++) await page.mouse.wheel(0, -700);
    await page.waitForFunction(() => window.scrollY === 0);
    await page.locator('[data-language-switch]').click();
    await page.waitForURL(/\/ja\/lessons\/qlora\/#/);
    await page.waitForFunction(() => !location.hash.startsWith('#section-'));
    // The page scrolls there once its script runs, and holds the heading at the top while the
    // cells above it render.
    await page.waitForFunction(
      () => {
        const h = document.getElementById(decodeURIComponent(location.hash.slice(1)));
        return h !== null && Math.abs(h.getBoundingClientRect().top) < 40;
      },
      undefined,
      { timeout: 15_000 },
    );
    const landed = await page.evaluate(() => {
      const hs = [
        ...document.querySelectorAll(
          '[data-lesson-root] > h2, [data-lesson-root] > h3, [data-lesson-root] > h4',
        ),
      ];
      const id = decodeURIComponent(location.hash.slice(1));
      return {
        index: hs.findIndex((h) => h.id === id) + 1,
        top: document.getElementById(id)?.getBoundingClientRect().top ?? -1,
        lang: document.documentElement.lang,
      };
    });
    assert.equal(landed.lang, 'ja');
    assert.equal(landed.index, reading, 'the same section, by its place in the lesson');
    assert.ok(landed.top >= -2 && landed.top < 200, `the section is at the top (${landed.top})`);
    // Back to the English home page: the choice is remembered, the reader lands in Japanese.
    await page.goto(BASE_URL);
    await page.waitForURL(/\/ja\/$/);
    assert.equal(await page.getAttribute('html', 'lang'), 'ja');
    // And the switch back to English is remembered too.
    await page.locator('[data-language-switch]').click();
    await page.waitForURL((url) => url.pathname === '/');
    await page.goto(new URL('ja/', BASE_URL).href);
    await page.waitForURL((url) => url.pathname === '/');
    assert.deepEqual(errors, []);
    await context.close();
  });

  it('a first visit follows the browser language; English readers stay in English', async () => {
    const ja = await browser.newContext({ locale: 'ja-JP' });
    const jaPage = await ja.newPage();
    await jaPage.goto(BASE_URL);
    await jaPage.waitForURL(/\/ja\/$/);
    await ja.close();
    const en = await browser.newContext({ locale: 'en-GB' });
    const enPage = await en.newPage();
    await enPage.goto(BASE_URL);
    assert.equal(new URL(enPage.url()).pathname, '/');
    assert.equal(await enPage.getAttribute('html', 'lang'), 'en');
    await en.close();
  });

  it('a Japanese lesson runs its cells, with no error and no request to another host', async () => {
    const context = await browser.newContext();
    const { page, foreignRequests, errors } = await openPage(context);
    await page.goto(jaLessonUrl('how-these-notebooks-work'));
    const states = await settledCells(page);
    assert.deepEqual(
      states.filter((s) => s.state !== 'fulfilled'),
      [],
    );
    assert.deepEqual(foreignRequests, []);
    assert.deepEqual(errors, []);
    await context.close();
  });
  it('no Japanese line is broken by a newline (Chromium would show a space)', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const paths = [
      'ja/',
      'ja/data/',
      'ja/instructors/',
      'ja/licences/',
      ...lessonsFromSource().map((l) => `ja/lessons/${l.slug}/`),
    ];
    /** @type {string[]} */
    const broken = [];
    for (const path of paths) {
      await page.goto(new URL(path, BASE_URL).href);
      const found = await page.evaluate(() => {
        const cjk = /[\u3000-\u30ff\u3400-\u9fff\uff00-\uffef]/;
        /** @type {string[]} */
        const out = [];
        const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        // Each text node, with the text before and after it within its block, as rendered.
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
          const parent = node.parentElement;
          if (!parent || parent.closest('pre, code, script, style, textarea, .cm-editor')) continue;
          const text = node.textContent ?? '';
          const re = /(.)[ \t]*\n\s*(.)/gu;
          for (const m of text.matchAll(re)) {
            if (cjk.test(m[1] ?? '') && cjk.test(m[2] ?? '')) out.push(text.trim().slice(0, 60));
          }
          // A newline at a node's edge, next to Japanese in the neighbouring node.
          const prev = node.previousSibling?.textContent ?? '';
          if (/^\s*\n/.test(text) && cjk.test(prev.slice(-1)) && cjk.test(text.trim()[0] ?? '')) {
            out.push(text.trim().slice(0, 60));
          }
        }
        return out;
      });
      for (const f of found) broken.push(`${path}: ${f}`);
    }
    assert.deepEqual(broken, []);
    await context.close();
  });
  it('a Japanese embed runs its cell in Japanese and credits the Japanese lesson', async () => {
    const context = await browser.newContext();
    const { page, foreignRequests, errors } = await openPage(context);
    const response = await page.goto(
      new URL('ja/embed/how-these-notebooks-work/3/?test=1', BASE_URL).href,
    );
    assert.equal(response?.status(), 200);
    assert.equal(await page.getAttribute('html', 'lang'), 'ja');
    await page.waitForSelector('[data-embed-root] section.cell[data-state="fulfilled"]');
    // The sentence the cell writes ("At rank ${r}, LoRA trains …"), in Japanese.
    const output = (await page.textContent('[data-embed-root] .cell-output')) ?? '';
    assert.match(output, JAPANESE, `the cell's output is Japanese: ${output.slice(0, 120)}`);
    assert.equal(
      await page.getAttribute('.embed-credit a', 'href'),
      '/ja/lessons/how-these-notebooks-work/',
    );
    assert.deepEqual(foreignRequests, []);
    assert.deepEqual(errors, []);
    await context.close();
  });
});
