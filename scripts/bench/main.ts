/**
 * `npm run bench` (issue 11): measures the performance budget and writes BENCHMARKS.md.
 *  1. First-load JavaScript of every built page (gzip), against the 150 KB budget.
 *  2. Chromium: Lighthouse and long tasks of the lesson pages; long tasks while a training run, a
 *     sweep and each computing button of issue 25 are in progress (busy-tasks.ts); TF.js backends: matmul throughput (256², the
 *     training step's shapes, a large square: the "peak" per backend) and an MLP training step,
 *     whether the site's automatic choice is within 90% of the fastest; the lesson model's LoRA
 *     and full steps (train.ts) and their GFLOP/s against that peak (peak.ts).
 *  3. LoRA vs full fine-tuning vs classifier-only training steps of the tiny encoder (WASM, Node).
 *  4. The QLoRA lesson's step time per stored base and per variant (WASM, Node; qlora.ts).
 *  5. Where the LoRA step's time goes, kernel by kernel (WASM, Node; profile-step.ts).
 * Everything in one run, so ratios are side by side; times are medians over repeats.
 * Flags: --skip-browser, --skip-node, --out FILE, --lighthouse-runs N (default 3); DIST_DIR=… to
 * measure another build; `--only qlora`, `--only profile` or `--only threads` (WASM threads in
 * Chromium, threads.ts; also part of section 2) measures that section alone and merges it into the existing
 * BENCHMARKS.md and bench/results.json (records.ts), leaving the other sections as they were.
 */
import { parseArgs } from 'node:util';
import { median } from '../../src/core/stats.ts';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { htmlPages, measurePage, type FirstLoad } from './first-load.ts';
import { runBrowserBench } from './browser.ts';
import {
  lighthouseLines,
  lighthouseRecords,
  medianRow,
  runLighthouse,
  type LighthouseRow,
} from './lighthouse.ts';
import { longTaskSection } from './lesson-pages.ts';
import { runTrainBench, type TrainBenchRow } from './node-train.ts';
import { runTrainBrowserBench, trainBenchSection } from './train.ts';
import { busyTaskSection } from './busy-tasks.ts';
import { peakRows, peakSection } from './peak.ts';
import type { BrowserBenchResult } from '../../src/bench/client.ts';
import { startServer } from '../start-server.mjs';
import { mergeRecords, replaceSection, type BenchRecord } from './records.ts';
import { qloraBenchSection, runQloraBench } from './qlora.ts';
import { profileLoraStep, profileSection } from './profile-step.ts';
import { runThreadsBench, threadsSection } from './threads.ts';

const FIRST_LOAD_BUDGET = 150 * 1024;
const args = process.argv.slice(2);
const { values: flags } = parseArgs({
  args,
  options: {
    out: { type: 'string', default: 'BENCHMARKS.md' },
    'lighthouse-runs': { type: 'string', default: '3' },
    'skip-browser': { type: 'boolean', default: false },
    'skip-node': { type: 'boolean', default: false },
    only: { type: 'string' },
  },
});
// DIST_DIR: measure another build (`astro build --outDir …`); scripts/serve.mjs honours it too.
const dist = process.env.DIST_DIR ?? join(process.cwd(), 'dist');
const outFile = flags.out;
const lighthouseRuns = Number(flags['lighthouse-runs']);
if (!Number.isInteger(lighthouseRuns) || lighthouseRuns < 1)
  throw new Error(
    `--lighthouse-runs: expected a whole number ≥ 1, got ${flags['lighthouse-runs']}`,
  );
/** How this file was made, as a command to run again. */
const command =
  process.env.npm_lifecycle_event === 'bench'
    ? 'npm run bench'
    : `${process.env.DIST_DIR === undefined ? '' : `DIST_DIR=${process.env.DIST_DIR} `}npx tsx scripts/bench/main.ts${args.length > 0 ? ` ${args.join(' ')}` : ''}`;
