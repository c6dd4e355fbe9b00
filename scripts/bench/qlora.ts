/**
 * The QLoRA lesson's step times, side by side in one process (TF.js WASM in Node): LoRA r = 8 on
 * the shipped encoder with its block matrices stored four ways (float32, int8 absmax, NF4, NF4 +
 * double quantisation), and LoRA's variants (rsLoRA, LoRA+, DoRA, PiSSA) on the float32 base —
 * through the lesson's own code (`prepareBase` + `qloraRun` of src/experiments/qlora) on the
 * lesson's training sentences, batch and rank.
 *
 * Settings run in rounds; each round visits every setting once, in an order rotated by one per
 * round, so that a change in the shared machine's load falls on all settings alike. A run's time is
 * the median of its steps after the warm-up steps; a setting's time is the median over rounds.
 */
import { median } from '../../src/core/stats.ts';
import {
  prepareBase,
  qloraRun,
  type QuantBase,
  type Variant,
} from '../../src/experiments/qlora/index.ts';
import { batchRows } from '../../src/core/data/tasks.ts';
import { lowRankSetup } from '../lib/lowrank-setup.ts';
import type { BenchRecord } from './records.ts';

/** One setting: a stored base and a variant. */
export interface QloraSetting {
  readonly base: QuantBase;
  readonly variant: Variant;
}

/** The settings the lesson compares: the four bases under plain LoRA, the variants on float32. */
export const QLORA_BENCH_SETTINGS: readonly QloraSetting[] = [
  { base: 'float32', variant: 'lora' },
  { base: 'int8', variant: 'lora' },
  { base: 'nf4', variant: 'lora' },
  { base: 'nf4-dq', variant: 'lora' },
  { base: 'float32', variant: 'rslora' },
  { base: 'float32', variant: 'loraplus' },
  { base: 'float32', variant: 'dora' },
  { base: 'float32', variant: 'pissa' },
];

/** One setting's measurements. */
export interface QloraBenchRow extends QloraSetting {
  readonly trainable: number;
  /** Each round's median step (ms). */
  readonly roundMedians: readonly number[];
  readonly medianMs: number;
}

/** Options of {@link runQloraBench}. */
export interface QloraBenchOptions {
  readonly rounds?: number;
  /** Steps per run, warm-up included. */
  readonly steps?: number;
  readonly warmup?: number;
  readonly batchSize?: number;
  readonly model?: string;
}

/** Measures every setting of {@link QLORA_BENCH_SETTINGS} (the WASM backend must be set). */
export async function runQloraBench(o: QloraBenchOptions = {}): Promise<QloraBenchRow[]> {
  const rounds = o.rounds ?? 5;
  const steps = o.steps ?? 12;
  const warmup = o.warmup ?? 2;
  if (steps <= warmup) throw new Error(`qlora bench: steps (${String(steps)}) must exceed warmup`);
  const setup = await lowRankSetup(o.model ?? 'public/models/tiny-roberta', false);
  // Accuracy is not measured here: a handful of test rows keeps the run's final evaluation short.
  const first = Array.from({ length: Math.min(8, setup.test.n) }, (_, i) => i);
  const test = { n: first.length, maxLen: setup.test.maxLen, ...batchRows(setup.test, first) };
  const times = QLORA_BENCH_SETTINGS.map(() => [] as number[]);
  const trainable = QLORA_BENCH_SETTINGS.map(() => 0);
  // One untimed run first: the process's first steps compile kernels and warm caches.
  for (let round = -1; round < rounds; round++) {
    // Every setting once, the order rotated by one per round.
    const order = [...QLORA_BENCH_SETTINGS.entries()];
    if (round === -1) order.splice(1);
    else order.push(...order.splice(0, round % order.length));
    for (const [i, s] of order) {
      const encoder = setup.make(0);
      try {
        await prepareBase(encoder, s.base);
        const it = qloraRun({
          encoder,
          train: setup.train,
          test,
          seed: round,
          steps,
          batchSize: o.batchSize ?? 32,
          learningRate: 1e-3,
          variant: s.variant,
        });
        const ms: number[] = [];
        for (;;) {
          const x = await it.next();
          if (x.done === true) {
            trainable[i] = x.value.trainable;
            break;
          }
          ms.push(x.value.ms);
        }
        if (round >= 0) times[i]?.push(median(ms.slice(warmup)));
      } finally {
        encoder.dispose();
      }
    }
  }
  return QLORA_BENCH_SETTINGS.map((s, i) => ({
    ...s,
    trainable: trainable[i] ?? 0,
    roundMedians: times[i] ?? [],
    medianMs: median(times[i] ?? []),
  }));
}

const name = (r: QloraSetting): string => `${r.variant} on ${r.base}`;

/** The BENCHMARKS.md section and the records of a {@link runQloraBench} result. */
export function qloraBenchSection(
  rows: readonly QloraBenchRow[],
  o: {
    readonly command: string;
    readonly when: string;
    readonly load: string;
    readonly steps: number;
    readonly warmup: number;
  },
): { lines: string[]; records: BenchRecord[] } {
  const ref = rows.find((r) => r.base === 'float32' && r.variant === 'lora');
  const lines = [
    '## QLoRA lesson: step time per stored base and per variant (Node)',
    '',
    `Measured by \`${o.command}\` on ${o.when} (load average ${o.load} at the start), TF.js WASM in Node, single thread. The lesson's code (\`prepareBase\`, \`qloraRun\`): the shipped encoder, LoRA r = 8 (α = 16) on the six linear modules of both layers and the classifier, batch 32 of the lesson's training sentences, ${String(o.steps)} steps per run. Settings run in rounds, every setting once per round in a rotated order; each run's median step after ${String(o.warmup)} warm-up steps (and one untimed run before the first round), then the median over rounds (and the range of the rounds' medians).`,
    '',
    '| setting | trainable weights | step median (rounds' + "'" + ' range) | × LoRA on float32 |',
    '|---|---|---|---|',
  ];
  const records: BenchRecord[] = [];
  for (const r of rows) {
    const sorted = [...r.roundMedians].sort((a, b) => a - b);
    const ratio = ref ? r.medianMs / ref.medianMs : NaN;
    lines.push(
      `| ${name(r)} | ${r.trainable.toLocaleString('en-US')} | ${r.medianMs.toFixed(1)} ms (${(sorted[0] ?? NaN).toFixed(1)}–${(sorted[sorted.length - 1] ?? NaN).toFixed(1)}) | ${ratio.toFixed(2)} |`,
    );
    const benchmark = `qlora-train/${r.variant}/${r.base}`;
    records.push(
      {
        benchmark,
        backend: 'node-wasm',
        metric: 'step_time_median',
        value: r.medianMs,
        unit: 'ms',
      },
      {
        benchmark,
        backend: 'node-wasm',
        metric: 'step_time_ratio_vs_lora_float32',
        value: ratio,
        unit: 'ratio',
      },
      {
        benchmark,
        backend: 'node-wasm',
        metric: 'trainable_params',
        value: r.trainable,
        unit: 'count',
      },
    );
  }
  lines.push(
    '',
    'A quantised base dequantises each block matrix on every forward pass (QuantizedLinear), which the float32 base does not; DoRA also recomputes the column norms of W + BA each step; PiSSA trains the same shapes as LoRA (its SVD runs once, before the first step, outside these times).',
    '',
  );
  return { lines, records };
}
