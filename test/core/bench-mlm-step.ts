/**
 * Times one MLM training step (forward, backward, Adam) of the encoder — not a test, a benchmark:
 *   npx tsx test/core/bench-mlm-step.ts [backend=wasm] [layers=2] [seq=64] [batch=64] [vocab=16000]
 * Prints each step and the median of the steady steps (the first two warm up).
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { Encoder, encoderConfig } from '../../src/core/models/encoder.ts';
import { Adam } from '../../src/core/train/adam.ts';
import { Rng } from '../../src/core/rng.ts';

const [backend = 'wasm', layersArg = '2', seqArg = '64', batchArg = '64', vocabArg = '16000'] =
  process.argv.slice(2);
await tf.setBackend(backend);
const [layers, T, B, V] = [layersArg, seqArg, batchArg, vocabArg].map(Number) as [
  number,
  number,
  number,
  number,
];
const enc = new Encoder(
  encoderConfig('tiny', { numHiddenLayers: layers, vocabSize: V, maxPositionEmbeddings: T + 2 }),
  { seed: 1 },
);
const rng = new Rng(5);
const ids = tf.tensor2d(
  Array.from({ length: B * T }, () => rng.int(V)),
  [B, T],
  'int32',
);
const mask = tf.ones([B, T], 'int32');
const masked: number[] = [];
for (let i = 0; i < B * T; i++) if (rng.next() < 0.15) masked.push(i);
const positions = tf.tensor1d(masked, 'int32');
const labels = tf.tensor1d(
  masked.map(() => rng.int(V)),
  'int32',
);
const vars = enc.namedParameters().map((p) => p.variable);
const opt = new Adam({ learningRate: 1e-3 });
const ms: number[] = [];
for (let s = 0; s < 8; s++) {
  const t0 = performance.now();
  const loss = opt.step(() => enc.mlmLoss(ids, mask, positions, labels, { training: true }), vars);
  const l = (await loss.data())[0] ?? Number.NaN;
  loss.dispose();
  ms.push(performance.now() - t0);
  console.log(
    `step ${s}: loss ${l.toFixed(4)}, ${(ms.at(-1) ?? 0).toFixed(0)} ms, tensors ${tf.memory().numTensors}`,
  );
}
const steady = ms.slice(2).sort((a, b) => a - b);
const params = vars.reduce((a, v) => a + v.size, 0);
console.log(
  `${tf.getBackend()}: layers ${layers}, batch ${B}, seq ${T}, vocab ${V}, ${params} params, ${masked.length} masked: median step ${(steady[Math.floor(steady.length / 2)] ?? 0).toFixed(0)} ms`,
);
tf.dispose([ids, mask, positions, labels]);
opt.dispose();
enc.dispose();
