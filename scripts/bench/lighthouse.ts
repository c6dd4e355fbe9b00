/**
 * Lighthouse (mobile defaults: simulated slow 4G and a mid-range phone CPU) on each lesson page,
 * with Debian's Chromium. Scores are 0–100; the budget is performance ≥ 90, accessibility ≥ 95.
 */
import lighthouse from 'lighthouse';
import * as chromeLauncher from 'chrome-launcher';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median } from '../../src/core/stats.ts';
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
  /** Set when Lighthouse could not finish this page. */
  readonly error?: string;
}

function scriptTransfer(details: unknown): number {
  const items = (
    details as { items?: { resourceType?: string; transferSize?: number }[] } | undefined
  )?.items;
  return items?.find((i) => i.resourceType === 'script')?.transferSize ?? NaN;
}

/** One Lighthouse run of one page in a fresh Chromium; a failure is a row with `error`. */
async function runOnce(
  baseUrl: string,
  path: string,
  log: (line: string) => void,
): Promise<LighthouseRow> {
  const chrome = await chromeLauncher.launch({
    chromePath: '/usr/bin/chromium',
    chromeFlags: ['--headless=new', ...CHROMIUM_ARGS],
    userDataDir: mkdtempSync(join(tmpdir(), 'lighthouse-')),
  });
  try {
    const result = await lighthouse(`${baseUrl}${path}`, {
      port: chrome.port,
      output: 'json',
      logLevel: 'error',
      onlyCategories: ['performance', 'accessibility'],
    });
    if (!result) throw new Error('lighthouse returned no result');
    const { categories, audits } = result.lhr;
    const score = (k: string): number => Math.round(100 * (categories[k]?.score ?? NaN));
    const num = (k: string): number => audits[k]?.numericValue ?? NaN;
    // A category without a score means Lighthouse could not compute one of its metrics; say
    // which and why instead of printing NaN.
    const why = result.lhr.runtimeError
      ? [result.lhr.runtimeError.message]
      : Object.entries(audits)
          .filter(([, a]) => a.scoreDisplayMode === 'error')
          .slice(0, 3)
          .map(([id, a]) => `${id}: ${a.errorMessage ?? 'error'}`);
    if (Number.isNaN(score('performance')) || Number.isNaN(score('accessibility'))) {
      throw new Error(`no score (${why.join('; ') || 'no reason given'})`);
    }
    return {
      path,
      performance: score('performance'),
      accessibility: score('accessibility'),
      fcpMs: num('first-contentful-paint'),
      lcpMs: num('largest-contentful-paint'),
      tbtMs: num('total-blocking-time'),
      cls: num('cumulative-layout-shift'),
      scriptBytes: scriptTransfer(audits['resource-summary']?.details),
    };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    log(`lighthouse: ${path} failed: ${message}`);
    return {
      path,
      performance: NaN,
      accessibility: NaN,
      fcpMs: NaN,
      lcpMs: NaN,
      tbtMs: NaN,
      cls: NaN,
      scriptBytes: NaN,
      error: message,
    };
  } finally {
    chrome.kill();
  }
}

/**
 * Runs Lighthouse on each path (relative to `baseUrl`), a fresh Chromium per page. A page that
 * gets no score is tried once more: under load Lighthouse sometimes fails to record the trace
 * ("NO_NAVSTART … Please run Lighthouse again"); a second failure is reported with its reason.
 */
export async function runLighthouse(
  baseUrl: string,
  paths: readonly string[],
  log: (line: string) => void = console.log,
): Promise<LighthouseRow[]> {
  const rows: LighthouseRow[] = [];
  for (const path of paths) {
    log(`lighthouse: ${path} …`);
    let row = await runOnce(baseUrl, path, log);
    if (row.error !== undefined) {
      log(`lighthouse: ${path}: trying once more`);
      row = await runOnce(baseUrl, path, log);
    }
    rows.push(row);
  }
  return rows;
}

const fmtMs = (x: number): string => `${x.toFixed(1)} ms`;

/**
 * One page's runs summarised metric by metric: each figure is the median over the runs that got
 * a score (so a row may combine runs); all failed → the last failure.
 */
export function medianRow(runs: readonly (LighthouseRow | undefined)[]): LighthouseRow {
  const all = runs.filter((r): r is LighthouseRow => r !== undefined);
  const ok = all.filter((r) => r.error === undefined);
  const last = all[all.length - 1];
  if (last === undefined) throw new Error('medianRow: no runs');
  if (ok.length === 0) return last;
  const m = (k: keyof Omit<LighthouseRow, 'path' | 'error'>): number => median(ok.map((r) => r[k]));
  return {
    path: last.path,
    performance: m('performance'),
    accessibility: m('accessibility'),
    fcpMs: m('fcpMs'),
    lcpMs: m('lcpMs'),
    tbtMs: m('tbtMs'),
    cls: m('cls'),
    scriptBytes: m('scriptBytes'),
  };
}

/** The BENCHMARKS.md section for Lighthouse rows (budget: performance ≥ 90, accessibility ≥ 95). */
export function lighthouseLines(rows: readonly LighthouseRow[]): string[] {
  const lines = [
    '## Lighthouse (mobile defaults), budget: performance ≥ 90, accessibility ≥ 95',
    '',
    '| page | performance | accessibility | FCP | LCP | TBT | CLS | JS fetched during load | within budget |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    if (r.error !== undefined) {
      lines.push(`| ${r.path} | failed: ${r.error.slice(0, 160)} | | | | | | | **no** |`);
      continue;
    }
    const ok = r.performance >= 90 && r.accessibility >= 95;
    lines.push(
      `| ${r.path} | ${String(r.performance)} | ${String(r.accessibility)} | ${fmtMs(r.fcpMs)} | ${fmtMs(r.lcpMs)} | ${fmtMs(r.tbtMs)} | ${r.cls.toFixed(3)} | ${(r.scriptBytes / 1024).toFixed(1)} KB | ${ok ? 'yes' : '**no**'} |`,
    );
  }
  lines.push('');
  return lines;
}

/** bench/results.json records for Lighthouse rows (as main.ts writes them). */
export function lighthouseRecords(rows: readonly LighthouseRow[]) {
  return rows
    .filter((r) => r.error === undefined)
    .flatMap((r) => [
      {
        benchmark: `lighthouse/${r.path}`,
        backend: 'chromium-mobile',
        metric: 'performance_score',
        value: r.performance,
        unit: 'score',
      },
      {
        benchmark: `lighthouse/${r.path}`,
        backend: 'chromium-mobile',
        metric: 'accessibility_score',
        value: r.accessibility,
        unit: 'score',
      },
    ]);
}
