/**
 * Runs the bench page (`/bench/`) in Debian's Chromium once per backend configuration and
 * collects `window.__benchResult`. Configurations are measured one after another in the same run,
 * so their ratios are comparable; each result is itself a median over repeats.
 */
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS } from '../lib/chromium.mjs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserBenchResult } from '../../src/bench/client.ts';

/** One configuration to measure: a query string for the bench page and a label. */
export interface BrowserConfig {
  readonly label: string;
  readonly query: string;
}

/** What we measure by default on every machine. */
export const BROWSER_CONFIGS: readonly BrowserConfig[] = [
  { label: 'webgpu', query: 'backend=webgpu' },
  { label: 'webgl', query: 'backend=webgl' },
  { label: 'wasm', query: 'backend=wasm' },
  { label: 'cpu', query: 'backend=cpu' },
];

/** The same Chromium flags the e2e tests use (one list, in scripts/lib/chromium.mjs). */
export { CHROMIUM_ARGS };

/** Measures each configuration in a fresh page of one browser. */
export async function runBrowserBench(
  baseUrl: string,
  configs: readonly BrowserConfig[] = BROWSER_CONFIGS,
  log: (line: string) => void = console.log,
): Promise<{ label: string; result: BrowserBenchResult | { error: string } }[]> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'bench-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    // The offline service worker would save the whole site (about 31 MB: the shell at install, then the model and data) while we measure.
    serviceWorkers: 'block',
  });
  const out: { label: string; result: BrowserBenchResult | { error: string } }[] = [];
  try {
    for (const config of configs) {
      const page = await context.newPage();
      log(`browser bench: ${config.label} …`);
      await page.goto(`${baseUrl}bench/?${config.query}`);
      await page.waitForFunction(() => window.__benchResult !== undefined, undefined, {
        timeout: 300_000,
        polling: 250,
      });
      const result = await page.evaluate(() => window.__benchResult);
      if (result === undefined) throw new Error(`${config.label}: no result`);
      out.push({ label: config.label, result });
      await page.close();
    }
  } finally {
    await context.close();
  }
  return out;
}
