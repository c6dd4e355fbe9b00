/**
 * Precomputes the QLoRA lesson's comparison of LoRA's variants on one task with one budget: the
 * shipped encoder (float32 base) with LoRA r = 8 on the six linear modules of every layer (α = 2r,
 * classifier trained) as plain LoRA, rsLoRA, LoRA+, DoRA and PiSSA, each with its own learning
 * rate chosen on the VALIDATION split from the same candidates (seed 100, the same steps), then
 * several seeds on the test split. Writes `public/results/qlora/variants.json` (rewritten after
 * every run; seeds are the outer loop).
 *
 *   npx tsx scripts/precompute-variants.ts [--seeds 0,1,2,3,4] [--steps 160] [--batch 32] [--r 8]
 *     [--lr-search 3e-4,1e-3,3e-3,1e-2] [--model dir] [--out path] [--standin]
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import {
  VARIANTS,
  parseVariantResults,
  qloraRunToEnd,
  variantLabel,
  type QloraRunResult,
  type Variant,
} from '../src/experiments/qlora/index.ts';
import { nums } from './lib/cli.ts';
import { lowRankSetup } from './lib/lowrank-setup.ts';

const { values: flags } = parseArgs({
  options: {
    batch: { type: 'string', default: '32' },
    'lr-search': { type: 'string', default: '3e-4,1e-3,3e-3,1e-2' },
    model: { type: 'string', default: 'public/models/tiny-roberta' },
    out: { type: 'string' },
    r: { type: 'string', default: '8' },
    seeds: { type: 'string' },
    steps: { type: 'string' },
    standin: { type: 'boolean', default: false },
  },
});
const standin = flags.standin;
const seeds = nums(flags.seeds ?? (standin ? '0' : '0,1,2,3,4'));
const steps = Number(flags.steps ?? (standin ? '4' : '160'));
const batchSize = Number(flags.batch);
const r = Number(flags.r);
const candidates = nums(flags['lr-search']);
const out =
  flags.out ?? (standin ? '/tmp/variants-standin.json' : 'public/results/qlora/variants.json');
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

interface Entry {
  variant: Variant;
  label: string;
  learningRate: number;
  search: { learningRate: number; validation: number }[];
  runs: QloraRunResult[];
}
const entries: Entry[] = [];

function write(): void {
  const doc = {
    what: "LoRA's variants on one task with one budget (rsLoRA, LoRA+, DoRA, PiSSA against plain LoRA) at this site's scale: sentiment, pretrained tiny encoder, float32 base",
    standin,
    settings: {
      model: standin ? 'random stand-in — numbers mean nothing' : flags.model,
      modelSha256: setup.modelSha256,
      testExamples: test.n,
      steps,
      batchSize,
      r,
      candidates,
      learningRateChoice: `per variant, the candidate with the best validation accuracy (seed ${String(SEARCH_SEED)}, same steps)`,
      seeds,
      loraAlpha: '2·r',
      loraplusLrRatio: 16,
      targets:
        'query, key, value, attention.output.dense, intermediate.dense, output.dense (every layer), classifier trained',
      dropout: 0,
      backend: tf.getBackend(),
      node: process.version,
      command: `npx tsx scripts/precompute-variants.ts ${process.argv.slice(2).join(' ')}`.trim(),
    },
    variants: entries,
    complete:
      entries.length === VARIANTS.length && entries.every((e) => e.runs.length === seeds.length),
    started: started.toISOString(),
    wallSeconds: Math.round((performance.now() - t0) / 1000),
  };
  parseVariantResults(JSON.parse(JSON.stringify(doc)), out);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(doc, null, 1)}\n`);
}

const run = async (variant: Variant, seed: number, lr: number, on: typeof test) => {
  const encoder = make(seed);
  try {
    return await qloraRunToEnd({
      encoder,
      train,
      test: on,
      seed,
      steps,
      batchSize,
      learningRate: lr,
      r,
      variant,
    });
  } finally {
    encoder.dispose();
  }
};

// 1. Each variant's learning rate, on validation, with the same candidates.
for (const variant of VARIANTS) {
  const search: Entry['search'] = [];
  let best = { lr: candidates[0] ?? NaN, acc: -1 };
  for (const lr of candidates) {
    const x = await run(variant, SEARCH_SEED, lr, validation);
    search.push({ learningRate: lr, validation: x.accuracy });
    log(`${variantLabel(variant)}: lr ${String(lr)} validation ${(100 * x.accuracy).toFixed(1)}%`);
    if (x.accuracy > best.acc) best = { lr, acc: x.accuracy };
  }
  entries.push({
    variant,
    label: variantLabel(variant),
    learningRate: best.lr,
    search,
    runs: [],
  });
  write();
}

// 2. Seeds on the test split.
for (const seed of seeds) {
  for (const e of entries) {
    const x = await run(e.variant, seed, e.learningRate, test);
    e.runs.push(x);
    log(`${e.label}, seed ${String(seed)}: test ${(100 * x.accuracy).toFixed(1)}%`);
    write();
  }
}
write();
log(`wrote ${out}`);
