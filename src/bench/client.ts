/**
 * The in-browser half of `npm run bench` (issue 11): on the backend named by `?backend=`, measure
 * the machine's matmul throughput and one MLP training step built from the core's fast `linear`,
 * plus which backend the site's chooser would pick on its own. The result lands on
 * `window.__benchResult` for `scripts/bench.ts` (Playwright) to read, and on the page as a table.
 */
import { median } from '../core/stats.ts';
import { chooseBrowserBackend, initBackend } from '../cells/backend.ts';
import type { BackendName } from '../core/backend.ts';
import type { Tensor } from '@tensorflow/tfjs';
import { intParam } from './params.ts';

/** The thread count of TF.js's running WASM backend. */
async function wasmThreadsCount(): Promise<number> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  return wasm.getThreadsCount();
}

/** What one bench page run reports. */
export interface BrowserBenchResult {
  readonly requested: string | null;
  readonly active: BackendName;
  readonly reason: string;
  /** What the automatic chooser picks on this browser (no `?backend=`). */
  readonly autoChoice: BackendName;
  readonly autoReason: string;
  readonly crossOriginIsolated: boolean;
  /** Threads TF.js's WASM backend runs (1: single-threaded; 0 on the other backends). */
  readonly wasmThreads: number;
  readonly adapter: string | null;
  /** Square matmul size used for the peak estimate. */
  readonly matmulN: number;
  readonly matmulMs: readonly number[];
  readonly matmulGflops: number;
  /**
   * One encoder layer's linear products at the lesson's training-step shapes (`rows` = batch ×
   * sequence tokens, hidden 128, FFN 512: four [rows,128]×[128,128], one [rows,128]×[128,512],
   * one [rows,512]×[512,128]), timed together: the peak a training step could reach here.
   */
  readonly stepShape: { readonly rows: number; readonly hidden: number; readonly ffn: number };
  readonly stepMatmulMs: readonly number[];
  readonly stepMatmulGflops: number;
  /** A large square matmul (1024², 512² on a software WebGPU adapter): the backend's peak. */
  readonly largeN: number;
  readonly largeMatmulMs: readonly number[];
  readonly largeMatmulGflops: number;
  /** MLP 784-256-10, batch 128, one SGD step (forward + backward + update). */
  readonly mlpStepMs: readonly number[];
  readonly mlpGflops: number;
  readonly error?: string;
}

declare global {
  interface Window {
    __benchResult?: BrowserBenchResult | { error: string };
  }
}

async function timeRepeats(
  warmup: number,
  repeats: number,
  run: () => Promise<void>,
): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await run();
  const out: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    await run();
    out.push(performance.now() - t0);
  }
  return out;
}

