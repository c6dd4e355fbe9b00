// @ts-check
/** The site frame: home page, lesson order, theme switch, 404, headers, nothing from other hosts. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { readdirSync, readFileSync } from 'node:fs';
import { CONTENT_SECURITY_POLICY, securityHeaders } from '../../scripts/headers.mjs';
import { BASE_URL, launchBrowser, lessonsFromSource, openPage } from './helpers.mjs';

/** @type {import('playwright-core').Browser} */
let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser.close();
});

describe('home page', () => {
  it('lists every lesson in course order, linking to its page', async () => {
    const context = await browser.newContext();
    const { page, foreignRequests, errors } = await openPage(context);
    await page.goto(BASE_URL);
    const listed = await page.$$eval('[data-lesson-list] > li', (items) =>
      items.map((li) => ({
        slug: li.getAttribute('data-lesson') ?? '',
        title: li.querySelector('h3')?.textContent.trim() ?? '',
        href: li.querySelector('a')?.getAttribute('href') ?? '',
      })),
    );
    const expected = lessonsFromSource();
    assert.ok(expected.length > 0, 'lessons/ holds at least one lesson');
    assert.deepEqual(
      listed.map(({ slug, title }) => ({ slug, title })),
      expected.map(({ slug, title }) => ({ slug, title })),
    );
    for (const item of listed) assert.equal(item.href, `/lessons/${item.slug}/`);
    assert.deepEqual(foreignRequests, []);
    assert.deepEqual(errors, []);
    await context.close();
  });

  it('loads neither TF.js, Plotly nor the cell runtime on a page without cells', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    /** @type {string[]} */
    const scripts = [];
    page.on('request', (request) => {
      if (request.resourceType() === 'script') scripts.push(new URL(request.url()).pathname);
    });
    await page.goto(BASE_URL, { waitUntil: 'networkidle' });
    assert.ok(scripts.length > 0, 'the page loads its own small scripts');
    const heavy = scripts.filter((path) => /\/(tfjs|plotly|mount|core)[.-]/.test(path));
    assert.deepEqual(heavy, [], 'heavy chunks are loaded lazily, by lesson pages only');
    await context.close();
  });

  it('sends the security and isolation headers, as the README documents them', async () => {
    for (const path of ['', 'lessons/', 'no-such-page/', 'favicon.svg']) {
      const response = await fetch(new URL(path, BASE_URL));
      for (const [name, value] of Object.entries(securityHeaders({ dev: false }))) {
        assert.equal(response.headers.get(name), value, `${name} on /${path}`);
      }
    }
    // Embeds, and only they, may be framed by other sites.
    const embed = await fetch(new URL('embed/any-lesson/any-cell/', BASE_URL));
    for (const [name, value] of Object.entries(securityHeaders({ dev: false, path: '/embed/' }))) {
      assert.equal(embed.headers.get(name), value, `${name} on /embed/`);
    }
    assert.match(embed.headers.get('content-security-policy') ?? '', /frame-ancestors \*/);
    assert.equal(embed.headers.get('cross-origin-resource-policy'), 'cross-origin');
    const csp = CONTENT_SECURITY_POLICY;
    assert.match(csp, /default-src 'self'/);
    assert.match(csp, /frame-ancestors 'self'/);
    // Issue 23: 'unsafe-eval' only where cells run (lesson pages and embeds).
    assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'(;|$)/);
    const lessonPage = await fetch(new URL('lessons/how-these-notebooks-work/', BASE_URL));
    assert.match(
      lessonPage.headers.get('content-security-policy') ?? '',
      /script-src 'self' 'unsafe-eval' 'wasm-unsafe-eval'(;|$)/,
    );
    const hostFile = readFileSync(new URL('../../dist/_headers', import.meta.url), 'utf8');
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    for (const [name, value] of Object.entries(securityHeaders({ dev: false }))) {
      assert.ok(readme.includes(`${name}: ${value}`), `README lists "${name}: ${value}"`);
      assert.ok(hostFile.includes(`  ${name}: ${value}\n`), `dist/_headers has "${name}"`);
    }
  });

  it('serves WebAssembly as application/wasm', async () => {
    const wasm = readdirSync(new URL('../../dist/_astro/', import.meta.url)).find((name) =>
      name.endsWith('.wasm'),
    );
    assert.ok(wasm, 'the build ships the WASM backend');
    const response = await fetch(new URL(`_astro/${wasm}`, BASE_URL));
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'application/wasm');
  });

  it('answers an unknown address with the 404 page', async () => {
    const response = await fetch(new URL('no-such-page/', BASE_URL));
    assert.equal(response.status, 404);
    assert.match(await response.text(), /Page not found/);
  });
});

