/**
 * Lesson pages under load (issue 11): Lighthouse's simulated Total Blocking Time and CLS side by
 * side with the long tasks and layout shifts Chromium actually measured (long-tasks.ts).
 *
 * - `longTaskSection(baseUrl, paths, lighthouseRows)` returns BENCHMARKS.md lines and
 *   bench/results.json records; `npm run bench` (main.ts) calls it after its Lighthouse table.
 * - Standalone, against any built site (e.g. a private `astro build --outDir`):
 *     npx tsx scripts/bench/lesson-pages.ts --dist /tmp/perf-dist [--skip-lighthouse]
 *       [--pages lessons/a/,lessons/b/] [--window 10000] [--json out.json] [--shifts] [--runs N]
 *   serves that directory with scripts/serve.mjs (same headers as the site) and prints both
 *   tables. `--update` also puts them into BENCHMARKS.md in place of its Lighthouse and
 *   long-task sections (the rest of the file, written by `npm run bench`, stays) and replaces
 *   their records in bench/results.json. Start Chromium only under the shared lock
 *   (`flock /work/chromium.lock nice -n 10 …`).
 */
import { spawn } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  lighthouseLines,
  lighthouseRecords,
  runLighthouse,
  type LighthouseRow,
} from './lighthouse.ts';
import { measureLongTasks, type LongTaskRow } from './long-tasks.ts';

/** Same shape as main.ts's records in bench/results.json. */
export interface PerfRecord {
  readonly benchmark: string;
  readonly backend: string;
  readonly metric: string;
  readonly value: number;
  readonly unit: string;
}

const ms = (x: number): string => (Number.isFinite(x) ? `${x.toFixed(0)} ms` : '—');
const states = (r: LongTaskRow): string =>
  Object.entries(r.cellStates)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, n]) => `${String(n)} ${k}`)
    .join(', ');

/** Markdown lines for the long-task table, with Lighthouse's TBT and CLS next to them. */
export function longTaskLines(
  rows: readonly LongTaskRow[],
  lighthouse: readonly LighthouseRow[],
): string[] {
  const windowS = ((rows[0]?.windowMs ?? NaN) / 1000).toFixed(0);
  const lines = [
    `## Long tasks while a lesson page loads (first ${windowS} s, Chromium, no throttling)`,
    '',
    '| page | long tasks | total | longest | blocking (Σ d − 50 ms) | Lighthouse TBT (simulated) | layout shift | Lighthouse CLS | cells at the end |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    const lh = lighthouse.find((l) => l.path === r.path);
    if (r.error !== undefined) {
      lines.push(`| ${r.path} | failed: ${r.error.slice(0, 120)} | | | | | | | |`);
      continue;
    }
    lines.push(
      `| ${r.path} | ${String(r.count)} | ${ms(r.totalMs)} | ${ms(r.maxMs)} | ${ms(r.blockingMs)} | ${lh ? ms(lh.tbtMs) : '—'} | ${r.layoutShift.toFixed(3)} | ${lh && Number.isFinite(lh.cls) ? lh.cls.toFixed(3) : '—'} | ${states(r)} |`,
    );
  }
  lines.push(
    '',
    "Measured with a `PerformanceObserver` for `longtask` and `layout-shift` entries installed before the page's scripts (scripts/bench/long-tasks.ts), phone-sized viewport (412 × 823), on this machine as loaded at the time; Lighthouse instead simulates a mid-range phone (4× CPU slowdown), so its TBT is larger. Cells below the first screens wait until the reader scrolls near them (or presses Run), so they do not run in this window.",
    '',
  );
  return lines;
}

