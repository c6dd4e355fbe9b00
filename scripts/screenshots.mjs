#!/usr/bin/env node
// @ts-check
/**
 * Screenshots of the first lesson for the README: light, dark, and a 390-px-wide phone, written to
 * docs/screenshots/. Needs a built site (`npm run build`) and /usr/bin/chromium.
 *
 *   npm exec -- node scripts/screenshots.mjs
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './lib/chromium.mjs';
import { lessonsFromSource } from './lib/lesson-files.mjs';
import { startServer } from './start-server.mjs';

const outDir = fileURLToPath(new URL('../docs/screenshots/', import.meta.url));
mkdirSync(outDir, { recursive: true });

const lesson = lessonsFromSource()[0];
if (!lesson) throw new Error('no lesson in lessons/');

/** @type {{ name: string, colorScheme: 'light' | 'dark', width: number, height: number, scroll: string | null }[]} */
const shots = [
  { name: 'lesson-light', colorScheme: 'light', width: 1280, height: 1100, scroll: null },
  {
    name: 'lesson-dark',
    colorScheme: 'dark',
    width: 1280,
    height: 1100,
    scroll: '[data-cell="r"]',
  },
  {
    name: 'lesson-phone',
    colorScheme: 'light',
    width: 390,
    height: 844,
    scroll: '[data-cell="r"]',
  },
];

const { url, stop } = await startServer();
const browser = await chromium.launch({
  executablePath: CHROMIUM_PATH,
  args: CHROMIUM_ARGS,
  headless: true,
});
try {
  for (const shot of shots) {
    const context = await browser.newContext({
      colorScheme: shot.colorScheme,
      viewport: { width: shot.width, height: shot.height },
      deviceScaleFactor: 1,
      reducedMotion: 'reduce',
    });
    const page = await context.newPage();
    await page.goto(new URL(`lessons/${lesson.slug}/?test=1`, url).href);
    // Let the cells run if the runtime is there; a page without it is still worth a picture.
    await page
      .waitForFunction(
        () =>
          [...document.querySelectorAll('[data-cell]')].every((cell) =>
            ['fulfilled', 'rejected'].includes(cell.getAttribute('data-state') ?? ''),
          ),
        undefined,
        { timeout: 60_000 },
      )
      .catch(() => {
        console.warn(`${shot.name}: cells did not settle within 60 s; taking the picture anyway`);
      });
    if (shot.scroll) {
      await page.locator(shot.scroll).evaluate((el) => {
        el.scrollIntoView({ block: 'start' });
        window.scrollBy(0, -120);
      });
    }
    await page.waitForTimeout(300);
    const path = `${outDir}${shot.name}.png`;
    await page.screenshot({ path });
    console.log(`wrote ${path}`);
    await context.close();
  }
} finally {
  await browser.close();
  stop();
}