describe('theme', () => {
  it('switches to dark and back, and remembers the choice across reloads', async () => {
    const context = await browser.newContext({ colorScheme: 'light' });
    const { page, errors } = await openPage(context);
    await page.goto(BASE_URL);
    const theme = () => page.evaluate(() => document.documentElement.dataset['theme']);
    const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.equal(await theme(), 'light');
    const lightBackground = await background();

    await page.getByRole('radio', { name: 'Dark' }).check();
    assert.equal(await theme(), 'dark');
    assert.notEqual(await background(), lightBackground);

    await page.reload();
    assert.equal(await theme(), 'dark', 'the choice survives a reload');
    assert.ok(await page.getByRole('radio', { name: 'Dark' }).isChecked());

    await page.getByRole('radio', { name: 'Light' }).check();
    assert.equal(await theme(), 'light');
    assert.deepEqual(errors, []);
    await context.close();
  });

  it('follows the system setting when set to System', async () => {
    const context = await browser.newContext({ colorScheme: 'dark' });
    const { page } = await openPage(context);
    await page.goto(BASE_URL);
    assert.equal(await page.evaluate(() => document.documentElement.dataset['theme']), 'dark');
    await page.emulateMedia({ colorScheme: 'light' });
    await page.waitForFunction(() => document.documentElement.dataset['theme'] === 'light');
    await context.close();
  });
  it('applies a stored theme before the first paint (blocking script in <head>)', async () => {
    const html = await (await fetch(BASE_URL)).text();
    const head = html.slice(0, html.indexOf('</head>'));
    assert.match(head, /<script src="\/theme-init\.js"><\/script>/, 'a classic, blocking script');
    const context = await browser.newContext({ colorScheme: 'light' });
    await context.addInitScript(() => {
      window.localStorage.setItem('theme', 'dark');
      // Record the theme at the first moment the body exists, before anything is painted.
      new MutationObserver((_, observer) => {
        if (document.body) {
          document.documentElement.dataset['themeAtBody'] =
            document.documentElement.dataset['theme'] ?? 'unset';
          observer.disconnect();
        }
      }).observe(document, { childList: true, subtree: true });
    });
    const page = await context.newPage();
    await page.goto(BASE_URL);
    assert.equal(
      await page.evaluate(() => document.documentElement.dataset['themeAtBody']),
      'dark',
    );
    await context.close();
  });
});

describe('keyboard', () => {
  it('offers a skip link as the first stop, which moves focus to the main content', async () => {
    const context = await browser.newContext();
    const { page } = await openPage(context);
    await page.goto(BASE_URL);
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => document.activeElement?.textContent.trim());
    assert.equal(focused, 'Skip to content');
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'main');
    await context.close();
  });

  it('shows a visible focus ring on links and on the theme switch', async () => {
    const context = await browser.newContext();
    const { page } = await openPage(context);
    await page.goto(BASE_URL);
    for (let i = 0; i < 6; i++) {
      await page.keyboard.press('Tab');
      const ring = await page.evaluate(() => {
        const el = document.activeElement;
        if (!el) return null;
        // The theme switch draws its ring on the label's text, next to the focused radio.
        const target = el.matches('input[type="radio"]') ? el.nextElementSibling : el;
        if (!target) return null;
        const style = getComputedStyle(target);
        return {
          tag: el.tagName,
          style: style.outlineStyle,
          width: parseFloat(style.outlineWidth),
        };
      });
      assert.ok(ring, 'something has focus');
      assert.notEqual(ring.style, 'none', `${ring.tag} #${i + 1} shows a focus ring`);
      assert.ok(ring.width >= 2, `${ring.tag} #${i + 1}: ring at least 2px`);
    }
    await context.close();
  });

  it('honours prefers-reduced-motion', async () => {
    const context = await browser.newContext({ reducedMotion: 'reduce' });
    const { page } = await openPage(context);
    await page.goto(BASE_URL);
    assert.equal(
      await page.evaluate(() => getComputedStyle(document.documentElement).scrollBehavior),
      'auto',
    );
    await context.close();
  });
});