function records(rows: readonly LongTaskRow[]): PerfRecord[] {
  return rows
    .filter((r) => r.error === undefined)
    .flatMap((r) =>
      [
        { metric: 'long_task_count', value: r.count, unit: 'count' },
        { metric: 'long_task_total', value: r.totalMs, unit: 'ms' },
        { metric: 'long_task_max', value: r.maxMs, unit: 'ms' },
        { metric: 'long_task_blocking', value: r.blockingMs, unit: 'ms' },
        { metric: 'layout_shift', value: r.layoutShift, unit: 'score' },
      ].map((m) => ({ benchmark: `load/${r.path}`, backend: 'chromium', ...m })),
    );
}

/** Measures the lesson pages' long tasks; lines for BENCHMARKS.md and records for results.json. */
export async function longTaskSection(
  baseUrl: string,
  paths: readonly string[],
  lighthouse: readonly LighthouseRow[],
): Promise<{ lines: string[]; records: PerfRecord[] }> {
  const rows = await measureLongTasks(baseUrl, paths);
  return { lines: longTaskLines(rows, lighthouse), records: records(rows) };
}

/** Serves `dist` with the site's own server script (copied next to a link to `dist`). */
function serve(dist: string): Promise<{ url: string; stop: () => void }> {
  const here = fileURLToPath(new URL('.', import.meta.url));
  const dir = mkdtempSync(join(tmpdir(), 'bench-serve-'));
  mkdirSync(join(dir, 'scripts'));
  for (const f of ['serve.mjs', 'headers.mjs']) {
    copyFileSync(join(here, '..', f), join(dir, 'scripts', f));
  }
  symlinkSync(resolve(dist), join(dir, 'dist'));
  const server = spawn(process.execPath, [join(dir, 'scripts', 'serve.mjs')], {
    env: { ...process.env, PORT: '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((ok, fail) => {
    let seen = '';
    server.stdout.setEncoding('utf8');
    server.stdout.on('data', (chunk: string) => {
      seen += chunk;
      const m = /http:\/\/127\.0\.0\.1:\d+\//.exec(seen);
      if (m) ok({ url: m[0], stop: () => server.kill('SIGTERM') });
    });
    server.on('exit', (code) => {
      fail(new Error(`serve.mjs exited (${String(code)}) before listening`));
    });
  });
}

/** Of one page's runs, the one with the median performance score (failed runs only if all failed). */
export function medianRun(runs: readonly (LighthouseRow | undefined)[]): LighthouseRow {
  const ok = runs.filter((r): r is LighthouseRow => r !== undefined && r.error === undefined);
  const pool = ok.length > 0 ? ok : runs.filter((r): r is LighthouseRow => r !== undefined);
  const sorted = [...pool].sort((a, b) => a.performance - b.performance);
  const mid = sorted[Math.floor((sorted.length - 1) / 2)];
  if (!mid) throw new Error('medianRun: no runs');
  return mid;
}

/** Replaces the Lighthouse and long-task sections of a BENCHMARKS.md (appends if absent). */
export function updateBenchmarks(file: string, section: readonly string[]): void {
  const lines = existsSync(file) ? readFileSync(file, 'utf8').split('\n') : ['# Benchmarks', ''];
  const ours = (l: string): boolean =>
    l.startsWith('## Lighthouse') || l.startsWith('## Long tasks while a lesson page loads');
  const start = lines.findIndex(ours);
  let end = start + 1;
  while (start !== -1 && end < lines.length) {
    const l = lines[end] ?? '';
    if (l.startsWith('## ') && !ours(l)) break;
    end++;
  }
  const out =
    start === -1
      ? [...lines, ...section]
      : [...lines.slice(0, start), ...section, ...lines.slice(end)];
  writeFileSync(file, out.join('\n'));
}

/** Replaces the Lighthouse and page-load records in bench/results.json. */
function updateResults(file: string, fresh: readonly PerfRecord[]): void {
  const old = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as PerfRecord[]) : [];
  const kept = old.filter(
    (r) => !r.benchmark.startsWith('lighthouse/') && !r.benchmark.startsWith('load/'),
  );
  writeFileSync(file, JSON.stringify([...kept, ...fresh], null, 2) + '\n');
}

