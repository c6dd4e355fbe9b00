// @ts-check
/**
 * Embeds (issue 9), end to end in Chromium: a host page served by a tiny server on ANOTHER port
 * (so another origin) frames `/embed/<lesson>/<cell>/` cells, with the site's real headers, and
 * resizes the frame with the documented snippet. Checked: the cell runs (`data-state` fulfilled),
 * honours URL inputs (clamped, with visible notes for nonsense), hides code and controls when
 * asked, the frame fits its content, hosts with COEP can frame it too, a lesson page (not an
 * embed) refuses to be framed by another origin, and "Copy embed" gives a working snippet.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { after, before, describe, test } from 'node:test';
import { BASE_URL, editCell, launchBrowser, lessonsFromSource, lessonUrl } from './helpers.mjs';

const LESSON = 'how-these-notebooks-work';
/** The sentence "At rank ${r}, LoRA trains …" (cell 4, anonymous, reads r, layer and counts). */
const SENTENCE = '3';
const SITE_ORIGIN = new URL(BASE_URL).origin;
const AXE_PATH = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** @param {string} cell @param {string} [query] */
const embedUrl = (cell, query = '') =>
  new URL(`embed/${LESSON}/${cell}/${query === '' ? '?test=1' : `?test=1&${query}`}`, BASE_URL)
    .href;

/**
 * The resize script exactly as the instructors' page documents it (the code block that mentions
 * the height message), so the test checks what instructors copy.
 */
async function resizeScript() {
  const html = await (await fetch(new URL('instructors/', BASE_URL))).text();
  const blocks = [...html.matchAll(/<code[^>]*>([\s\S]*?)<\/code>/g)].map((m) =>
    (m[1] ?? '')
      .replace(/<[^>]+>/g, '')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&amp;/g, '&'),
  );
  return blocks.find((b) => b.startsWith('<script>') && b.includes('lora-embed:height')) ?? null;
}

/**
 * A host page on another origin. `GET /?src=URL[&coep=1]` frames `src` (50 px high at first) and
 * includes the resize snippet; `GET /raw?html=…` serves the given body (a copied snippet).
 * @param {string} script
 */
function startHost(script) {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://host');
    const headers = /** @type {Record<string, string>} */ ({
      'Content-Type': 'text/html; charset=utf-8',
    });
    if (url.searchParams.get('coep') === '1') {
      // Cross-origin isolated: such a host may only frame documents that send CORP cross-origin.
      headers['Cross-Origin-Embedder-Policy'] = 'require-corp';
      headers['Cross-Origin-Opener-Policy'] = 'same-origin';
    }
    let body;
    if (url.pathname === '/raw') {
      body = `<!doctype html><title>Host</title><h1>A course page</h1>${url.searchParams.get('html') ?? ''}`;
    } else {
      const src = (url.searchParams.get('src') ?? '').replace(/"/g, '&quot;');
      body = `<!doctype html><title>Host</title><h1>A course page</h1>
<iframe src="${src}" title="Embedded cell" data-lora-embed width="100%" height="50" style="border:0"></iframe>
<p id="after">Text after the frame.</p>
${script}`;
    }
    res.writeHead(200, headers);
    res.end(body);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      resolve({ origin: `http://127.0.0.1:${String(port)}`, close: () => server.close() });
    });
  });
}

