/**
 * WASM threads against single-threaded WASM in Chromium (issue 24), for `npm run bench` (or alone:
 * `npm run bench -- --only threads`): for each thread count (`?threads=N`, the site's switch;
 * 1 = the single-threaded SIMD build) the bench page's 1024² matmul, the training step's matmul
 * shapes and the MLP step (`/bench/`, src/bench/client.ts), and the training lesson's LoRA and
 * full steps through its own worker (`/bench-train/`, src/bench/train-client.ts). Thread counts
 * alternate within each round, in a rotated order, so load changes hit all of them; each figure
 * is the median over rounds of the page's own median.
 */
import { median } from '../../src/core/stats.ts';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { CHROMIUM_ARGS } from '../lib/chromium.mjs';
import type { BrowserBenchResult } from '../../src/bench/client.ts';
import type { TrainBenchResult } from '../../src/bench/train-client.ts';
import type { BenchRecord } from './records.ts';

/** The thread counts measured: off, one per core of a 2-core machine, and twice that. */
export const THREAD_COUNTS: readonly number[] = [1, 2, 4];

/** One thread count's measurements in one round. */
export interface ThreadsSample {
  readonly asked: number;
  readonly round: number;
  /** Threads the WASM backend reported running (page, training worker). */
  readonly pageThreads: number;
  readonly workerThreads: number;
  readonly largeN: number;
  readonly largeMatmulMs: number;
  readonly stepMatmulGflops: number;
  readonly mlpStepMs: number;
  readonly loraStepMs: number;
  readonly fullStepMs: number;
  readonly loraFirstLoss: number;
  readonly loraLastLoss: number;
}

/** What a threads bench run gives. */
export interface ThreadsOutcome {
  readonly samples: readonly ThreadsSample[];
  readonly errors: readonly string[];
  readonly rounds: number;
  readonly trainQuery: string;
  readonly cores: number;
}

async function pageResult<T>(
  context: BrowserContext,
  url: string,
  read: () => T | undefined,
): Promise<T> {
  const page = await context.newPage();
  try {
    await page.goto(url);
    await page.waitForFunction(read, undefined, { timeout: 300_000, polling: 250 });
    const result = await page.evaluate(read);
    if (result === undefined) throw new Error(`${url}: no result`);
    return result;
  } finally {
    await page.close();
  }
}

/** Measures every count of `counts` once per round, in one Chromium. */
export async function runThreadsBench(
  baseUrl: string,
  { rounds = 3, counts = THREAD_COUNTS, log = console.log } = {},
): Promise<ThreadsOutcome> {
  const context = await chromium.launchPersistentContext(
    mkdtempSync(join(tmpdir(), 'bench-threads-chromium-')),
    {
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: CHROMIUM_ARGS,
      serviceWorkers: 'block',
    },
  );
  const samples: ThreadsSample[] = [];
  const errors: string[] = [];
  const trainQuery = 'rounds=1&steps=8';
  let cores = 0;
  try {
    for (let round = 0; round < rounds; round++) {
      const order = counts.map((_, i) => counts[(i + round) % counts.length] ?? 1);
      for (const asked of order) {
        const query = `backend=wasm&threads=${String(asked)}`;
        log(`threads bench: round ${String(round + 1)}/${String(rounds)}, ${String(asked)} …`);
        try {
          const m = await pageResult<BrowserBenchResult | { error: string }>(
            context,
            `${baseUrl}bench/?${query}`,
            () => window.__benchResult,
          );
          if (!('active' in m)) throw new Error(`bench page: ${m.error}`);
          const t = await pageResult<TrainBenchResult | { error: string }>(
            context,
            `${baseUrl}bench-train/?${query}&${trainQuery}`,
            () => window.__trainBenchResult,
          );
          if (!('runs' in t)) throw new Error(`bench-train page: ${t.error}`);
          const lora = t.runs.find((r) => r.method === 'lora');
          const full = t.runs.find((r) => r.method === 'full');
          if (!lora || !full) throw new Error('bench-train page: a run is missing');
          const page = await context.newPage();
          cores = await page.evaluate(() => navigator.hardwareConcurrency);
          await page.close();
          samples.push({
            asked,
            round,
            pageThreads: m.wasmThreads,
            workerThreads: Number(/WASM(?: SIMD)?, (\d+) threads?/.exec(t.reason)?.[1] ?? NaN),
            largeN: m.largeN,
            largeMatmulMs: median(m.largeMatmulMs),
            stepMatmulGflops: m.stepMatmulGflops,
            mlpStepMs: median(m.mlpStepMs),
            loraStepMs: lora.msPerStep,
            fullStepMs: full.msPerStep,
            loraFirstLoss: lora.firstLoss,
            loraLastLoss: lora.lastLoss,
          });
        } catch (error) {
          errors.push(
            `${String(asked)} threads: ${error instanceof Error ? error.message : String(error)}`,
          );
        }
      }
    }
  } finally {
    await context.close();
  }
  return { samples, errors, rounds, trainQuery, cores };
}