/** The 1-minute load average now (the machine is shared: every section states it). */
const load = (): string => (loadavg()[0] ?? NaN).toFixed(1);
const kb = (b: number): string => `${(b / 1024).toFixed(1)} KB`;
const ms = (x: number): string => `${x.toFixed(1)} ms`;
const spread = (xs: readonly number[]): string => {
  const s = [...xs].sort((a, b) => a - b);
  return `${(s[0] ?? NaN).toFixed(1)}–${(s[s.length - 1] ?? NaN).toFixed(1)}`;
};

/** Section 4: the QLoRA lesson's step times (WASM in Node). */
async function qloraSection(): Promise<{ lines: string[]; records: BenchRecord[] }> {
  await tf.setBackend('wasm');
  await tf.ready();
  const [steps, warmup] = [12, 2];
  const started = { when: new Date().toISOString(), load: load() };
  const rows = await runQloraBench({ steps, warmup });
  console.log(rows.map((r) => `${r.variant} on ${r.base}: ${ms(r.medianMs)}`).join('\n'));
  return qloraBenchSection(rows, { command, steps, warmup, ...started });
}

/** Section 5: where the LoRA step's time goes, kernel by kernel (WASM in Node). */
async function profileStepSection(): Promise<{ lines: string[]; records: BenchRecord[] }> {
  await tf.setBackend('wasm');
  await tf.ready();
  const started = { when: new Date().toISOString(), load: load() };
  return profileSection(await profileLoraStep(), { command, ...started });
}

/** WASM threads against single-threaded WASM in Chromium (threads.ts), on a server at `url`. */
async function wasmThreadsSection(
  url?: string,
): Promise<{ lines: string[]; records: BenchRecord[] }> {
  const server = url === undefined ? await startServer() : null;
  try {
    const started = { when: new Date().toISOString(), load: load() };
    const outcome = await runThreadsBench(url ?? server?.url ?? '');
    return threadsSection(outcome, { command, ...started, loadAfter: load() });
  } finally {
    server?.stop();
  }
}

/** The sections `--only` can measure alone, and the record prefix each one owns. */
const ONLY = {
  qlora: { run: qloraSection, prefix: 'qlora-train/' },
  profile: { run: profileStepSection, prefix: 'lora-step-profile' },
  threads: { run: () => wasmThreadsSection(), prefix: 'wasm-threads/' },
} as const;

/** `--only NAME`: one section alone, merged into the files a whole run wrote. */
async function only(name: keyof typeof ONLY): Promise<void> {
  const { lines, records } = await ONLY[name].run();
  const old = existsSync(outFile) ? readFileSync(outFile, 'utf8') : '# Benchmarks\n';
  writeFileSync(outFile, replaceSection(old, lines));
  const json = 'bench/results.json';
  const previous = existsSync(json)
    ? (JSON.parse(readFileSync(json, 'utf8')) as BenchRecord[])
    : [];
  mkdirSync('bench', { recursive: true });
  writeFileSync(
    json,
    JSON.stringify(mergeRecords(previous, records, ONLY[name].prefix), null, 2) + '\n',
  );
  console.log(`merged the ${name} section into ${outFile} and ${json}`);
}

