/**
 * Where the LoRA training step's time goes, kernel by kernel (issue 24, "a leaner step"): TF.js
 * WASM in Node, the tiny encoder at the shipped model's shape, LoRA r = 2 on query and
 * attention.output.dense with the classifier trained (the training lesson's default), one fixed
 * batch, the core's Adam. WASM kernels run synchronously, so `tf.profile`'s per-kernel times are
 * wall times; the step's own wall time is measured separately without the profiler, and what the
 * kernels do not account for is the step's time outside any kernel (TF.js's engine: the gradient
 * tape, tensor bookkeeping, `tidy`, and the loss read-back).
 *
 * A section of `npm run bench`; `npm run bench -- --only profile` measures it alone.
 */
import * as tf from '@tensorflow/tfjs';
import { Adam, Encoder, getPeftModel, softmaxCrossEntropy } from '../../src/core/index.ts';
import { median } from '../../src/core/stats.ts';
import { benchBatch, LESSON_LORA } from './node-train.ts';
import type { BenchRecord } from './records.ts';

/** The kernel families reported; anything else is "other element-wise and bookkeeping". */
const FAMILY: [RegExp, string][] = [
  [/MatMul|Conv/, 'matrix products'],
  [/^Transpose$/, 'transposes'],
  [/^(Sum|Max|Min|Mean|Prod|ArgMax|All|Any)$/, 'reductions'],
  [/^(GatherV2|GatherNd|UnsortedSegmentSum|ScatterNd|OneHot)$/, 'gathers and scatters'],
  [
    /^(Reshape|Identity|Cast|Slice|Concat|Pack|Unpack|Tile|ExpandDims|Squeeze|Fill|ZerosLike|OnesLike|BroadcastTo)$/,
    'copies and reshapes',
  ],
  [/^(Softmax|Exp|Log|Sqrt|Rsqrt|Tanh|Erf|Sigmoid|Pow|Square)$/, 'transcendental'],
];
const familyOf = (name: string): string =>
  FAMILY.find(([re]) => re.test(name))?.[1] ?? 'element-wise arithmetic';

/** One kernel's (or family's) time per step: calls and the median over the profiled steps. */
export interface KernelTime {
  readonly name: string;
  readonly calls: number;
  readonly ms: number;
}

/** What {@link profileLoraStep} found. */
export interface StepProfile {
  readonly batch: number;
  readonly seqLen: number;
  readonly repeats: number;
  /** Median wall time of a step, measured without the profiler. */
  readonly stepMs: number;
  /** Median over profiled steps of the summed kernel times. */
  readonly kernelMs: number;
  readonly kernelCalls: number;
  readonly families: readonly KernelTime[];
  readonly kernels: readonly (KernelTime & { readonly family: string })[];
  /** Named scopes tf.profile listed and the sums leave out (their time is their kernels'). */
  readonly scopes: readonly string[];
}

/** Profiles the LoRA step on the backend that is set (WASM for the bench). */
export async function profileLoraStep(
  o: { batch?: number; seqLen?: number; repeats?: number } = {},
): Promise<StepProfile> {
  const batch = o.batch ?? 16;
  const seqLen = o.seqLen ?? 32;
  const repeats = o.repeats ?? 15;
  const { config, ids, mask, labels } = benchBatch(batch, seqLen);
  const model = new Encoder(config, { seed: 1 });
  const peft = getPeftModel(model, LESSON_LORA, { seed: 2 });
  const vars = peft.trainableVariables();
  const adam = new Adam({ learningRate: 1e-4 });
  const loss = (): tf.Scalar =>
    softmaxCrossEntropy(model.classify(ids, mask, { training: false }), labels);
  /** One step as the training loop takes it: update, then read the loss back. */
  async function step(): Promise<void> {
    const value = adam.step(loss, vars);
    await value.data();
    value.dispose();
  }

  for (let i = 0; i < 3; i++) await step(); // Adam's moments, kernel warm-up
  // Unprofiled and profiled steps alternate, so that a change in the machine's load falls on both.
  const wall: number[] = [];
  const perKernel = new Map<string, { calls: number; ms: number[] }>();
  const kernelTotals: number[] = [];
  const scopes = new Set<string>();
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    await step();
    wall.push(performance.now() - t0);
    const info = await tf.profile(step);
    const sums = new Map<string, { calls: number; ms: number }>();
    let total = 0;
    for (const k of info.kernels) {
      // tf.profile also lists named scopes (customGrad's "unnamed scope", "forward"), whose time
      // includes their kernels: count registered kernels only.
      const registered = tf.getKernel(k.name, tf.getBackend()) as tf.KernelConfig | undefined;
      if (registered === undefined) {
        scopes.add(k.name);
        continue;
      }
      const ms = k.kernelTimeMs as number;
      const s = sums.get(k.name) ?? { calls: 0, ms: 0 };
      s.calls++;
      s.ms += ms;
      sums.set(k.name, s);
      total += ms;
    }
    kernelTotals.push(total);
    for (const [name, s] of sums) {
      const e = perKernel.get(name) ?? { calls: s.calls, ms: [] };
      e.ms.push(s.ms);
      perKernel.set(name, e);
    }
  }
  const stepMs = median(wall);
  const kernelMs = median(kernelTotals);
  const kernels = [...perKernel]
    .map(([name, e]) => ({ name, family: familyOf(name), calls: e.calls, ms: median(e.ms) }))
    .sort((a, b) => b.ms - a.ms);
  const families = new Map<string, { calls: number; ms: number }>();
  for (const k of kernels) {
    const f = families.get(k.family) ?? { calls: 0, ms: 0 };
    f.calls += k.calls;
    f.ms += k.ms;
    families.set(k.family, f);
  }
  adam.dispose();
  peft.dispose();
  model.dispose();
  tf.dispose([ids, mask, labels]);
  return {
    batch,
    seqLen,
    repeats,
    stepMs,
    kernelMs,
    kernelCalls: kernels.reduce((n, k) => n + k.calls, 0),
    families: [...families].map(([name, f]) => ({ name, ...f })).sort((a, b) => b.ms - a.ms),
    kernels,
    scopes: [...scopes],
  };
}

