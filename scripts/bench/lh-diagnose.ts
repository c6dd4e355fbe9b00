/**
 * Diagnoses one page's Lighthouse (mobile) load: the metrics, what blocked first paint, the LCP
 * element, the biggest requests and the main-thread time by category.
 *   npx tsx scripts/bench/lh-diagnose.ts --dist /tmp/perf-dist --page lessons/initialisation/
 * Start Chromium only under the shared lock (`flock /work/chromium.lock nice -n 10 …`).
 */
import lighthouse from 'lighthouse';
import * as chromeLauncher from 'chrome-launcher';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHROMIUM_ARGS } from './browser.ts';

const args = process.argv.slice(2);
const opt = (name: string, fallback: string): string => {
  const i = args.indexOf(name);
  return i >= 0 ? (args[i + 1] ?? fallback) : fallback;
};

async function serve(dist: string): Promise<{ url: string; stop: () => void }> {
  const server = spawn(process.execPath, ['scripts/serve.mjs'], {
    env: { ...process.env, PORT: '0', DIST_DIR: dist },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve) => {
    let seen = '';
    server.stdout.setEncoding('utf8');
    server.stdout.on('data', (chunk: string) => {
      seen += chunk;
      const m = /http:\/\/127\.0\.0\.1:\d+\//.exec(seen);
      if (m) resolve({ url: m[0], stop: () => server.kill('SIGTERM') });
    });
  });
}

async function main(): Promise<void> {
  const server = await serve(opt('--dist', 'dist'));
  const chrome = await chromeLauncher.launch({
    chromePath: '/usr/bin/chromium',
    chromeFlags: ['--headless=new', ...CHROMIUM_ARGS],
    userDataDir: mkdtempSync(join(tmpdir(), 'lighthouse-')),
  });
  try {
    const result = await lighthouse(`${server.url}${opt('--page', 'lessons/initialisation/')}`, {
      port: chrome.port,
      output: 'json',
      logLevel: 'error',
      onlyCategories: ['performance', 'accessibility'],
    });
    if (!result) throw new Error('no result');
    const { audits, categories } = result.lhr;
    const json = opt('--json', '');
    if (json) writeFileSync(json, JSON.stringify(result.lhr));
    console.log('performance', categories.performance?.score);
    // A null score means some metric could not be computed: Lighthouse says why in its warnings.
    for (const w of result.lhr.runWarnings) console.log('warning:', w);
    console.log('accessibility', categories.accessibility?.score);
    for (const ref of categories.accessibility?.auditRefs ?? []) {
      const a = audits[ref.id];
      if (a && a.score !== null && a.score < 1) {
        console.log(`failed a11y audit ${ref.id}: ${JSON.stringify(a.details).slice(0, 1500)}`);
      }
    }
    for (const k of [
      'first-contentful-paint',
      'largest-contentful-paint',
      'total-blocking-time',
      'speed-index',
      'cumulative-layout-shift',
      'interactive',
    ]) {
      console.log(k, audits[k]?.numericValue?.toFixed(0), audits[k]?.score);
    }
    for (const k of [
      'render-blocking-resources',
      'render-blocking-insight',
      'largest-contentful-paint-element',
      'lcp-breakdown-insight',
      'font-display',
      'font-display-insight',
      'uses-text-compression',
      'document-latency-insight',
      'network-requests',
      'mainthread-work-breakdown',
      'bootup-time',
      'critical-request-chains',
      'network-dependency-tree-insight',
    ]) {
      const a = audits[k];
      if (!a) continue;
      console.log(`--- ${k}: ${a.displayValue ?? ''} ${a.score ?? ''}`);
      // An audit that could not run has no details (e.g. when the trace had no usable metrics).
      console.log(a.details ? JSON.stringify(a.details).slice(0, 2500) : '(no details)');
    }
  } finally {
    chrome.kill();
    server.stop();
  }
}

await main();