async function cli(): Promise<void> {
  // Lighthouse leaves some protocol promises unawaited when a page's target closes (as in main.ts).
  process.on('unhandledRejection', (reason: unknown) => {
    console.error('lesson-pages: unhandled rejection (continuing):', reason);
  });
  const args = process.argv.slice(2);
  const opt = (name: string): string | undefined => {
    const i = args.indexOf(name);
    return i === -1 ? undefined : args[i + 1];
  };
  const dist = opt('--dist');
  if (dist === undefined) throw new Error('lesson-pages: --dist DIR is required');
  const windowMs = Number(opt('--window') ?? '10000');
  const paths =
    opt('--pages')?.split(',') ??
    readdirSync(join(dist, 'lessons')).map((slug) => `lessons/${slug}/`);
  const server = await serve(dist);
  try {
    const runs = Number(opt('--runs') ?? '1');
    if (!(Number.isInteger(runs) && runs >= 1)) {
      throw new Error(
        `lesson-pages: --runs must be a whole number ≥ 1, got ${String(opt('--runs'))}`,
      );
    }
    const all: LighthouseRow[][] = [];
    if (!args.includes('--skip-lighthouse')) {
      // Rounds over all pages (not page after page), so a load spike hits every page alike.
      for (let k = 0; k < runs; k++) all.push(await runLighthouse(server.url, paths));
    }
    const lh =
      all.length === 0
        ? []
        : paths.map((p) => medianRun(all.map((round) => round.find((r) => r.path === p))));
    const spreadNote =
      runs > 1
        ? `Each page ran ${String(runs)} times (rounds over all pages); the row is the run with the median performance score. Performance scores of all runs: ${paths
            .map(
              (p) =>
                `${p.replace(/^lessons\//, '')} ${all
                  .map((round) => String(round.find((r) => r.path === p)?.performance ?? NaN))
                  .join('/')}`,
            )
            .join('; ')}.`
        : '';
    for (const r of lh) {
      console.log(
        `| ${r.path} | ${String(r.performance)} | ${String(r.accessibility)} | FCP ${ms(r.fcpMs)} | LCP ${ms(r.lcpMs)} | TBT ${ms(r.tbtMs)} | CLS ${r.cls.toFixed(3)} | JS ${(r.scriptBytes / 1024).toFixed(0)} KB |${r.error === undefined ? '' : ` error: ${r.error}`}`,
      );
    }
    const rows = await measureLongTasks(server.url, paths, { windowMs });
    if (spreadNote !== '') console.log(spreadNote);
    console.log(longTaskLines(rows, lh).join('\n'));
    if (args.includes('--shifts')) {
      for (const r of rows) {
        for (const x of r.topShifts) {
          console.log(
            `${r.path} shift ${x.value.toFixed(4)} at ${x.start.toFixed(0)} ms: ${x.nodes.join(', ')}`,
          );
        }
      }
    }
    if (args.includes('--update')) {
      const note = `_Lighthouse and long-task sections updated on ${new Date().toISOString()} by \`npx tsx scripts/bench/lesson-pages.ts ${args.join(' ')}\` (${String(cpus().length)} cores, load average ${loadavg()[0]?.toFixed(1) ?? '?'} at the end; Lighthouse's simulated throttling keeps relative comparisons meaningful on a shared machine)._`;
      updateBenchmarks('BENCHMARKS.md', [
        ...lighthouseLines(lh),
        ...(spreadNote === '' ? [] : [spreadNote, '']),
        note,
        '',
        ...longTaskLines(rows, lh),
      ]);
      updateResults('bench/results.json', [...lighthouseRecords(lh), ...records(rows)]);
      console.log('updated BENCHMARKS.md and bench/results.json');
    }
    const json = opt('--json');
    if (json !== undefined)
      writeFileSync(
        json,
        JSON.stringify({ lighthouse: lh, lighthouseRuns: all, longTasks: rows }, null, 2),
      );
  } finally {
    server.stop();
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  cli().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
