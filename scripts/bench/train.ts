/**
 * LoRA against full fine-tuning in Chromium (issue 8), for `npm run bench`: opens `/bench-train/`
 * (src/bench/train-client.ts, which drives the training lesson's own worker) once per backend in
 * Debian's Chromium, and turns the results into a BENCHMARKS.md section and `bench/results.json`
 * records, among them `lora_full_step_time_ratio` and `lora_full_train_state_memory_ratio`.
 *
 * Each backend's LoRA and full runs alternate in one page (same batch, same model), so their
 * ratio is measured side by side; times are medians over the rounds' per-run medians.
 *
 *   npx tsx scripts/bench/train.ts            # against a fresh server on dist/ (DIST_DIR honoured)
 *   npx tsx scripts/bench/train.ts wasm webgl # some backends only
 *   npx tsx scripts/bench/train.ts --write    # and update this section of BENCHMARKS.md and
 *                                             # these records of bench/results.json in place
 */
import { median } from '../../src/core/stats.ts';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS } from '../lib/chromium.mjs';
import type { TrainBenchResult, TrainBenchRun } from '../../src/bench/train-client.ts';
import { stepFlops } from './node-train.ts';
import { startServer } from '../start-server.mjs';

/** A record of `bench/results.json` (the shape main.ts writes). */
export interface TrainBenchRecord {
  readonly benchmark: string;
  readonly backend: string;
  readonly metric: string;
  readonly value: number;
  readonly unit: string;
}

/** The Chromium backends the issue asks for: WASM, WebGL and the (software) WebGPU adapter. */
export const TRAIN_BENCH_BACKENDS: readonly string[] = ['wasm', 'webgl', 'webgpu'];

/** One backend's outcome. */
export interface TrainBenchOutcome {
  readonly backend: string;
  readonly result: TrainBenchResult | { error: string };
  readonly seconds: number;
}

