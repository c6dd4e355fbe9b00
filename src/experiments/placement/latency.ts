/**
 * Serial adapter vs parallel LoRA vs merged LoRA: the same stack of linear layers run four ways,
 * timed on whatever backend is active, so a lesson can measure inference latency on the reader's
 * own device (the comparison of Hu et al. 2021, "LoRA", Table 1, at browser scale).
 *
 * Per layer ℓ (row vectors, `x: [B, T, d]`):
 * - base:     `y = x·W + b`
 * - serial:   `y = adapter(x·W + b)` — Houlsby's bottleneck after the layer (waits for it)
 * - parallel: `y = x·W + b + (x·A)·B·s` — LoRA's branch beside the layer
 * - merged:   `y = x·(W + A·B·s) + b` — the same LoRA folded into the weight (no extra work)
 * then `relu` between layers. Timing: one sample is the wall time of a forward pass *including*
 * reading the result back (`await y.data()`), since a GPU backend only finishes when asked for the
 * values; the read is the same size for every variant. Variants are interleaved round-robin (the
 * order rotates every repeat) so that a slow patch of the machine hits all of them alike.
 */
import * as tf from '@tensorflow/tfjs';
import { linear } from '../../core/nn/linear.ts';
import { Rng, randn } from '../../core/rng.ts';
import { BottleneckAdapter } from './bottleneck.ts';
import { PlacementError } from './errors.ts';

/** The four ways to run the stack. */
export type LatencyVariant = 'base' | 'serial' | 'parallel' | 'merged';

/** Every variant, in display order. */
export const LATENCY_VARIANTS: readonly LatencyVariant[] = ['base', 'serial', 'parallel', 'merged'];

/** Shape of the benchmark stack. */
export interface LatencyStackOptions {
  /** Width d of every layer (square d × d weights). */
  readonly width: number;
  /** Number of layers. */
  readonly layers: number;
  /** LoRA rank r. */
  readonly rank: number;
  /** Serial adapter bottleneck m (Houlsby et al.). */
  readonly bottleneck: number;
  /** LoRA scaling s = α/r (default 1). */
  readonly scaling?: number;
  /** Seed of every weight (default 0). */
  readonly seed?: number;
}

interface StackLayer {
  w: tf.Tensor2D; // [d, d]
  b: tf.Tensor1D; // [d]
  a: tf.Tensor2D; // [d, r]
  bLora: tf.Tensor2D; // [r, d]
  merged: tf.Tensor2D; // [d, d] = W + A·B·s
  adapter: BottleneckAdapter;
}

/**
 * A stack of `layers` linear layers with a LoRA pair and a serial adapter on each. B is random
 * (not zero) so that "merged equals parallel" is a real check; the serial adapter's W_up is
 * near-identity random for the same reason. Owns its tensors: call `dispose()`.
 */
export class LatencyStack {
  readonly width: number;
  readonly rank: number;
  readonly bottleneck: number;
  readonly scaling: number;
  private readonly stack: StackLayer[] = [];

  /** @throws {PlacementError} naming the first invalid option. */
  constructor(opts: LatencyStackOptions) {
    const { width: d, layers, rank: r, bottleneck: m } = opts;
    if (!Number.isInteger(d) || d < 1)
      throw new PlacementError('width', d, 'must be a positive integer');
    if (!Number.isInteger(layers) || layers < 1)
      throw new PlacementError('layers', layers, 'must be a positive integer');
    if (!Number.isInteger(r) || r < 1 || r > d)
      throw new PlacementError('rank', r, `must be an integer in [1, ${d}]`);
    if (!Number.isInteger(m) || m < 1 || m > d)
      throw new PlacementError('bottleneck', m, `must be an integer in [1, ${d}]`);
    const s = opts.scaling ?? 1;
    if (!Number.isFinite(s)) throw new PlacementError('scaling', s, 'must be finite');
    this.width = d;
    this.rank = r;
    this.bottleneck = m;
    this.scaling = s;
    const root = new Rng(opts.seed ?? 0);
    for (let l = 0; l < layers; l++) {
      const rng = root.fork(l);
      const w = randn(rng.fork('w'), [d, d], Math.sqrt(2 / d)) as tf.Tensor2D;
      const a = randn(rng.fork('a'), [d, r], 1 / Math.sqrt(d)) as tf.Tensor2D;
      const bLora = randn(rng.fork('b'), [r, d], 0.1) as tf.Tensor2D;
      const merged = tf.tidy(() => tf.add<tf.Tensor2D>(w, tf.mul(tf.matMul(a, bLora), s)));
      const adapter = new BottleneckAdapter({
        dModel: d,
        bottleneck: m,
        upInit: 'near-identity',
        initStd: 0.05,
        seed: rng.fork('adapter').int(2 ** 31),
      });
      this.stack.push({ w, b: tf.zeros([d]), a, bLora, merged, adapter });
    }
  }

