/**
 * Pretraining step, TF.js WASM (what `npm run pretrain` uses) against PyTorch on CPU (what
 * `npm run pretrain:torch` uses), side by side in one run: the same encoder config, the same
 * weights and the same MLM batch; rounds alternate between the engines and each reports the
 * median of its steady steps (the first step of each call warms up and is dropped).
 *
 *   npm run bench:pretrain -- [--layers 2] [--hidden 128] [--batch 64] [--seq 48] [--rounds 3]
 *                             [--steps 5] [--threads 2] [--python /usr/bin/python3]
 *
 * Prints a Markdown table and writes bench/pretrain-engines.json.
 */
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { makeMlmBatch } from '../../src/core/data/index.ts';
import { encoderToHf } from '../../src/core/io/hf-encoder.ts';
import { tensorsToSafetensors } from '../../src/core/io/safetensors.ts';
import { Encoder, encoderConfig } from '../../src/core/models/encoder.ts';
import { Rng } from '../../src/core/rng.ts';
import { median } from '../../src/core/stats.ts';
import { Adam } from '../../src/core/train/index.ts';

const { values: a } = parseArgs({
  options: {
    layers: { type: 'string', default: '2' },
    hidden: { type: 'string', default: '128' },
    batch: { type: 'string', default: '64' },
    seq: { type: 'string', default: '48' },
    vocab: { type: 'string', default: '16000' },
    rounds: { type: 'string', default: '3' },
    steps: { type: 'string', default: '5' },
    threads: { type: 'string', default: '2' },
    python: { type: 'string', default: '/usr/bin/python3' },
  },
});
const n = (k: keyof typeof a): number => {
  const v = Number(a[k]);
  if (!Number.isInteger(v) || v < 1)
    throw new Error(`--${k}: expected a whole number ≥ 1, got ${a[k]}`);
  return v;
};
const [layers, hidden, B, T, V, rounds, steps] = [
  n('layers'),
  n('hidden'),
  n('batch'),
  n('seq'),
  n('vocab'),
  n('rounds'),
  n('steps'),
];

await tf.setBackend('wasm');
const config = encoderConfig('tiny', {
  vocabSize: V,
  hiddenSize: hidden,
  numHiddenLayers: layers,
  intermediateSize: 4 * hidden,
  maxPositionEmbeddings: T + 2,
  numLabels: 0,
});
const enc = new Encoder(config, { seed: 1 });
// A batch of full-length segments of random words, 15% masked (as in pretraining).
const rng = new Rng(5);
const segs = Array.from({ length: B }, () =>
  Int32Array.from({ length: T - 2 }, () => 5 + rng.int(V - 5)),
);
const batch = makeMlmBatch(segs, { maxLen: T, vocabSize: V, rand: () => rng.next() });
const dir = mkdtempSync(path.join(tmpdir(), 'pretrain-bench-'));
const hf = await encoderToHf(enc);
writeFileSync(path.join(dir, 'config.json'), hf.configJson);
writeFileSync(path.join(dir, 'model.safetensors'), hf.safetensors);
const ids = tf.tensor2d(batch.inputIds, [B, T], 'int32');
const mask = tf.tensor2d(batch.attentionMask, [B, T], 'int32');
const pos = tf.tensor1d(batch.maskedPositions, 'int32');
const labels = tf.tensor1d(batch.maskedLabels, 'int32');
writeFileSync(
  path.join(dir, 'batch.safetensors'),
  await tensorsToSafetensors({ ids, mask, pos, labels }, { format: 'np' }),
);

const vars = enc.namedParameters().map((p) => p.variable);
const opt = new Adam({ learningRate: 1e-4 });
async function tfjsSteps(k: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i <= k; i++) {
    const t = performance.now();
    const loss = opt.step(() => enc.mlmLoss(ids, mask, pos, labels), vars);
    await loss.data();
    loss.dispose();
    if (i > 0) out.push((performance.now() - t) / 1000);
  }
  return out;
}
function torchSteps(k: number): { seconds: number[]; torch: string } {
  const r = spawnSync(
    a.python,
    [path.join(import.meta.dirname, '..', 'torch', 'bench_step.py'), dir, String(k), a.threads],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`${a.python} bench_step.py: ${r.stderr || String(r.error)}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}') as {
    seconds: number[];
    torch: string;
  };
}

const tfjs: number[] = [];
const torch: number[] = [];
let torchVersion = '';
for (let r = 0; r < rounds; r++) {
  tfjs.push(median(await tfjsSteps(steps)));
  const t = torchSteps(steps);
  torchVersion = t.torch;
  torch.push(median(t.seconds));
  console.log(
    `round ${r + 1}: TF.js WASM ${tfjs.at(-1)?.toFixed(3)} s/step, PyTorch ${torch.at(-1)?.toFixed(3)} s/step`,
  );
}
const result = {
  config: {
    layers,
    hidden,
    batch: B,
    seq: T,
    vocab: V,
    maskedPositions: batch.maskedLabels.length,
  },
  machine: `${cpus().length} × ${cpus()[0]?.model ?? '?'}, load average ${loadavg()[0]?.toFixed(1)}`,
  tfjs: {
    engine: `TF.js ${tf.version.tfjs} WASM (Node, one thread)`,
    secondsPerStep: median(tfjs),
    rounds: tfjs,
  },
  torch: {
    engine: `PyTorch ${torchVersion} CPU, ${a.threads} threads`,
    secondsPerStep: median(torch),
    rounds: torch,
  },
  speedup: median(tfjs) / median(torch),
};
mkdirSync('bench', { recursive: true });
writeFileSync('bench/pretrain-engines.json', `${JSON.stringify(result, null, 2)}\n`);
console.log(`\n| engine | s/step (median of ${rounds} rounds) |\n|---|---|`);
console.log(`| ${result.tfjs.engine} | ${result.tfjs.secondsPerStep.toFixed(3)} |`);
console.log(`| ${result.torch.engine} | ${result.torch.secondsPerStep.toFixed(3)} |`);
console.log(`\nPyTorch is ${result.speedup.toFixed(2)}× faster per step (${result.machine}).`);
tf.dispose([ids, mask, pos, labels]);
opt.dispose();
enc.dispose();
