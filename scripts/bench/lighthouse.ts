/**
 * Lighthouse (mobile defaults: simulated slow 4G and a mid-range phone CPU) on each lesson page,
 * with Debian's Chromium. Scores are 0–100; the budget is performance ≥ 90, accessibility ≥ 95.
 */
import lighthouse from 'lighthouse';
import * as chromeLauncher from 'chrome-launcher';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHROMIUM_ARGS } from './browser.ts';

/** One page's scores and the metrics behind the performance score. */
export interface LighthouseRow {
  readonly path: string;
  readonly performance: number;
  readonly accessibility: number;
  readonly fcpMs: number;
  readonly lcpMs: number;
  readonly tbtMs: number;
  readonly cls: number;
  /** JavaScript bytes transferred during the Lighthouse load (everything the page fetched). */
  readonly scriptBytes: number;
}

function scriptTransfer(details: unknown): number {
  const items = (
    details as { items?: { resourceType?: string; transferSize?: number }[] } | undefined
  )?.items;
  return items?.find((i) => i.resourceType === 'script')?.transferSize ?? NaN;
}

/** Runs Lighthouse on each path (relative to `baseUrl`) in one Chromium, one page after another. */
export async function runLighthouse(
  baseUrl: string,
  paths: readonly string[],
  log: (line: string) => void = console.log,
): Promise<LighthouseRow[]> {
  const chrome = await chromeLauncher.launch({
    chromePath: '/usr/bin/chromium',
    chromeFlags: ['--headless=new', ...CHROMIUM_ARGS],
    userDataDir: mkdtempSync(join(tmpdir(), 'lighthouse-')),
  });
  const rows: LighthouseRow[] = [];
  try {
    for (const path of paths) {
      log(`lighthouse: ${path} …`);
      const result = await lighthouse(`${baseUrl}${path}`, {
        port: chrome.port,
        output: 'json',
        logLevel: 'error',
        onlyCategories: ['performance', 'accessibility'],
      });
      if (!result) throw new Error(`lighthouse returned nothing for ${path}`);
      const { categories, audits } = result.lhr;
      const score = (k: string): number => Math.round(100 * (categories[k]?.score ?? NaN));
      const num = (k: string): number => audits[k]?.numericValue ?? NaN;
      rows.push({
        path,
        performance: score('performance'),
        accessibility: score('accessibility'),
        fcpMs: num('first-contentful-paint'),
        lcpMs: num('largest-contentful-paint'),
        tbtMs: num('total-blocking-time'),
        cls: num('cumulative-layout-shift'),
        scriptBytes: scriptTransfer(audits['resource-summary']?.details),
      });
    }
  } finally {
    chrome.kill();
  }
  return rows;
}
