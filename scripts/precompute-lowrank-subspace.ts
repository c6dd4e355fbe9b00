/**
 * Precomputes the low-rank lesson's "structure or count?" comparison: the shipped pretrained tiny
 * encoder fine-tuned on sentiment in a random d-dimensional subspace of all its parameters (the
 * intrinsic-dimension lesson's method, Li et al. 2018; θ = θ0 + P·θd with the core's sparse
 * projection), where d is exactly the number of weights LoRA of rank `--rank` trains on all six
 * linear modules of both layers plus the classifier — the LoRA runs of
 * `public/results/lowrank/sentiment.json`, with the same steps, batch size, batch order per seed and
 * data. The learning rate is chosen on the validation split over `--lrs` with the search seed (whose
 * run at the chosen rate is also its evaluation run); the other seeds then run at that rate. Each run also records the masked-LM loss before and after (forgetting)
 * and its ΔW spectra per linear module against a same-shape, same-norm Gaussian.
 *
 * Writes `public/results/lowrank/subspace.json` (rewritten after every run), on the TF.js WASM
 * backend in Node. The projection holds ≈ 3,900 entries per column (≈ 1.2 GB at d ≈ 37,000), which is
 * why this runs here and not in a page.
 *
 *   npx tsx scripts/precompute-lowrank-subspace.ts [--rank 8] [--lrs 1e-3,3e-3,1e-2]
 *     [--seeds 0,1,2] [--search-seed 0] [--steps 150] [--batch 32] [--model dir] [--out path]
 *     [--standin]
 *
 * `--standin` (no model needed, for checking the code) uses a random micro encoder and writes to /tmp
 * unless `--out` says otherwise; its numbers mean nothing.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import {
  fineTuneToEnd,
  loraTrainable,
  methodLabel,
  moduleDeltas,
  moduleSpectra,
  parseSubspaceResults,
  type Method,
} from '../src/experiments/lowrank/index.ts';
import { nums } from './lib/cli.ts';
import { lowRankSetup } from './lib/lowrank-setup.ts';

const { values: flags } = parseArgs({
  options: {
    batch: { type: 'string' },
    lrs: { type: 'string' },
    model: { type: 'string' },
    out: { type: 'string' },
    rank: { type: 'string' },
    'search-seed': { type: 'string' },
    seeds: { type: 'string' },
    steps: { type: 'string' },
    standin: { type: 'boolean', default: false },
  },
});
const arg = (name: Exclude<keyof typeof flags, 'standin'>, fallback: string): string =>
  flags[name] ?? fallback;
const positive = (name: string, v: number): number => {
  if (!Number.isInteger(v) || v < 1)
    throw new Error(`--${name}: expected a positive integer, got ${String(v)}`);
  return v;
};

const standin = flags.standin;
const rank = positive('rank', Number(arg('rank', standin ? '2' : '8')));
const learningRates = nums(arg('lrs', '1e-3,3e-3,1e-2'));
for (const lr of learningRates)
  if (!(lr > 0)) throw new Error(`--lrs: every rate must be > 0, got ${String(lr)}`);
const seeds = nums(arg('seeds', standin ? '0' : '0,1,2'));
const searchSeed = Number(arg('search-seed', '0'));
const steps = positive('steps', Number(arg('steps', standin ? '4' : '150')));
const batchSize = positive('batch', Number(arg('batch', '32')));
const out = arg(
  'out',
  standin ? '/tmp/lowrank-subspace-standin.json' : 'public/results/lowrank/subspace.json',
);
const modelDir = arg('model', 'public/models/tiny-roberta');
const started = new Date();
const t0 = performance.now();
const log = (s: string): void => {
  console.log(`[${((performance.now() - t0) / 1000).toFixed(0)} s] ${s}`);
};
/** Rounds to 5 significant digits (keeps the file small; no figure needs more). */
const round = (_k: string, v: unknown): unknown =>
  typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(5)) : v;

await tf.setBackend('wasm');
await tf.ready();

const setup = await lowRankSetup(modelDir, standin);
const { make, train, validation, test, mlm } = setup;
const probe = make(0);
const d = loraTrainable(probe, rank);
const D = probe
  .namedParameters()
  .filter((p) => !p.name.startsWith('lm_head.'))
  .reduce((a, p) => a + p.variable.size, 0);
probe.dispose();
const method: Method = { kind: 'subspace', d };

const search: { learningRate: number; validation: number; test: number; finalLoss: number }[] = [];
let chosen: number | null = null;
const runs: unknown[] = [];
const spectra: unknown[] = [];
let complete = false;