/** The BENCHMARKS.md section and the records of a {@link profileLoraStep} result. */
export function profileSection(
  p: StepProfile,
  o: { readonly command: string; readonly when: string; readonly load: string },
): { lines: string[]; records: BenchRecord[] } {
  const share = (ms: number): string => `${((100 * ms) / p.stepMs).toFixed(1)}%`;
  const outside = p.stepMs - p.kernelMs;
  const matmul = p.families.find((f) => f.name === 'matrix products')?.ms ?? 0;
  const lines = [
    "## Where the LoRA step's time goes, kernel by kernel (Node)",
    '',
    `Measured by \`${o.command}\` on ${o.when} (load average ${o.load} at the start), TF.js WASM in Node, single thread (scripts/bench/profile-step.ts): the tiny encoder at the shipped shape (vocabulary 16,000, 2 layers of width 128), LoRA r = 2 on query and attention.output.dense with the classifier trained, batch ${String(p.batch)} × ${String(p.seqLen)} tokens, the core's Adam and the loss read back. The step's wall time is the median of ${String(p.repeats)} unprofiled steps; kernel times are \`tf.profile\`'s (WASM kernels run synchronously, so they are wall times), medians over ${String(p.repeats)} profiled steps, alternating with the unprofiled ones; named scopes (${p.scopes.join(', ') || 'none'}) are left out of the sums, their time being their kernels'.`,
    '',
    `Step ${p.stepMs.toFixed(1)} ms: ${String(p.kernelCalls)} kernel calls taking ${p.kernelMs.toFixed(1)} ms, of which matrix products ${matmul.toFixed(1)} ms (${share(matmul)}); outside the matrix products ${share(p.stepMs - matmul)}, of which ${share(outside)} is outside any kernel (TF.js's engine: the gradient tape, tensor bookkeeping, scopes, the read-back).`,
    '',
    '| family | kernel calls | ms per step | share of the step |',
    '|---|---|---|---|',
    ...p.families.map(
      (f) => `| ${f.name} | ${String(f.calls)} | ${f.ms.toFixed(2)} | ${share(f.ms)} |`,
    ),
    `| outside any kernel | — | ${outside.toFixed(2)} | ${share(outside)} |`,
    '',
    '| kernel (top 12) | family | calls | ms per step | share |',
    '|---|---|---|---|---|',
    ...p.kernels
      .slice(0, 12)
      .map(
        (k) =>
          `| ${k.name} | ${k.family} | ${String(k.calls)} | ${k.ms.toFixed(2)} | ${share(k.ms)} |`,
      ),
    '',
  ];
  const benchmark = 'lora-step-profile';
  const rec = (metric: string, value: number, unit: string): BenchRecord => ({
    benchmark,
    backend: 'node-wasm',
    metric,
    value,
    unit,
  });
  return {
    lines,
    records: [
      rec('step_time_median', p.stepMs, 'ms'),
      rec('kernel_time', p.kernelMs, 'ms'),
      rec('kernel_calls', p.kernelCalls, 'count'),
      rec('matmul_share', matmul / p.stepMs, 'ratio'),
      rec('outside_kernels_share', outside / p.stepMs, 'ratio'),
    ],
  };
}