const ms = (x: number): string => `${x.toFixed(1)} ms`;
const times = (x: number): string => `${x.toFixed(2)}×`;

/** The BENCHMARKS.md section and the records (benchmarks `wasm-threads/…`) of a run. */
export function threadsSection(
  outcome: ThreadsOutcome,
  meta: {
    readonly command: string;
    readonly when: string;
    readonly load: string;
    readonly loadAfter: string;
  },
): { lines: string[]; records: BenchRecord[] } {
  const counts = [...new Set(outcome.samples.map((s) => s.asked))].sort((a, b) => a - b);
  const of = (n: number) => outcome.samples.filter((s) => s.asked === n);
  const med = (n: number, f: (s: ThreadsSample) => number) => median(of(n).map(f));
  const base = {
    matmul: med(1, (s) => s.largeMatmulMs),
    lora: med(1, (s) => s.loraStepMs),
    full: med(1, (s) => s.fullStepMs),
    mlp: med(1, (s) => s.mlpStepMs),
  };
  const lines: string[] = [
    '## WASM threads in Chromium (this machine)',
    '',
    `Measured by \`${meta.command}\` on ${meta.when} (load average ${meta.load} before, ${meta.loadAfter} after; navigator.hardwareConcurrency ${String(outcome.cores)}). ` +
      'TF.js’s threaded WASM build (XNNPACK’s thread pool on emscripten pthreads), asked for with the site’s `?threads=N` switch: 1 is the single-threaded SIMD build. Its pthread workers start from scripts the site serves itself (src/platform/wasm-threads-plugin.ts), so the Content-Security-Policy is unchanged. ' +
      `Each round measures every count, in a rotated order; the table gives medians over ${String(outcome.rounds)} rounds of each page’s own median: the bench page’s ${String(outcome.samples[0]?.largeN ?? 1024)}² matmul, the training step’s matmul shapes (GFLOP/s) and the MLP step in the page, and the training lesson’s LoRA and full steps through its Web Worker (\`/bench-train/?${outcome.trainQuery}\`: the pretrained tiny encoder, batch 16, two warm-up steps left out).`,
    '',
    '| threads asked | running (page / worker) | 1024² matmul | × 1 thread | step-shape matmuls | MLP step | × 1 thread | LoRA step (worker) | × 1 thread | full step (worker) | × 1 thread |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  const records: BenchRecord[] = [];
  for (const n of counts) {
    const s = of(n);
    const running = `${[...new Set(s.map((x) => x.pageThreads))].join('/')} / ${[...new Set(s.map((x) => x.workerThreads))].join('/')}`;
    const matmul = med(n, (x) => x.largeMatmulMs);
    const lora = med(n, (x) => x.loraStepMs);
    const full = med(n, (x) => x.fullStepMs);
    const mlp = med(n, (x) => x.mlpStepMs);
    const largeN = s[0]?.largeN ?? 1024;
    const gflops = (2 * largeN ** 3) / (matmul * 1e6);
    lines.push(
      `| ${String(n)} | ${running} | ${ms(matmul)} (${gflops.toFixed(1)} GFLOP/s) | ${times(base.matmul / matmul)} | ${med(n, (x) => x.stepMatmulGflops).toFixed(1)} GFLOP/s | ${ms(mlp)} | ${times(base.mlp / mlp)} | ${ms(lora)} | ${times(base.lora / lora)} | ${ms(full)} | ${times(base.full / full)} |`,
    );
    const be = `chromium-wasm-${String(n)}t`;
    records.push(
      {
        benchmark: `wasm-threads/matmul-${String(largeN)}`,
        backend: be,
        metric: 'step_time_median',
        value: matmul,
        unit: 'ms',
      },
      {
        benchmark: `wasm-threads/matmul-${String(largeN)}`,
        backend: be,
        metric: 'achieved_gflops',
        value: gflops,
        unit: 'GFLOP/s',
      },
      {
        benchmark: 'wasm-threads/mlp-784-256-10-step',
        backend: be,
        metric: 'step_time_median',
        value: mlp,
        unit: 'ms',
      },
      {
        benchmark: 'wasm-threads/lesson-lora-step',
        backend: be,
        metric: 'step_time_median',
        value: lora,
        unit: 'ms',
      },
      {
        benchmark: 'wasm-threads/lesson-lora-step',
        backend: be,
        metric: 'speedup_vs_1_thread',
        value: base.lora / lora,
        unit: 'ratio',
      },
      {
        benchmark: 'wasm-threads/lesson-full-step',
        backend: be,
        metric: 'step_time_median',
        value: full,
        unit: 'ms',
      },
    );
  }
  const two = of(2).length > 0 ? base.lora / med(2, (x) => x.loraStepMs) : NaN;
  const losses = outcome.samples.map((s) => s.loraFirstLoss);
  const lastLosses = outcome.samples.map((s) => s.loraLastLoss);
  const spread = (xs: number[]) => Math.max(...xs) - Math.min(...xs);
  lines.push(
    '',
    `**Target** (issue 24): the LoRA step ≥ 1.6× faster with 2 threads than single-threaded on 2 cores — measured ${times(two)}: ${two >= 1.6 ? 'holds' : '**does not hold**'}. ` +
      `The LoRA runs’ losses agree across thread counts (first loss spread ${spread(losses).toExponential(1)}, loss after the run ${spread(lastLosses).toExponential(1)}).`,
    ...(outcome.errors.length > 0 ? ['', `Failed: ${outcome.errors.join('; ')}.`] : []),
    '',
  );
  return { lines, records };
}

// `npx tsx scripts/bench/threads.ts [--rounds N] [--counts 1,2]`: measure and print the section only (no file
// written; `npm run bench -- --only threads` merges it into BENCHMARKS.md and bench/results.json).
if (process.argv[1]?.endsWith('scripts/bench/threads.ts')) {
  const at = process.argv.indexOf('--rounds');
  const rounds = at === -1 ? 3 : Number(process.argv[at + 1]);
  if (!Number.isInteger(rounds) || rounds < 1)
    throw new Error('--rounds: expected a whole number ≥ 1');
  const { loadavg } = await import('node:os');
  const { startServer } = await import('../start-server.mjs');
  const load = () => (loadavg()[0] ?? NaN).toFixed(1);
  const server = await startServer();
  try {
    const started = { when: new Date().toISOString(), load: load() };
    const c = process.argv.indexOf('--counts');
    const counts = c === -1 ? THREAD_COUNTS : (process.argv[c + 1] ?? '').split(',').map(Number);
    if (!counts.every((n) => Number.isInteger(n) && n >= 1 && n <= 16))
      throw new Error('--counts: expected thread counts like 1,2');
    const outcome = await runThreadsBench(server.url, { rounds, counts });
    const section = threadsSection(outcome, {
      command: `npx tsx scripts/bench/threads.ts ${process.argv.slice(2).join(' ')}`,
      ...started,
      loadAfter: load(),
    });
    console.log(section.lines.join('\n'));
    console.log(JSON.stringify(outcome.samples));
  } finally {
    server.stop();
  }
}