function save(): void {
  const results = {
    what: `Structure or count? A random subspace with as many trainable weights as LoRA r=${String(rank)} (all six linear modules of both layers + classifier), sentiment`,
    standin,
    settings: {
      model: standin ? 'random stand-in — numbers mean nothing' : modelDir,
      modelSha256: setup.modelSha256,
      loraRank: rank,
      d,
      D,
      projection:
        "the core's sparse projection (Li et al. 2018's official recipe: per parameter tensor of n entries, each entry non-zero with probability 1/√n, ±n^¼, columns scaled to unit length), seeded by the run's seed",
      maxLen: setup.maxLen,
      trainExamples: train.n,
      validationExamples: validation.n,
      testExamples: test.n,
      steps,
      batchSize,
      epochs: (steps * batchSize) / train.n,
      learningRates,
      learningRateChoice: `the best validation accuracy of seed ${String(searchSeed)} over the candidates`,
      optimizer: 'Adam on θd, constant learning rate, no weight decay',
      searchSeed,
      seeds,
      mlm: 'masked-LM loss on the 600 validation and test sentences, 15% of words chosen (80% <mask>, 10% random, 10% kept), masking seed 0',
      backend: tf.getBackend(),
      node: process.version,
      command:
        `npx tsx scripts/precompute-lowrank-subspace.ts ${process.argv.slice(2).join(' ')}`.trim(),
    },
    started: started.toISOString(),
    wallSeconds: Math.round((performance.now() - t0) / 1000),
    complete,
    search,
    learningRate: chosen,
    runs,
    spectra,
  };
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(results, round, 1)}\n`);
}

/** A finished run's record and its ΔW spectra per linear module. */
interface Kept {
  readonly row: Record<string, unknown>;
  readonly spectra: unknown;
  readonly validation: number;
  readonly test: number;
  readonly finalLoss: number;
}

/** One run at `learningRate`, with its record and ΔW spectra. */
async function one(seed: number, learningRate: number): Promise<Kept> {
  const encoder = make(seed);
  const run = await fineTuneToEnd({
    encoder,
    train,
    validation,
    test,
    mlm,
    method,
    seed,
    steps,
    batchSize,
    learningRate,
  });
  try {
    if (!run.mlm) throw new Error('no MLM score');
    log(
      `${methodLabel(method)} lr ${String(learningRate)} seed ${String(seed)}: val ${run.accuracy.validation.toFixed(3)} test ${run.accuracy.test.toFixed(3)} loss ${run.finalLoss.toFixed(3)} mlm ${run.mlm.before.loss.toFixed(3)} → ${run.mlm.after.loss.toFixed(3)} (${(run.ms / 1000).toFixed(0)} s)`,
    );
    const { spectra: s } = await moduleSpectra(await moduleDeltas(encoder, run), seed);
    return {
      row: {
        label: methodLabel(method),
        method,
        learningRate,
        seed,
        steps: run.steps,
        trainable: run.trainable,
        all: run.all,
        finalLoss: run.finalLoss,
        seconds: run.ms / 1000,
        validation: run.accuracy.validation,
        test: run.accuracy.test,
        mlmBefore: run.mlm.before,
        mlmAfter: run.mlm.after,
      },
      spectra: { seed, modules: s },
      ...run.accuracy,
      finalLoss: run.finalLoss,
    };
  } finally {
    run.dispose();
    encoder.dispose();
  }
}

/** Records a run at the chosen rate. */
function keep(k: Kept): void {
  runs.push(k.row);
  spectra.push(k.spectra);
  save();
}

log(
  `${standin ? 'STAND-IN ' : ''}d = ${String(d)} (LoRA r=${String(rank)}) of D = ${String(D)}; train ${String(train.n)}, steps ${String(steps)}, batch ${String(batchSize)}; rates ${learningRates.join(', ')}`,
);
// The search seed's runs double as that seed's evaluation run at the chosen rate (a run is a
// function of its seeds, so rerunning it would repeat the same numbers).
const tried: Kept[] = [];
for (const lr of learningRates) {
  const k = await one(searchSeed, lr);
  tried.push(k);
  search.push({ learningRate: lr, validation: k.validation, test: k.test, finalLoss: k.finalLoss });
  save();
}
// The best validation accuracy; a tie goes to the lower final training loss.
const best = [...tried].sort((a, b) => b.validation - a.validation || a.finalLoss - b.finalLoss)[0];
if (!best) throw new Error('--lrs: no candidate');
chosen = best.row.learningRate as number;
log(`chosen learning rate ${String(chosen)} (validation ${best.validation.toFixed(3)})`);
for (const seed of seeds) keep(seed === searchSeed ? best : await one(seed, chosen));
complete = true;
save();
parseSubspaceResults(JSON.parse(readFileSync(out, 'utf8')), out); // the finished file fits the schema
log(`done: ${out}`);