  /** Number of layers. */
  get layers(): number {
    return this.stack.length;
  }

  /** Extra scalars per layer: LoRA r·2d; the serial adapter 2·d·m + m + d. */
  extraParameters(variant: LatencyVariant): number {
    const d = this.width;
    if (variant === 'parallel') return this.layers * this.rank * 2 * d;
    if (variant === 'serial') return this.layers * (2 * d * this.bottleneck + this.bottleneck + d);
    return 0;
  }

  /** Multiply-adds per token of one forward pass (ignoring biases and activations). */
  macsPerToken(variant: LatencyVariant): number {
    const d = this.width;
    const base = this.layers * d * d;
    if (variant === 'parallel') return base + this.layers * 2 * d * this.rank;
    if (variant === 'serial') return base + this.layers * 2 * d * this.bottleneck;
    return base;
  }

  /** The stack's output for `x: [..., d]` run as `variant` (caller disposes). */
  forward(variant: LatencyVariant, x: tf.Tensor): tf.Tensor {
    if (x.shape[x.rank - 1] !== this.width)
      throw new PlacementError('input width', x.shape[x.rank - 1], `must be ${this.width}`);
    return tf.tidy(() => {
      let h = x;
      this.stack.forEach((L, i) => {
        let y: tf.Tensor;
        if (variant === 'merged') y = linear(h, L.merged, L.b);
        else {
          y = linear(h, L.w, L.b); // [..., d]
          if (variant === 'parallel')
            y = tf.add(y, tf.mul(linear(linear(h, L.a), L.bLora), this.scaling)); // + x·A·B·s
          else if (variant === 'serial') y = L.adapter.forward(y); // after the layer
        }
        h = i < this.stack.length - 1 ? tf.relu(y) : y;
      });
      return h;
    });
  }

  /** Frees every tensor. */
  dispose(): void {
    for (const L of this.stack) {
      tf.dispose([L.w, L.b, L.a, L.bLora, L.merged]);
      L.adapter.dispose();
    }
    this.stack.length = 0;
  }
}

/** Summary of timing samples, in milliseconds. */
export interface LatencyStats {
  readonly n: number;
  readonly median: number;
  /** First and third quartiles (linear interpolation between order statistics). */
  readonly q1: number;
  readonly q3: number;
  readonly min: number;
  readonly max: number;
  readonly mean: number;
}

/** The p-quantile (0 ≤ p ≤ 1) of sorted values, interpolating linearly (numpy's default). */
export function quantileSorted(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) throw new PlacementError('samples', 0, 'need at least one sample');
  const pos = (sorted.length - 1) * p;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo] ?? Number.NaN;
  const b = sorted[hi] ?? Number.NaN;
  return a + (b - a) * (pos - lo);
}

/** Median, quartiles, extremes and mean of `samples`. @throws {PlacementError} when empty. */
export function latencyStats(samples: readonly number[]): LatencyStats {
  const s = [...samples].sort((x, y) => x - y);
  if (s.length === 0) throw new PlacementError('samples', 0, 'need at least one sample');
  return {
    n: s.length,
    median: quantileSorted(s, 0.5),
    q1: quantileSorted(s, 0.25),
    q3: quantileSorted(s, 0.75),
    min: s[0] ?? Number.NaN,
    max: s[s.length - 1] ?? Number.NaN,
    mean: s.reduce((x, y) => x + y, 0) / s.length,
  };
}

