/**
 * Precomputes the QLoRA lesson's experiment with the same core the lesson's cells run: the shipped
 * pretrained encoder (`public/models/tiny-roberta/`) with its block linear layers stored as float32,
 * int8 absmax, NF4, or NF4 with double quantisation (blocks of 64), then LoRA (r = 8 on the six
 * linear modules of every layer, α = 2r, plus the classifier) fine-tuned on the sentiment split —
 * over several seeds, on the TF.js WASM backend in Node. Per base it also records the bytes held,
 * each matrix's reconstruction error and the base's masked-word accuracy on the validation and test
 * sentences (what quantisation did to the pretrained model before any adapter). Writes
 * `public/results/qlora/sentiment.json` (rewritten after every run; seeds are the outer loop).
 *
 *   npx tsx scripts/precompute-qlora.ts [--seeds 0,1,2] [--steps 160] [--batch 32] [--r 8]
 *     [--lr-search 1e-3,3e-3 | --lr 3e-3] [--model dir] [--out path] [--standin]
 *
 * The learning rate is chosen once, on the VALIDATION split with the float32 base (seed 100, the
 * same steps), and used for every base, as QLoRA used its 16-bit baseline's hyper-parameters.
 * `--standin` (no model needed, for checking the code) uses a random micro encoder and writes to
 * /tmp unless `--out` says otherwise; its numbers mean nothing.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { blockLinearNames, floatParameterBytes } from '../src/core/quant/index.ts';
import { mlmScore } from '../src/core/train/evaluate.ts';
import {
  QUANT_BASES,
  baseLabel,
  parseQloraResults,
  prepareBase,
  qloraRunToEnd,
  type QloraResults,
  type QloraRunResult,
} from '../src/experiments/qlora/index.ts';
import { nums } from './lib/cli.ts';
import { lowRankSetup } from './lib/lowrank-setup.ts';

const { values: flags } = parseArgs({
  options: {
    batch: { type: 'string', default: '32' },
    lr: { type: 'string', default: '' },
    'lr-search': { type: 'string', default: '1e-3,3e-3' },
    model: { type: 'string', default: 'public/models/tiny-roberta' },
    out: { type: 'string' },
    r: { type: 'string', default: '8' },
    seeds: { type: 'string' },
    steps: { type: 'string' },
    standin: { type: 'boolean', default: false },
  },
});
const standin = flags.standin;
const seeds = nums(flags.seeds ?? (standin ? '0' : '0,1,2'));
const steps = Number(flags.steps ?? (standin ? '4' : '160'));
const batchSize = Number(flags.batch);
const r = Number(flags.r);
const candidates = nums(flags.lr !== '' ? flags.lr : flags['lr-search']);
const out =
  flags.out ?? (standin ? '/tmp/qlora-standin.json' : 'public/results/qlora/sentiment.json');
const SEARCH_SEED = 100;
const started = new Date();
const t0 = performance.now();
const log = (s: string): void => {
  console.log(`[${((performance.now() - t0) / 1000).toFixed(0)} s] ${s}`);
};

await tf.setBackend('wasm');
await tf.ready();
const setup = await lowRankSetup(flags.model, standin);
const { train, validation, test, make } = setup;

// 1. The learning rate, on validation, with the float32 base.
const lrSearch: { learningRate: number; validation: number }[] = [];
let learningRate = candidates[0] ?? NaN;
if (candidates.length > 1) {
  let best = -1;
  for (const lr of candidates) {
    const enc = make(SEARCH_SEED);
    try {
      const x = await qloraRunToEnd({
        encoder: enc,
        train,
        test: validation,
        seed: SEARCH_SEED,
        steps,
        batchSize,
        learningRate: lr,
        r,
      });
      lrSearch.push({ learningRate: lr, validation: x.accuracy });
      log(`lr ${String(lr)}: validation ${(100 * x.accuracy).toFixed(1)}%`);
      if (x.accuracy > best) [best, learningRate] = [x.accuracy, lr];
    } finally {
      enc.dispose();
    }
  }
}
log(`learning rate ${String(learningRate)}`);

// 2. Each base as stored: bytes, reconstruction error, masked-word skill.
const bases: QloraResults['bases'] = [];
for (const base of QUANT_BASES) {
  const enc = make(0);
  try {
    const floatBlocks = blockLinearNames(enc).reduce(
      (n, m) => n + 4 * enc.linear(m).weight.size,
      0,
    );
    const report = await prepareBase(enc, base);
    const blockBytes = report ? report.quantizedBytes : floatBlocks;
    const otherBytes = floatParameterBytes(enc) - (report ? 0 : floatBlocks);
    const mlm = await mlmScore(enc, setup.mlm);
    bases.push({
      base,
      label: baseLabel(base),
      blockBytes,
      otherBytes,
      matrices: report ? report.matrices.map((m) => ({ ...m, shape: [...m.shape] })) : [],
      mlm,
      runs: [],
    });
    log(
      `${baseLabel(base)}: block weights ${String(blockBytes)} B, other ${String(otherBytes)} B, masked-word accuracy ${(100 * mlm.accuracy).toFixed(2)}%`,
    );
  } finally {
    enc.dispose();
  }
}

function write(): void {
  const doc = {
    what: 'LoRA on a quantised base (QLoRA, Dettmers et al. 2023) at this site’s scale: sentiment, pretrained tiny encoder',
    standin,
    settings: {
      model: standin ? 'random stand-in — numbers mean nothing' : flags.model,
      modelSha256: setup.modelSha256,
      testExamples: test.n,
      steps,
      batchSize,
      r,
      learningRate,
      learningRateChoice:
        candidates.length > 1
          ? `the candidate with the best validation accuracy with the float32 base (seed ${String(SEARCH_SEED)}, same steps), used for every base; see lrSearch`
          : 'fixed by --lr',
      seeds,
      blockSize: 64,
      loraAlpha: '2·r',
      targets:
        'query, key, value, attention.output.dense, intermediate.dense, output.dense (every layer), classifier trained',
      dropout: 0,
      backend: tf.getBackend(),
      node: process.version,
      command: `npx tsx scripts/precompute-qlora.ts ${process.argv.slice(2).join(' ')}`.trim(),
    },
    lrSearch,
    bases,
    complete: bases.every((b) => b.runs.length === seeds.length),
    started: started.toISOString(),
    wallSeconds: Math.round((performance.now() - t0) / 1000),
  };
  parseQloraResults(JSON.parse(JSON.stringify(doc)), out);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(doc, null, 1)}\n`);
}

// 3. LoRA on each base, seeds outer.
for (const seed of seeds) {
  for (const entry of bases) {
    const enc = make(seed);
    try {
      await prepareBase(enc, entry.base);
      const x: QloraRunResult = await qloraRunToEnd({
        encoder: enc,
        train,
        test,
        seed,
        steps,
        batchSize,
        learningRate,
        r,
      });
      entry.runs.push(x);
      log(
        `${entry.label}, seed ${String(seed)}: test ${(100 * x.accuracy).toFixed(1)}%, loss ${x.finalLoss.toFixed(3)}, ${x.msPerStep.toFixed(0)} ms/step (tensors ${String(tf.memory().numTensors)})`,
      );
    } finally {
      enc.dispose();
    }
    write();
  }
}
write();
log(`wrote ${out}`);