async function main(): Promise<void> {
  if (flags.only !== undefined) {
    const name = flags.only;
    if (name !== 'qlora' && name !== 'profile' && name !== 'threads')
      throw new Error(`--only: expected "qlora", "profile" or "threads", got "${name}"`);
    await only(name);
    return;
  }
  if (!existsSync(dist)) throw new Error('dist/ is missing: run `npm run build` first');
  const lines: string[] = [];
  const records: BenchRecord[] = [];
  const when = new Date().toISOString();
  lines.push('# Benchmarks', '');
  lines.push(
    `Written by \`${command}\` on ${when} — ${String(cpus().length)} cores (${cpus()[0]?.model ?? '?'}), Node ${process.version}, load average ${load()} at the start. ` +
      'Machines are shared and noisy: compare ratios within one run, not absolute times across runs.',
    '',
  );

  // 1. First load.
  const loads: FirstLoad[] = htmlPages(dist).map((p) => measurePage(dist, p));
  lines.push('## First-load JavaScript (gzip), budget 150 KB per page', '');
  lines.push('| page | files | raw | gzip | within budget |', '|---|---|---|---|---|');
  const embeds = loads.filter((l) => l.page.startsWith('embed/'));
  const worstEmbed = [...embeds].sort((a, b) => b.gzipBytes - a.gzipBytes)[0];
  for (const l of [
    ...loads.filter((x) => !x.page.startsWith('embed/')),
    ...(worstEmbed ? [worstEmbed] : []),
  ]) {
    if (l === worstEmbed) {
      lines.push(
        `| embed/… (${String(embeds.length)} pages; largest: ${l.page}) | ${String(l.files.length)} | ${kb(l.rawBytes)} | ${kb(l.gzipBytes)} | ${embeds.every((e) => e.gzipBytes <= FIRST_LOAD_BUDGET) ? 'yes (all)' : '**no**'} |`,
      );
      continue;
    }
    lines.push(
      `| ${l.page} | ${String(l.files.length)} | ${kb(l.rawBytes)} | ${kb(l.gzipBytes)} | ${l.gzipBytes <= FIRST_LOAD_BUDGET ? 'yes' : '**no**'} |`,
    );
  }
  lines.push(
    '',
    'Counted: module scripts and modulepreloads in the HTML and their static imports; dynamic `import()` (TF.js, Plotly, WASM, data) loads on first use and is excluded. The cell runtime (editor, Observable runtime) is such a dynamic import, loaded when a cell nears the viewport, on “Run all cells” or on focus in the lesson (src/cells/client/start-when-needed.ts); the Lighthouse table below shows everything a lesson page fetched while loading.',
    '',
  );
  const largest = Math.max(...loads.map((l) => l.gzipBytes));
  console.log(`first load: ${String(loads.length)} pages, largest ${kb(largest)} gzip`);

  // 2. Browser backends.
  if (!flags['skip-browser']) {
    const server = await startServer();
    try {
      const lessonPaths = loads
        .map((l) => l.page)
        .filter((p) => p.startsWith('lessons/'))
        .map((p) => p.replace(/index\.html$/, ''));
      // Rounds over all pages (not page after page), so a load spike hits every page alike.
      const loadBefore = load();
      const rounds: LighthouseRow[][] = [];
      for (let k = 0; k < lighthouseRuns; k++) {
        rounds.push(await runLighthouse(server.url, lessonPaths));
      }
      const lh = lessonPaths.map((p) => medianRow(rounds.map((r) => r.find((x) => x.path === p))));
      lines.push(...lighthouseLines(lh));
      lines.push(
        `Each figure is the median over ${String(lighthouseRuns)} runs per page (rounds over all pages; load average ${loadBefore} before, ${load()} after). Performance scores of all runs: ${lessonPaths
          .map(
            (p) =>
              `${p.replace(/^lessons\//, '')} ${rounds
                .map((r) => String(r.find((x) => x.path === p)?.performance ?? 'failed'))
                .join('/')}`,
          )
          .join('; ')}. Served gzip-compressed by scripts/serve.mjs, as static hosts do.`,
        '',
      );
      records.push(...lighthouseRecords(lh));
      const loadTasks = await longTaskSection(server.url, lessonPaths, lh); // PERF (issue 11)
      lines.push(...loadTasks.lines);
      records.push(...loadTasks.records);
      const loadBusy = load();
      const busy = await busyTaskSection(server.url); // training run, sweep, the computing buttons
      lines.push(...busy.lines, `Load average ${loadBusy} before, ${load()} after.`, '');
      records.push(...busy.records);
      const results = await runBrowserBench(server.url);
      lines.push('## TF.js backends in Chromium (this machine)', '');
      lines.push(
        '| backend | adapter | matmul (N) median | matmul GFLOP/s | MLP step median (spread) | MLP step GFLOP/s | % of matmul peak |',
        '|---|---|---|---|---|---|---|',
      );
      const ok: { label: string; r: BrowserBenchResult }[] = [];
      for (const { label, result } of results) {
        if ('error' in result && !('active' in result)) {
          lines.push(`| ${label} | — | failed: ${result.error.split('\n')[0] ?? ''} | | | | |`);
          continue;
        }
        const r = result;
        ok.push({ label, r });
        const be = `chromium-${label}`;
        records.push(
          {
            benchmark: `matmul-${String(r.matmulN)}`,
            backend: be,
            metric: 'achieved_gflops',
            value: r.matmulGflops,
            unit: 'GFLOP/s',
          },
          {
            benchmark: 'mlp-784-256-10-step',
            backend: be,
            metric: 'step_time_median',
            value: median(r.mlpStepMs),
            unit: 'ms',
          },
          {
            benchmark: 'mlp-784-256-10-step',
            backend: be,
            metric: 'achieved_gflops',
            value: r.mlpGflops,
            unit: 'GFLOP/s',
          },
        );
        lines.push(
          `| ${label} (active: ${r.active}) | ${r.adapter ?? '—'} | ${ms(median(r.matmulMs))} (${String(r.matmulN)}) | ${r.matmulGflops.toFixed(2)} | ${ms(median(r.mlpStepMs))} (${spread(r.mlpStepMs)}) | ${r.mlpGflops.toFixed(2)} | ${((100 * r.mlpGflops) / r.matmulGflops).toFixed(0)}% |`,
        );
      }
      const valid = ok.filter(({ label, r }) => label.startsWith(r.active));
      const fastest = [...valid].sort((a, b) => median(a.r.mlpStepMs) - median(b.r.mlpStepMs))[0];
      const auto = ok[0]?.r.autoChoice;
      const autoRow = valid.find(({ r }) => r.active === auto);
      lines.push('');
      if (fastest && autoRow) {
        const ratio = median(fastest.r.mlpStepMs) / median(autoRow.r.mlpStepMs);
        lines.push(
          `**Backend chooser**: picks \`${String(auto)}\` (“${ok[0]?.r.autoReason ?? ''}”); fastest measured: ${fastest.label}. ` +
            `The pick trains at ${(100 * ratio).toFixed(0)}% of the fastest's speed (target ≥ 90%): ${ratio >= 0.9 ? 'holds' : '**does not hold**'}.`,
          '',
        );
      }
      const outcomes = await runTrainBrowserBench(server.url); // TRAIN (issue 8): LoRA vs full
      const train = trainBenchSection(outcomes);
      lines.push(...train.lines);
      records.push(...train.records);
      const peak = peakSection(peakRows(results, outcomes)); // achieved vs matmul peak
      lines.push(...peak.lines);
      records.push(...peak.records);
      const threads = await wasmThreadsSection(server.url); // issue 24: threads vs one thread
      lines.push(
        ...threads.lines,
        `Load average ${load()} at the end of the Chromium benches.`,
        '',
      );
      records.push(...threads.records);
    } finally {
      server.stop();
    }
  }

  // 3. LoRA vs full fine-tuning (Node: WASM and CPU backends).
  if (!flags['skip-node']) {
    lines.push('## Training step of the tiny encoder: LoRA vs full fine-tuning (Node)', '');
    lines.push(
      'Classification step (forward + backward + Adam) of the tiny encoder: vocabulary 16,000, hidden 128, 2 layers, FFN 512; batch 32, sequence 48 on WASM, batch 8 on CPU. Medians after warm-up steps; the modes run one after another in the same process.',
      '',
    );
    lines.push(
      '| backend | mode | trainable params | step median (spread) | × full (time) | train state (grads + Adam) | × full (memory) | est. GFLOP/s |',
      '|---|---|---|---|---|---|---|---|',
    );
    for (const backend of ['wasm', 'cpu'] as const) {
      await tf.setBackend(backend);
      await tf.ready();
      const rows: TrainBenchRow[] =
        backend === 'wasm' ? await runTrainBench() : await runTrainBench({ batch: 8, repeats: 5 });
      const full = rows[0];
      for (const r of rows) {
        const timeRatio = full ? r.medianMs / full.medianMs : NaN;
        const memRatio = full ? r.trainStateBytes / full.trainStateBytes : NaN;
        lines.push(
          `| ${backend} | ${r.mode} | ${r.trainableParams.toLocaleString('en-US')} | ${ms(r.medianMs)} (${spread(r.stepMs)}) | ${timeRatio.toFixed(2)} | ${kb(r.trainStateBytes)} | ${(100 * memRatio).toFixed(2)}% | ${r.gflops.toFixed(2)} |`,
        );
        const bench = `encoder-train/${r.mode}`;
        const be = `node-${backend}`;
        records.push(
          {
            benchmark: bench,
            backend: be,
            metric: 'step_time_median',
            value: r.medianMs,
            unit: 'ms',
          },
          {
            benchmark: bench,
            backend: be,
            metric: 'train_state_bytes',
            value: r.trainStateBytes,
            unit: 'bytes',
          },
          {
            benchmark: bench,
            backend: be,
            metric: 'achieved_gflops',
            value: r.gflops,
            unit: 'GFLOP/s',
          },
        );
      }
      const lora = rows.find((r) => r.mode.startsWith('LoRA'));
      if (full && lora) {
        const be = `node-${backend}`;
        records.push(
          {
            benchmark: 'encoder-train',
            backend: be,
            metric: 'lora_full_step_time_ratio',
            value: lora.medianMs / full.medianMs,
            unit: 'ratio',
          },
          {
            benchmark: 'encoder-train',
            backend: be,
            metric: 'lora_full_flop_ratio_predicted',
            value: lora.flops / full.flops,
            unit: 'ratio',
          },
          {
            benchmark: 'encoder-train',
            backend: be,
            metric: 'lora_full_train_state_memory_ratio',
            value: lora.trainStateBytes / full.trainStateBytes,
            unit: 'ratio',
          },
        );
      }
      console.log(rows.map((r) => `${backend} ${r.mode}: ${ms(r.medianMs)}`).join('\n'));
    }
    lines.push(
      '',
      'FLOP estimates (see `scripts/bench/node-train.ts`): full ≈ 3× forward, LoRA ≈ 2× forward (input gradients still flow through every layer), classifier only ≈ 1× forward; the predicted LoRA/full time ratio is therefore ≈ 0.67. Train state = Adam moments (measured) + one float32 gradient per trainable parameter.',
      '',
    );
  }

  // 4. The QLoRA lesson's step times, 5. the LoRA step kernel by kernel (Node).
  if (!flags['skip-node']) {
    for (const section of [qloraSection, profileStepSection]) {
      const q = await section();
      lines.push(...q.lines);
      records.push(...q.records);
    }
  }

  lines.push(
    '## Not yet measured',
    '',
    '- WASM threads on more than 2 cores: this machine has 2, so whether threads pay for a training step on a reader’s 4–16 cores (the site runs one thread unless `?threads=N` asks) is measured here only as 4 threads sharing 2 cores (“WASM threads in Chromium” above).',
    '',
    '- TF.js WebGPU on a real GPU: every WebGPU figure above ran on Chromium’s software adapter (the backends table names the adapter it got); no machine with a GPU has been lent to this project’s sessions. In Node, the registry’s `webgpu` package (Dawn for Node, 0.6.2, 21 MB binary for linux-x64) installs, but finds no adapter here: Debian 12’s software Vulkan driver (lavapipe, Mesa 22.3.6) lacks a feature Dawn requires (`shaderUniform*ArrayDynamicIndexing`), and Dawn’s null backend computes nothing. WebGPU’s numerics are checked against WASM on the software adapter by the training lesson’s e2e test (every backend’s first LoRA losses within 1e-4 of WASM’s), so a GPU run would add only speed.',
    '',
  );
  writeFileSync(outFile, lines.join('\n'));
  mkdirSync('bench', { recursive: true });
  writeFileSync('bench/results.json', JSON.stringify(records, null, 2) + '\n');
  console.log(`wrote ${outFile}`);
}

// Lighthouse leaves some protocol promises unawaited when a page's target closes; report them
// instead of dying mid-run (the page's row says it failed).
process.on('unhandledRejection', (reason: unknown) => {
  console.error('bench: unhandled rejection (continuing):', reason);
});

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
