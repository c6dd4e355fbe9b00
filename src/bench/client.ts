/**
 * The in-browser half of `npm run bench` (issue 11): on the backend named by `?backend=`, measure
 * the machine's matmul throughput and one MLP training step built from the core's fast `linear`,
 * plus which backend the site's chooser would pick on its own. The result lands on
 * `window.__benchResult` for `scripts/bench.ts` (Playwright) to read, and on the page as a table.
 */
import { chooseBrowserBackend, initBackend } from '../cells/backend.ts';
import type { BackendName } from '../core/backend.ts';

/** What one bench page run reports. */
export interface BrowserBenchResult {
  readonly requested: string | null;
  readonly active: BackendName;
  readonly reason: string;
  /** What the automatic chooser picks on this browser (no `?backend=`). */
  readonly autoChoice: BackendName;
  readonly autoReason: string;
  readonly crossOriginIsolated: boolean;
  readonly wasmThreads: boolean;
  readonly adapter: string | null;
  /** Square matmul size used for the peak estimate. */
  readonly matmulN: number;
  readonly matmulMs: readonly number[];
  readonly matmulGflops: number;
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

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] ?? NaN) : ((s[mid - 1] ?? NaN) + (s[mid] ?? NaN)) / 2;
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
    // The site's CSP allows no blob: workers, which TF.js's threaded WASM build needs.
    wasmThreads: false,
    adapter,
    matmulN: n,
    matmulMs,
    matmulGflops: (2 * n ** 3) / (median(matmulMs) * 1e6),
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
