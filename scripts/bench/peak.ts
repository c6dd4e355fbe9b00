/**
 * How close the training step runs to each backend's limit (issue 11, target 4): the lesson
 * model's achieved GFLOP/s (train.ts, through the lesson's worker) next to the same backend's
 * measured matmul throughput (src/bench/client.ts, the /bench/ page): one encoder layer's linear
 * products at the step's own shapes, and a large square matmul. Both come from one
 * `npm run bench`, so the ratios are side by side.
 */
import type { BrowserBenchResult } from '../../src/bench/client.ts';
import type { TrainBenchOutcome, TrainBenchRecord } from './train.ts';
import { median } from '../../src/core/stats.ts';
import { stepFlops } from './node-train.ts';

/** One backend's achieved and peak throughput. */
export interface PeakRow {
  readonly backend: string;
  readonly loraGflops: number;
  readonly fullGflops: number;
  readonly stepShapeGflops: number;
  readonly stepRows: number;
  /** batch × sequence length of the training bench (should equal `stepRows`). */
  readonly trainRows: number;
  readonly largeN: number;
  readonly largeGflops: number;
}

/** Joins the two benches per backend (only where both measured that backend). */
export function peakRows(
  browser: readonly { label: string; result: BrowserBenchResult | { error: string } }[],
  train: readonly TrainBenchOutcome[],
): PeakRow[] {
  const rows: PeakRow[] = [];
  for (const { backend, result } of train) {
    if ('error' in result || result.backend !== backend) continue;
    const peak = browser.find((b) => b.label === backend)?.result;
    if (peak === undefined || !('active' in peak) || peak.active !== backend) continue;
    const m = result.model;
    const fwd = stepFlops(m.hiddenSize, m.intermediateSize, m.layers, m.seqLen, result.batchSize);
    const ms = (method: 'lora' | 'full'): number =>
      median(result.runs.filter((r) => r.method === method).map((r) => r.msPerStep));
    rows.push({
      backend,
      loraGflops: (2 * fwd) / (ms('lora') * 1e6),
      fullGflops: (3 * fwd) / (ms('full') * 1e6),
      stepShapeGflops: peak.stepMatmulGflops,
      stepRows: peak.stepShape.rows,
      trainRows: result.batchSize * m.seqLen,
      largeN: peak.largeN,
      largeGflops: peak.largeMatmulGflops,
    });
  }
  return rows;
}

const pct = (a: number, b: number): string => `${((100 * a) / b).toFixed(0)}%`;

/** BENCHMARKS.md lines and bench/results.json records. */
export function peakSection(rows: readonly PeakRow[]): {
  lines: string[];
  records: TrainBenchRecord[];
} {
  const lines = [
    '## Training step against the matmul peak, per backend (Chromium)',
    '',
    '| backend | step GFLOP/s LoRA / full | matmul at the step’s shapes (rows) | LoRA / full of that | large matmul (N) | LoRA / full of that |',
    '|---|---|---|---|---|---|',
  ];
  const records: TrainBenchRecord[] = [];
  for (const r of rows) {
    const shapeNote = r.stepRows === r.trainRows ? '' : ` (step has ${String(r.trainRows)} rows)`;
    lines.push(
      `| ${r.backend} | ${r.loraGflops.toFixed(2)} / ${r.fullGflops.toFixed(2)} | ${r.stepShapeGflops.toFixed(2)} GFLOP/s (${String(r.stepRows)}${shapeNote}) | ${pct(r.loraGflops, r.stepShapeGflops)} / ${pct(r.fullGflops, r.stepShapeGflops)} | ${r.largeGflops.toFixed(2)} GFLOP/s (${String(r.largeN)}²) | ${pct(r.loraGflops, r.largeGflops)} / ${pct(r.fullGflops, r.largeGflops)} |`,
    );
    const be = `chromium-${r.backend}`;
    records.push(
      {
        benchmark: 'matmul-step-shapes',
        backend: be,
        metric: 'achieved_gflops',
        value: r.stepShapeGflops,
        unit: 'GFLOP/s',
      },
      {
        benchmark: `matmul-${String(r.largeN)}`,
        backend: be,
        metric: 'achieved_gflops',
        value: r.largeGflops,
        unit: 'GFLOP/s',
      },
      {
        benchmark: 'lesson-encoder-train/lora',
        backend: be,
        metric: 'fraction_of_step_shape_matmul_peak',
        value: r.loraGflops / r.stepShapeGflops,
        unit: 'ratio',
      },
      {
        benchmark: 'lesson-encoder-train/full',
        backend: be,
        metric: 'fraction_of_step_shape_matmul_peak',
        value: r.fullGflops / r.stepShapeGflops,
        unit: 'ratio',
      },
    );
  }
  lines.push(
    '',
    'Step GFLOP/s: the encoder’s matrix products per step (full ≈ 3× forward, LoRA ≈ 2×, as in the table above) over the median step time. Matmul at the step’s shapes: one encoder layer’s linear products (four [rows,128]×[128,128], one [rows,128]×[128,512], one [rows,512]×[512,128]; rows = batch × 32 tokens) timed together on the `/bench/` page (src/bench/client.ts, main thread, same backend); large matmul: one square product. A step also does work that is not a matrix product (softmax, layer norm, GELU, dropout, Adam, the embedding scatter), so it cannot reach 100%; the gap to the step-shape figure is that overhead, the gap between the two matmul figures is what small shapes cost on this backend.',
    '',
  );
  return { lines, records };
}
