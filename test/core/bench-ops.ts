/**
 * Micro-benchmarks of the hand-written gradients against TF.js's own — not a test:
 *   npx tsx test/core/bench-ops.ts [backend=wasm]
 * Prints the best of 5 runs (forward + backward, awaited) for each pair.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { linear } from '../../src/core/nn/linear.ts';
import { gatherRows } from '../../src/core/nn/embedding.ts';
import { layerNorm } from '../../src/core/nn/layer-norm.ts';
import { gelu, geluExact } from '../../src/core/nn/activations.ts';
import { Rng, randn } from '../../src/core/rng.ts';

await tf.setBackend(process.argv[2] ?? 'wasm');
const r = new Rng(1);

async function best(label: string, f: () => tf.Tensor[]): Promise<void> {
  let t = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    const out = f();
    for (const o of out) await o.data();
    tf.dispose(out);
    t = Math.min(t, performance.now() - t0);
  }
  console.log(`${tf.getBackend()} ${label}: ${t.toFixed(1)} ms`);
}

const x = randn(r, [4096, 128]);
const w = randn(r, [128, 512], 0.05);
const probe = randn(r, [4096, 512]);
const loss = (f: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor) => (a: tf.Tensor, b: tf.Tensor) =>
  tf.sum(tf.mul(f(a, b), probe));
await best('linear [4096,128]·[128,512] fwd+bwd, custom (explicit transposes)', () =>
  tf.grads(loss((a, b) => linear(a, b)))([x, w]),
);
await best('linear [4096,128]·[128,512] fwd+bwd, tf.matMul autodiff (transpose flags)', () =>
  tf.grads(loss((a, b) => tf.matMul(a, b)))([x, w]),
);

const table = randn(r, [16000, 128]);
const ids = tf.tensor1d(
  Array.from({ length: 4096 }, () => r.int(16000)),
  'int32',
);
const dy = randn(r, [4096, 128]);
await best('embedding [16000,128] × 4096 ids fwd+bwd, custom (scatterND)', () =>
  tf.grads((t: tf.Tensor) => tf.sum(tf.mul(gatherRows(t, ids), dy)))([table]),
);
if (tf.getBackend() !== 'wasm') {
  await best('embedding fwd+bwd, tf.gather autodiff (UnsortedSegmentSum)', () =>
    tf.grads((t: tf.Tensor) => tf.sum(tf.mul(tf.gather(t, ids), dy)))([table]),
  );
}

const h = randn(r, [64, 64, 128]);
const g = randn(r, [128]);
const b = randn(r, [128]);
await best('layerNorm [64,64,128] fwd+bwd, custom', () =>
  tf.grads((a: tf.Tensor) => tf.sum(tf.square(layerNorm(a, g, b))))([h]),
);
await best('layerNorm [64,64,128] fwd+bwd, composed autodiff', () =>
  tf.grads((a: tf.Tensor) => {
    const m = tf.mean(a, -1, true);
    const v = tf.mean(tf.square(tf.sub(a, m)), -1, true);
    return tf.sum(tf.square(tf.add(tf.mul(tf.div(tf.sub(a, m), tf.sqrt(tf.add(v, 1e-5))), g), b)));
  })([h]),
);
const u = randn(r, [4096, 512]);
await best('gelu x·σ(1.702x) [4096,512] fwd+bwd', () =>
  tf.grads((a: tf.Tensor) => tf.sum(gelu(a)))([u]),
);
await best('gelu exact x·Φ(x) [4096,512] fwd+bwd', () =>
  tf.grads((a: tf.Tensor) => tf.sum(geluExact(a)))([u]),
);