describe('embeds', () => {
  /** @type {import('playwright-core').Browser} */
  let browser;
  /** @type {{ origin: string, close: () => void }} */
  let host;

  before(async () => {
    const script = await resizeScript();
    assert.ok(script, 'the resize snippet could not be imported');
    host = /** @type {{ origin: string, close: () => void }} */ (await startHost(script));
    assert.notEqual(host.origin, SITE_ORIGIN);
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    host?.close();
  });

  /**
   * Opens the host page framing `src`; returns the page, the embed's frame and the list of
   * requests to hosts other than the site and the host page.
   * @param {string} src
   * @param {{ coep?: boolean, context?: import('playwright-core').BrowserContext }} [options]
   */
  async function openHost(src, options = {}) {
    const context = options.context ?? (await browser.newContext());
    const page = await context.newPage();
    /** @type {string[]} */
    const foreign = [];
    /** @type {string[]} */
    const errors = [];
    page.on('request', (request) => {
      const url = request.url();
      if (/^(data|blob|about):/.test(url)) return;
      const origin = new URL(url).origin;
      if (origin !== SITE_ORIGIN && origin !== host.origin) foreign.push(url);
    });
    page.on('pageerror', (error) => errors.push(error.message));
    const query = new URLSearchParams({ src, ...(options.coep ? { coep: '1' } : {}) });
    await page.goto(`${host.origin}/?${query.toString()}`);
    const handle = await page.waitForSelector('iframe[data-lora-embed]');
    const frame = await handle.contentFrame();
    assert.ok(frame, 'the iframe has no frame');
    return { context, page, frame, foreign, errors };
  }

  /** @param {import('playwright-core').Frame} frame */
  async function settled(frame, timeout = 60_000) {
    await frame.waitForSelector(
      'section.cell[data-state="fulfilled"], section.cell[data-state="rejected"]',
      {
        timeout,
      },
    );
    return frame.getAttribute('section.cell', 'data-state');
  }

  test('the site lets other origins frame /embed/ pages only', async () => {
    const embed = await fetch(embedUrl(SENTENCE));
    assert.equal(embed.status, 200);
    assert.match(embed.headers.get('content-security-policy') ?? '', /frame-ancestors \*/);
    assert.equal(embed.headers.get('cross-origin-resource-policy'), 'cross-origin');
    const lesson = await fetch(lessonUrl(LESSON));
    assert.match(lesson.headers.get('content-security-policy') ?? '', /frame-ancestors 'self'/);
    assert.equal(lesson.headers.get('cross-origin-resource-policy'), 'same-origin');
  });

  test('a cell framed by another origin runs, takes its inputs from the URL and fits its frame', async () => {
    const { context, page, frame, foreign, errors } = await openHost(embedUrl(SENTENCE, 'r=6'));
    assert.equal(await settled(frame), 'fulfilled');
    const text = await frame.textContent('section.cell .cell-output');
    // r = 6 on a 768 × 768 layer: 768·6 + 6·768 = 9,216 of 589,824 numbers.
    assert.match(
      text ?? '',
      /At rank 6, LoRA trains 9,216\s+numbers where full fine-tuning trains 589,824/,
    );
    // The input it depends on is shown as a control, set from the URL; its code is shown.
    assert.equal(await frame.inputValue('.embed-controls input[type="range"]'), '6');
    assert.equal(await frame.isVisible('section.cell pre'), true);
    assert.equal(await frame.isVisible('[data-embed-notes]'), false);
    // Moving the control reruns the cell (the embed is live).
    await frame.fill('.embed-controls input[type="number"]', '2');
    await frame.dispatchEvent('.embed-controls input[type="number"]', 'input');
    await frame.waitForFunction(() =>
      /At rank 2, LoRA trains 3,072/.test(
        document.querySelector('.cell-output')?.textContent ?? '',
      ),
    );
    // The frame was 50 px high; the snippet resized it to the embed's content.
    await page.waitForFunction(
      () => (document.querySelector('iframe')?.getBoundingClientRect().height ?? 0) > 60,
      undefined,
      { timeout: 10_000 },
    );
    const frameHeight = await page.$eval('iframe', (f) => f.getBoundingClientRect().height);
    const contentHeight = await frame.$eval('main', (m) =>
      Math.ceil(m.getBoundingClientRect().height),
    );
    assert.ok(
      Math.abs(frameHeight - contentHeight) <= 2,
      `frame ${String(frameHeight)} px, content ${String(contentHeight)} px`,
    );
    console.log(
      `embed: frame resized 50 → ${String(frameHeight)} px (content ${String(contentHeight)} px)`,
    );
    assert.deepEqual(foreign, []);
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('?code=hide&controls=hide&theme=dark hide the code and controls and set the theme', async () => {
    const { context, frame } = await openHost(
      embedUrl(SENTENCE, 'r=3&code=hide&controls=hide&theme=dark'),
    );
    assert.equal(await settled(frame), 'fulfilled');
    assert.match((await frame.textContent('.cell-output')) ?? '', /At rank 3,/);
    assert.equal(await frame.locator('section.cell pre').count(), 0);
    assert.equal(await frame.isVisible('.embed-controls'), false);
    assert.equal(await frame.getAttribute('html', 'data-theme'), 'dark');
    await context.close();
  });

  test('?code=fold puts the code behind a disclosure', async () => {
    const { context, frame } = await openHost(embedUrl(SENTENCE, 'code=fold'));
    assert.equal(await settled(frame), 'fulfilled');
    assert.equal(await frame.isVisible('details.embed-code summary'), true);
    assert.equal(await frame.isVisible('details.embed-code pre'), false);
    await context.close();
  });

  test('nonsense parameters are clamped or refused, with a visible note', async () => {
    const { context, frame } = await openHost(
      embedUrl(SENTENCE, 'r=100&foo=1&alpha=3&code=maybe&theme=purple'),
    );
    assert.equal(await settled(frame), 'fulfilled');
    assert.match((await frame.textContent('.cell-output')) ?? '', /At rank 8,/);
    const notes = (await frame.textContent('[data-embed-notes]')) ?? '';
    assert.equal(await frame.isVisible('[data-embed-notes]'), true);
    assert.match(notes, /“r=100” is above the maximum 8; using 8/);
    assert.match(notes, /does not depend on “foo”/);
    assert.match(notes, /does not depend on “alpha”/);
    assert.match(notes, /“code=maybe” is not one of show, fold, hide/);
    assert.match(notes, /“theme=purple”/);
    await context.close();

    const second = await openHost(embedUrl(SENTENCE, 'r=abc'));
    assert.equal(await settled(second.frame), 'fulfilled');
    assert.match((await second.frame.textContent('.cell-output')) ?? '', /At rank 2,/);
    assert.match(
      (await second.frame.textContent('[data-embed-notes]')) ?? '',
      /“r=abc” is not a number; keeping 2/,
    );
    await second.context.close();
  });

  test('a literal cell takes a value, never code', async () => {
    const { context, frame } = await openHost(embedUrl('alpha', 'alpha=16'));
    assert.equal(await settled(frame), 'fulfilled');
    assert.match((await frame.textContent('.cell-output')) ?? '', /alpha = 16/);
    await context.close();
    const code = await openHost(embedUrl('alpha', `alpha=${encodeURIComponent('(() => 1)()')}`));
    assert.equal(await settled(code.frame), 'fulfilled');
    assert.match((await code.frame.textContent('.cell-output')) ?? '', /alpha = 4/);
    assert.match((await code.frame.textContent('[data-embed-notes]')) ?? '', /is not a number/);
    await code.context.close();
  });

  test('a host that is cross-origin isolated (COEP require-corp) can frame an embed', async () => {
    const { context, page, frame } = await openHost(embedUrl(SENTENCE, 'r=4'), { coep: true });
    assert.equal(await page.evaluate(() => window.crossOriginIsolated), true);
    assert.equal(await settled(frame), 'fulfilled');
    assert.match((await frame.textContent('.cell-output')) ?? '', /At rank 4,/);
    await context.close();
  });

  test('a lesson page (not an embed) refuses to be framed by another origin', async () => {
    const { context, frame } = await openHost(lessonUrl(LESSON));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const mounted = await frame.$('[data-lesson-root]').catch(() => null);
    assert.equal(mounted, null, 'the lesson page loaded inside a cross-origin frame');
    await context.close();
  });

  test('"Copy embed" copies a snippet with the current inputs; it works on another page', async () => {
    const context = await browser.newContext();
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: SITE_ORIGIN });
    const page = await context.newPage();
    await page.goto(lessonUrl(LESSON));
    await page.waitForSelector(`[data-cell="${SENTENCE}"][data-state="fulfilled"]`);
    await page.fill('[data-cell="r"] input[type="number"]', '5');
    await page.dispatchEvent('[data-cell="r"] input[type="number"]', 'input');
    await page.waitForFunction(
      (key) =>
        /At rank 5,/.test(
          document.querySelector(`[data-cell="${key}"] .cell-output`)?.textContent ?? '',
        ),
      SENTENCE,
    );
    const cell = page.locator(`[data-cell="${SENTENCE}"]`);
    await cell.getByRole('button', { name: 'Copy embed' }).click();
    await cell
      .locator('.cell-embed-status')
      .filter({ hasText: /copied to the clipboard/ })
      .waitFor();
    const snippet = await page.evaluate(() => navigator.clipboard.readText());
    assert.match(
      snippet,
      new RegExp(`<iframe src="${SITE_ORIGIN}/embed/${LESSON}/${SENTENCE}/\\?r=5"`),
    );
    assert.match(snippet, /addEventListener\('message'/);
    // Pasted into a page on another origin, it shows the cell at r = 5 and resizes the frame.
    const hosted = await context.newPage();
    await hosted.goto(`${host.origin}/raw?${new URLSearchParams({ html: snippet }).toString()}`);
    const frame = await (await hosted.waitForSelector('iframe[data-lora-embed]')).contentFrame();
    assert.ok(frame);
    assert.equal(await settled(frame), 'fulfilled');
    assert.match((await frame.textContent('.cell-output')) ?? '', /At rank 5,/);
    await hosted.waitForFunction(() =>
      document.querySelector('iframe')?.style.height.endsWith('px'),
    );
    await context.close();
  });

  test('"Copy embed" without a clipboard shows the snippet in a text box', async () => {
    const context = await browser.newContext();
    await context.addInitScript(() => {
      Object.defineProperty(navigator, 'clipboard', {
        value: { writeText: () => Promise.reject(new Error('denied')) },
      });
    });
    const page = await context.newPage();
    await page.goto(lessonUrl(LESSON));
    await page.waitForSelector('[data-cell="rankPlot"][data-state="fulfilled"]', {
      timeout: 60_000,
    });
    const cell = page.locator('[data-cell="rankPlot"]');
    await cell.getByRole('button', { name: 'Copy embed' }).click();
    const box = cell.getByRole('textbox', { name: /Embed code/ });
    await box.waitFor();
    assert.match(await box.inputValue(), new RegExp(`/embed/${LESSON}/rankPlot/\\?r=2"`));
    await context.close();
  });

  test("an embed runs the lesson's own code: never a stored edit or a share link", async () => {
    const context = await browser.newContext();
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: SITE_ORIGIN });
    const page = await context.newPage();
    await page.goto(lessonUrl(LESSON));
    await page.waitForSelector(`[data-cell="${SENTENCE}"][data-state="fulfilled"]`);
    await editCell(page, SENTENCE, 'html`<p>EDITED BY A READER</p>`');
    await page.waitForFunction(
      (key) =>
        /EDITED BY A READER/.test(
          document.querySelector(`[data-cell="${key}"] .cell-output`)?.textContent ?? '',
        ),
      SENTENCE,
    );
    await page.waitForTimeout(600); // the edit is stored 300 ms after typing
    assert.ok(
      await page.evaluate(() =>
        Object.values(localStorage).some((v) => v.includes('EDITED BY A READER')),
      ),
      'the edit was not stored, so this test would prove nothing',
    );
    await page.getByRole('button', { name: 'Share', exact: true }).click();
    const link = await page.getByRole('textbox', { name: 'Share link' }).inputValue();
    const fragment = new URL(link).hash;
    assert.match(fragment, /^#share=/);
    // Same browser, same origin, so the stored edit is visible to the embed; and the share fragment.
    const embed = await context.newPage();
    await embed.goto(`${embedUrl(SENTENCE, 'r=7')}${fragment}`);
    assert.equal(await settled(embed.mainFrame()), 'fulfilled');
    const text = (await embed.textContent('.cell-output')) ?? '';
    assert.match(text, /At rank 7,/);
    assert.doesNotMatch(text, /EDITED/);
    assert.doesNotMatch((await embed.textContent('section.cell pre')) ?? '', /EDITED/);
    await context.close();
  });

  test("every cell of every lesson runs embedded, and the instructors' page lists all but set-up cells", async () => {
    const instructors = await (await fetch(new URL('instructors/', BASE_URL))).text();
    const listed = new Set(
      [...instructors.matchAll(/href="[^"]*?\/embed\/([^"?]+?)\/"/g)].map((m) =>
        decodeURIComponent(m[1] ?? ''),
      ),
    );
    const context = await browser.newContext();
    const page = await context.newPage();
    /** @type {string[]} */
    const failed = [];
    let count = 0;
    /** @type {string[]} */
    const setup = [];
    const started = Date.now();
    for (const { slug } of lessonsFromSource()) {
      const response = await fetch(lessonUrl(slug));
      assert.ok(
        response.ok,
        `${slug}: lesson page answered ${String(response.status)} (is dist/ built from the current lessons/?)`,
      );
      const html = await response.text();
      const cells = [...html.matchAll(/<section[^>]*\bdata-cell="([^"]+)"[^>]*>/g)].map((m) => ({
        key: m[1] ?? '',
        setup: /\bdata-cell-setup\b/.test(m[0]),
      }));
      for (const { key, setup: isSetup } of cells) {
        count++;
        if (isSetup) setup.push(`${slug}/${key}`);
        if (isSetup && listed.has(`${slug}/${key}`)) {
          failed.push(`${slug}/${key}: a set-up cell, listed on /instructors/`);
        }
        if (!isSetup && !listed.has(`${slug}/${key}`)) {
          failed.push(`${slug}/${key}: not on /instructors/`);
        }
        await page.goto(new URL(`embed/${slug}/${encodeURIComponent(key)}/?test=1`, BASE_URL).href);
        const state = await settled(page.mainFrame(), 120_000);
        if (state !== 'fulfilled') {
          failed.push(
            `${slug}/${key}: ${String(state)}: ${(await page.textContent('.cell-error')) ?? ''}`,
          );
        }
      }
    }
    assert.ok(count > 0, 'no cells found in any lesson');
    console.log(`embed: ${String(count)} cells embedded in ${String(Date.now() - started)} ms`);
    for (const plumbing of ['intrinsic-dimension/precomputed', 'initialisation/lock']) {
      assert.ok(setup.includes(plumbing), `${plumbing} is not marked a set-up cell`);
    }
    assert.equal(
      listed.size,
      count - setup.length,
      'the instructors page lists a different number of cells',
    );
    assert.deepEqual(failed, []);
    await context.close();
  });

  test('a long cell embeds with its code folded unless code=show; set-up cells offer no Copy embed', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    // The training panel (a short cell: the kit's trainingPanel) shows its Start in the frame.
    await page.goto(new URL('embed/training-run/run/', BASE_URL).href);
    const start = page.locator('[data-train-panel] button[data-action="start"]');
    await start.waitFor({ timeout: 120_000 });
    const top = (await start.boundingBox())?.y ?? Infinity;
    assert.ok(top < 844, `Start is ${String(top)} px down the frame`);
    // The backend comparison is long: folded, and the reader can unfold it.
    await page.goto(new URL('embed/training-run/backends/', BASE_URL).href);
    const code = page.locator('details.embed-code');
    assert.equal(await code.evaluate((d) => /** @type {HTMLDetailsElement} */ (d).open), false);
    await page.getByText('Code', { exact: true }).click();
    assert.ok(await page.locator('section.cell pre').isVisible());
    await page.goto(new URL('embed/training-run/backends/?code=show', BASE_URL).href);
    assert.ok(await page.locator('section.cell pre').isVisible());
    assert.equal(await page.locator('details.embed-code').count(), 0);
    // A short cell's code shows, with no "Code" summary.
    await page.goto(embedUrl(SENTENCE));
    assert.ok(await page.locator('section.cell pre').isVisible());
    assert.equal(await page.getByText('Code', { exact: true }).isVisible(), false);

    await page.goto(lessonUrl('intrinsic-dimension'));
    await page.locator('[data-cell="accuracyPlot"][data-state="fulfilled"]').waitFor({
      timeout: 120_000,
    });
    const copyIn = (/** @type {string} */ key) =>
      page.locator(`[data-cell="${key}"]`).getByRole('button', { name: 'Copy embed' }).count();
    assert.equal(await copyIn('precomputed'), 0);
    assert.equal(await copyIn('accuracyPlot'), 1);
    await context.close();
  });

  test('"Save figure" downloads a plot as SVG and PNG', async () => {
    const context = await browser.newContext({ acceptDownloads: true });
    const page = await context.newPage();
    await page.goto(embedUrl('rankPlot', 'code=hide'));
    assert.equal(await settled(page.mainFrame()), 'fulfilled');
    const tools = page.getByRole('group', { name: 'Save figure' });
    for (const [format, head] of /** @type {const} */ ([
      ['SVG', /^<svg/],
      ['PNG', /^\x89PNG/],
    ])) {
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        tools.getByRole('button', { name: format }).click(),
      ]);
      assert.equal(download.suggestedFilename(), `rankPlot.${format.toLowerCase()}`);
      const path = await download.path();
      const bytes = await readFile(path);
      assert.match(bytes.subarray(0, 8).toString('latin1'), head);
      assert.ok(bytes.length > 2000, `${format}: only ${String(bytes.length)} bytes`);
    }
    await context.close();
  });

  for (const colorScheme of /** @type {const} */ (['light', 'dark'])) {
    test(`axe finds no serious or critical violation on embeds and the instructors' page (${colorScheme})`, async () => {
      // axe is injected as an inline script, which the site's CSP (rightly) forbids.
      const context = await browser.newContext({ colorScheme, bypassCSP: true });
      const page = await context.newPage();
      /** @type {string[]} */
      const found = [];
      for (const url of [
        embedUrl(SENTENCE, 'r=100'), // with a note and a control
        embedUrl('rankPlot', 'code=fold'),
        new URL('instructors/', BASE_URL).href,
      ]) {
        await page.goto(url);
        if (url.includes('/embed/')) await settled(page.mainFrame());
        await page.addScriptTag({ path: AXE_PATH });
        /** @type {string[]} */
        const bad = await page.evaluate(async () => {
          // @ts-expect-error axe is the global the script tag defined
          const result = await window.axe.run(document, {
            runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
          });
          return result.violations
            .filter((/** @type {{ impact: string }} */ v) =>
              ['serious', 'critical'].includes(v.impact),
            )
            .map(
              (/** @type {{ id: string, nodes: { target: string[] }[] }} */ v) =>
                `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
            );
        });
        found.push(...bad.map((b) => `${new URL(url).pathname}: ${b}`));
      }
      assert.deepEqual(found, []);
      await context.close();
    });
  }
});