/** Options of {@link measureLatency}. */
export interface MeasureLatencyOptions {
  readonly stack: LatencyStack;
  /** Batch sizes to time (e.g. `[1, 32]`). */
  readonly batchSizes: readonly number[];
  /** Tokens per sequence T. */
  readonly seqLen: number;
  /** Timed repeats per variant and batch size. */
  readonly repeats: number;
  /** Untimed runs per variant first (compilation, caches); default 3. */
  readonly warmup?: number;
  /** Variants to time (default all four). */
  readonly variants?: readonly LatencyVariant[];
  readonly signal?: AbortSignal;
}

/** Samples of one variant at one batch size. */
export interface LatencySeries {
  readonly variant: LatencyVariant;
  readonly batchSize: number;
  readonly seqLen: number;
  readonly samples: number[];
  readonly stats: LatencyStats;
}

/** Progress of {@link measureLatency}. */
export interface LatencyProgress {
  readonly done: number;
  readonly total: number;
  readonly batchSize: number;
  readonly variant: LatencyVariant;
  readonly ms: number;
}

async function timeOnce(run: () => tf.Tensor): Promise<number> {
  const t0 = performance.now();
  const y = run();
  await y.data();
  const ms = performance.now() - t0;
  y.dispose();
  return ms;
}

/**
 * Times every variant at every batch size (round-robin, rotating order), yielding after each sample
 * so a page stays responsive and can stop it; returns one series per (batch size, variant).
 * @throws {PlacementError} for an empty or invalid size, or a non-positive repeat count.
 */
export async function* measureLatency(
  o: MeasureLatencyOptions,
): AsyncGenerator<LatencyProgress, LatencySeries[], undefined> {
  const variants = o.variants ?? LATENCY_VARIANTS;
  if (variants.length === 0) throw new PlacementError('variants', '[]', 'must name a variant');
  for (const v of variants)
    if (!LATENCY_VARIANTS.includes(v))
      throw new PlacementError('variants', v, `must be one of ${LATENCY_VARIANTS.join(', ')}`);
  if (o.batchSizes.length === 0) throw new PlacementError('batchSizes', '[]', 'must not be empty');
  for (const b of o.batchSizes)
    if (!Number.isInteger(b) || b < 1)
      throw new PlacementError('batchSizes', b, 'must be positive integers');
  if (!Number.isInteger(o.seqLen) || o.seqLen < 1)
    throw new PlacementError('seqLen', o.seqLen, 'must be a positive integer');
  if (!Number.isInteger(o.repeats) || o.repeats < 1)
    throw new PlacementError('repeats', o.repeats, 'must be a positive integer');
  const warmup = o.warmup ?? 3;
  const total = o.batchSizes.length * variants.length * o.repeats;
  const out: LatencySeries[] = [];
  let done = 0;
  const rng = new Rng(12345);
  for (const batchSize of o.batchSizes) {
    const x = randn(rng.fork(batchSize), [batchSize, o.seqLen, o.stack.width]); // [B, T, d]
    try {
      const samples = new Map<LatencyVariant, number[]>(variants.map((v) => [v, []]));
      for (let w = 0; w < warmup; w++)
        for (const v of variants) await timeOnce(() => o.stack.forward(v, x));
      for (let rep = 0; rep < o.repeats; rep++) {
        for (let k = 0; k < variants.length; k++) {
          if (o.signal?.aborted) return out;
          const v = variants[(k + rep) % variants.length] ?? 'base';
          const ms = await timeOnce(() => o.stack.forward(v, x));
          samples.get(v)?.push(ms);
          done++;
          yield { done, total, batchSize, variant: v, ms };
        }
      }
      for (const v of variants) {
        const s = samples.get(v) ?? [];
        out.push({ variant: v, batchSize, seqLen: o.seqLen, samples: s, stats: latencyStats(s) });
      }
    } finally {
      x.dispose();
    }
  }
  return out;
}

/** Runs {@link measureLatency} to the end. */
export async function measureLatencyToEnd(o: MeasureLatencyOptions): Promise<LatencySeries[]> {
  const it = measureLatency(o);
  for (;;) {
    const r = await it.next();
    if (r.done === true) return r.value;
  }
}