/** Opens the training bench page for each backend, one after another, in one Chromium. */
export async function runTrainBrowserBench(
  baseUrl: string,
  backends: readonly string[] = TRAIN_BENCH_BACKENDS,
  log: (line: string) => void = console.log,
): Promise<TrainBenchOutcome[]> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'bench-train-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    // The offline service worker would save the whole site (about 31 MB: the shell at install, then the model and data) while we measure.
    serviceWorkers: 'block',
  });
  const out: TrainBenchOutcome[] = [];
  try {
    for (const backend of backends) {
      const t0 = Date.now();
      log(`train bench: ${backend} …`);
      const page = await context.newPage();
      try {
        await page.goto(`${baseUrl}bench-train/?backend=${backend}`);
        await page.waitForFunction(() => window.__trainBenchResult !== undefined, undefined, {
          timeout: 480_000,
          polling: 500,
        });
        const result = await page.evaluate(() => window.__trainBenchResult);
        out.push({
          backend,
          result: result ?? { error: 'no result' },
          seconds: (Date.now() - t0) / 1000,
        });
      } catch (error) {
        out.push({
          backend,
          result: { error: error instanceof Error ? error.message : String(error) },
          seconds: (Date.now() - t0) / 1000,
        });
      } finally {
        await page.close();
      }
      log(`train bench: ${backend} done in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    }
  } finally {
    await context.close();
  }
  return out;
}

const kib = (b: number): string => `${(b / 1024).toFixed(1)} KiB`;
const ms = (x: number): string => `${x.toFixed(1)} ms`;
const range = (xs: readonly number[]): string => {
  const s = [...xs].sort((a, b) => a - b);
  return `${(s[0] ?? NaN).toFixed(1)}–${(s[s.length - 1] ?? NaN).toFixed(1)}`;
};

/** The BENCHMARKS.md section and the records for a set of outcomes. */
export function trainBenchSection(outcomes: readonly TrainBenchOutcome[]): {
  lines: string[];
  records: TrainBenchRecord[];
} {
  const lines: string[] = [
    '## Training step of the lesson model: LoRA vs full fine-tuning (Chromium, the lesson’s worker)',
    '',
    'Measured by `/bench-train/` (src/bench/train-client.ts) through the training lesson’s own Web Worker: the pretrained tiny encoder, classification step (forward with dropout + backward + Adam + loss read-back), LoRA r = 2 on query and attention output with the classifier trained, against every weight trained. LoRA and full runs alternate in one page, same batch; each run’s time is its median step with two warm-up steps left out, and the table gives the median over rounds (and the range of the rounds’ medians). Train state = gradients (4 bytes per trainable weight) + Adam’s moments as measured by `tf.memory()` around the first step.',
    '',
    '| backend | model | batch × rounds × steps | LoRA step | full step | LoRA/full time | predicted by FLOPs | LoRA train state | full train state | LoRA/full memory | GFLOP/s LoRA / full |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  const records: TrainBenchRecord[] = [];
  for (const { backend, result, seconds } of outcomes) {
    if ('error' in result) {
      lines.push(
        `| ${backend} | failed after ${seconds.toFixed(0)} s: ${result.error.split('\n')[0] ?? ''} | | | | | | | | | |`,
      );
      continue;
    }
    const r = result;
    const of = (m: 'lora' | 'full'): TrainBenchRun[] => r.runs.filter((x) => x.method === m);
    const lora = of('lora');
    const full = of('full');
    const lMs = median(lora.map((x) => x.msPerStep));
    const fMs = median(full.map((x) => x.msPerStep));
    const lState = median(lora.map((x) => x.trainStateBytes));
    const fState = median(full.map((x) => x.trainStateBytes));
    const m = r.model;
    const fwd = stepFlops(m.hiddenSize, m.intermediateSize, m.layers, m.seqLen, r.batchSize);
    const predicted = (2 * fwd) / (3 * fwd);
    const timeRatio = lMs / fMs;
    const memRatio = lState / fState;
    const be = `chromium-${r.backend}`;
    const label = r.backend === backend ? backend : `${backend} (got ${r.backend})`;
    lines.push(
      `| ${label} | ${r.pretrained ? 'pretrained' : 'random'} H${String(m.hiddenSize)}×${String(m.layers)}, V ${m.vocabSize.toLocaleString('en-US')}, T ${String(m.seqLen)} | ${String(r.batchSize)} × ${String(r.rounds)} × ${String(r.stepsPerRun)} | ${ms(lMs)} (${range(lora.map((x) => x.msPerStep))}) | ${ms(fMs)} (${range(full.map((x) => x.msPerStep))}) | ${timeRatio.toFixed(2)} | ${predicted.toFixed(2)} | ${kib(lState)} | ${kib(fState)} | ${(100 * memRatio).toFixed(2)}% | ${((2 * fwd) / (lMs * 1e6)).toFixed(2)} / ${((3 * fwd) / (fMs * 1e6)).toFixed(2)} |`,
    );
    const bench = 'lesson-encoder-train';
    records.push(
      {
        benchmark: `${bench}/lora`,
        backend: be,
        metric: 'step_time_median',
        value: lMs,
        unit: 'ms',
      },
      {
        benchmark: `${bench}/full`,
        backend: be,
        metric: 'step_time_median',
        value: fMs,
        unit: 'ms',
      },
      {
        benchmark: `${bench}/lora`,
        backend: be,
        metric: 'train_state_bytes',
        value: lState,
        unit: 'bytes',
      },
      {
        benchmark: `${bench}/full`,
        backend: be,
        metric: 'train_state_bytes',
        value: fState,
        unit: 'bytes',
      },
      {
        benchmark: bench,
        backend: be,
        metric: 'lora_full_step_time_ratio',
        value: timeRatio,
        unit: 'ratio',
      },
      {
        benchmark: bench,
        backend: be,
        metric: 'lora_full_flop_ratio_predicted',
        value: predicted,
        unit: 'ratio',
      },
      {
        benchmark: bench,
        backend: be,
        metric: 'lora_full_train_state_memory_ratio',
        value: memRatio,
        unit: 'ratio',
      },
      {
        benchmark: `${bench}/lora`,
        backend: be,
        metric: 'achieved_gflops',
        value: (2 * fwd) / (lMs * 1e6),
        unit: 'GFLOP/s',
      },
      {
        benchmark: `${bench}/full`,
        backend: be,
        metric: 'achieved_gflops',
        value: (3 * fwd) / (fMs * 1e6),
        unit: 'GFLOP/s',
      },
    );
  }
  const ok = records.filter((x) => x.metric === 'lora_full_step_time_ratio');
  const mem = records.filter((x) => x.metric === 'lora_full_train_state_memory_ratio');
  lines.push(
    '',
    `Targets: LoRA step ≤ 0.7× full on every backend — ${
      ok.length === 0
        ? 'not measured'
        : ok.every((x) => x.value <= 0.7)
          ? 'holds'
          : `**does not hold** on ${ok
              .filter((x) => x.value > 0.7)
              .map((x) => x.backend)
              .join(', ')}`
    }; within 10% of the FLOP prediction (0.67) — ${
      ok.length === 0
        ? 'not measured'
        : ok.every((x) => Math.abs(x.value / (2 / 3) - 1) <= 0.1)
          ? 'holds'
          : `**does not hold** on ${ok
              .filter((x) => Math.abs(x.value / (2 / 3) - 1) > 0.1)
              .map((x) => x.backend)
              .join(', ')}`
    }; LoRA train state < 2% of full — ${mem.length === 0 ? 'not measured' : mem.every((x) => x.value < 0.02) ? 'holds' : '**does not hold**'}.`,
    'The FLOP prediction counts the encoder’s matrix products only (full ≈ 3× forward, LoRA ≈ 2×: the backward pass still runs through every layer); it leaves out what a full step also pays for and LoRA does not: the embedding gradient (a scatter into 16,000 × 128) and Adam’s update of all 2.5 M weights, which are memory-bound, not FLOP-bound.',
    '',
  );
  return { lines, records };
}

/** Runs the bench and returns its section (the one call main.ts makes). */
export async function browserTrainSection(
  baseUrl: string,
  backends: readonly string[] = TRAIN_BENCH_BACKENDS,
): Promise<{ lines: string[]; records: TrainBenchRecord[] }> {
  return trainBenchSection(await runTrainBrowserBench(baseUrl, backends));
}

const HEADING = '## Training step of the lesson model';

/**
 * Replaces this section of BENCHMARKS.md (or puts it before "## Not yet measured", or at the end)
 * and this bench's records in bench/results.json, leaving everything else as `npm run bench` wrote it.
 */
export function writeTrainSection(
  section: { lines: readonly string[]; records: readonly TrainBenchRecord[] },
  markdown = 'BENCHMARKS.md',
  json = 'bench/results.json',
): void {
  const old = existsSync(markdown)
    ? readFileSync(markdown, 'utf8').split('\n')
    : ['# Benchmarks', ''];
  const start = old.findIndex((l) => l.startsWith(HEADING));
  let out: string[];
  if (start !== -1) {
    let end = start + 1;
    while (end < old.length && !(old[end] ?? '').startsWith('## ')) end++;
    out = [...old.slice(0, start), ...section.lines, ...old.slice(end)];
  } else {
    const at = old.findIndex((l) => l.startsWith('## Not yet measured'));
    out =
      at === -1
        ? [...old, ...section.lines]
        : [...old.slice(0, at), ...section.lines, ...old.slice(at)];
  }
  writeFileSync(markdown, out.join('\n'));
  const records = existsSync(json)
    ? (JSON.parse(readFileSync(json, 'utf8')) as TrainBenchRecord[])
    : [];
  const kept = records.filter((r) => !r.benchmark.startsWith('lesson-encoder-train'));
  writeFileSync(json, JSON.stringify([...kept, ...section.records], null, 2) + '\n');
}

if (process.argv[1]?.endsWith('scripts/bench/train.ts')) {
  const args = process.argv.slice(2);
  const write = args.includes('--write');
  const wanted = args.filter((a) => !a.startsWith('--'));
  const server = await startServer();
  try {
    const section = await browserTrainSection(
      server.url,
      wanted.length > 0 ? wanted : TRAIN_BENCH_BACKENDS,
    );
    console.log(section.lines.join('\n'));
    if (write) {
      writeTrainSection(section);
      console.log('updated BENCHMARKS.md and bench/results.json');
    }
  } finally {
    server.stop();
  }
}