async function run(): Promise<BrowserBenchResult> {
  const params = new URLSearchParams(location.search);
  const tf = await import('@tensorflow/tfjs');
  const core = await import('../core/index.ts');
  const auto = await chooseBrowserBackend('');
  const wanted = await chooseBrowserBackend(location.search);
  const active = await initBackend(tf, wanted);
  let adapter: string | null = null;
  if (active.name === 'webgpu' && 'gpu' in navigator) {
    const a = await navigator.gpu.requestAdapter();
    if (a) adapter = `${a.info.vendor} ${a.info.architecture}`;
  }
  const slow = active.name === 'webgpu' && adapter?.includes('swiftshader') === true;
  const n = slow ? 128 : 256;
  const rng = new core.Rng(1);
  const a = core.randn(rng, [n, n], 1);
  const b = core.randn(rng, [n, n], 1);
  const matmulMs = await timeRepeats(2, slow ? 5 : 15, async () => {
    const c = tf.matMul(a, b);
    await c.data();
    c.dispose();
  });
  a.dispose();
  b.dispose();

  // The training bench (train-client.ts) steps batches of 16 sequences of 32 tokens, 8 on the
  // slow backends; `?rows=` overrides.
  const rows = intParam(params, 'rows', slow || active.name === 'cpu' ? 256 : 512, 1, 4096);
  const hidden = 128;
  const ffn = 512;
  const shapes: [number, number, number][] = [
    ...Array.from({ length: 4 }, (): [number, number, number] => [rows, hidden, hidden]),
    [rows, hidden, ffn],
    [rows, ffn, hidden],
  ];
  const operands = shapes.map(([m, k, n]): [Tensor, Tensor] => [
    core.randn(rng, [m, k], 1),
    core.randn(rng, [k, n], 1),
  ]);
  const stepMatmulMs = await timeRepeats(2, slow ? 5 : 15, async () => {
    const outs = operands.map(([x, w]) => tf.matMul(x, w));
    await Promise.all(outs.map((o) => o.data()));
    tf.dispose(outs);
  });
  tf.dispose(operands.flat());
  const stepFlops = shapes.reduce((sum, [m, k, n]) => sum + 2 * m * k * n, 0);

  const largeN = slow ? 512 : 1024;
  const la = core.randn(rng, [largeN, largeN], 1);
  const lb = core.randn(rng, [largeN, largeN], 1);
  const largeMatmulMs = await timeRepeats(1, slow ? 3 : 5, async () => {
    const c = tf.matMul(la, lb);
    await c.data();
    c.dispose();
  });
  la.dispose();
  lb.dispose();

  const batch = 128;
  const w1 = tf.variable(core.randn(rng, [784, 256], 0.05));
  const b1 = tf.variable(tf.zeros([256]));
  const w2 = tf.variable(core.randn(rng, [256, 10], 0.05));
  const b2 = tf.variable(tf.zeros([10]));
  const x = core.uniform(rng, [batch, 784], 0, 1);
  const labels = tf.tensor1d(
    Array.from({ length: batch }, (_, i) => i % 10),
    'int32',
  );
  const vars = [w1, b1, w2, b2];
  const mlpStepMs = await timeRepeats(3, slow ? 5 : 15, async () => {
    const loss = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => {
        const h = tf.relu(core.linear(x, w1, b1)); // [batch, 256]
        const logits = core.linear(h, w2, b2); // [batch, 10]
        return core.softmaxCrossEntropy(logits, labels);
      }, vars);
      for (const v of vars) {
        const g = grads[v.name];
        if (g) v.assign(tf.sub(v, tf.mul(g, 0.01)));
      }
      return value;
    });
    await loss.data();
    loss.dispose();
  });
  for (const t of [...vars, x, labels]) t.dispose();
  const mlpFlops = 3 * 2 * batch * (784 * 256 + 256 * 10);
  return {
    requested: params.get('backend'),
    active: active.name,
    reason: active.reason,
    autoChoice: auto.name,
    autoReason: auto.reason,
    crossOriginIsolated: globalThis.crossOriginIsolated,
    // `?threads=N` forces a count (1: off); otherwise the site's own choice (planWasmThreads).
    wasmThreads: active.name === 'wasm' ? await wasmThreadsCount() : 0,
    adapter,
    matmulN: n,
    matmulMs,
    matmulGflops: (2 * n ** 3) / (median(matmulMs) * 1e6),
    stepShape: { rows, hidden, ffn },
    stepMatmulMs,
    stepMatmulGflops: stepFlops / (median(stepMatmulMs) * 1e6),
    largeN,
    largeMatmulMs,
    largeMatmulGflops: (2 * largeN ** 3) / (median(largeMatmulMs) * 1e6),
    mlpStepMs,
    mlpGflops: mlpFlops / (median(mlpStepMs) * 1e6),
  };
}

function show(result: BrowserBenchResult | { error: string }): void {
  const out = document.querySelector('[data-bench-output]');
  if (out) out.textContent = JSON.stringify(result, null, 2);
}

run().then(
  (result) => {
    window.__benchResult = result;
    show(result);
  },
  (error: unknown) => {
    const result = {
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    };
    window.__benchResult = result;
    show(result);
  },
);
