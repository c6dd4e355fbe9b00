/**
 * Precomputes the adapter-placement lesson's experiment (which modules, which layers, which rank)
 * with the same core the lesson's cells run: the shipped pretrained tiny encoder
 * (`public/models/tiny-roberta/`) fine-tuned on the sentiment split (`public/data/sentiment.json`)
 * with the classifier only; LoRA on each single linear module of every layer and on all of them;
 * all modules on the upper and on the lower half of the layers; all modules at several ranks; and
 * full fine-tuning — over several seeds, on the TF.js WASM backend in Node. Writes
 * `public/results/placement/sentiment.json` (rewritten after every run, so a stopped job keeps the
 * points it finished; seeds are the outer loop, so every setting gets its first seed early).
 *
 *   npx tsx scripts/precompute-placement.ts [--seeds 0,1] [--steps 80] [--batch 32]
 *     [--lr-search 1e-3,3e-3,1e-2] [--head-lr-search 3e-3,1e-2,3e-2] [--full-lr-search 3e-4,1e-3]
 *     [--ranks 1,2,4,8,16] [--out path] [--standin]
 *
 * Learning rates are chosen first, on the VALIDATION split (seed 0, the same steps), one per kind:
 * LoRA (on all modules of all layers at r = 8), the classifier alone, and full fine-tuning; the
 * grid then runs with them and reports TEST accuracy. `--lr 3e-3 --head-lr 1e-2 --full-lr 1e-3`
 * skip the search and fix the rates instead. The search's table is saved with the results.
 *
 * On a shared machine: nice -n 19 nohup npx tsx scripts/precompute-placement.ts > /work/placement.log 2>&1 &
 * Seeds can run as separate processes (`--seeds 1 --out a.json`), then be joined:
 *   npx tsx scripts/precompute-placement.ts --merge main.json,a.json [--out main.json]
 * (runs are keyed by setting and seed; the first file's settings are kept, the seeds are the union).
 * `--standin` (no model needed, for checking the code) uses a random micro encoder and writes to
 * /tmp unless `--out` says otherwise; its numbers mean nothing (`--preset tiny`: the shipped model's
 * shape, random weights, to time a budget).
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { meanSd } from '../src/core/stats.ts';
import {
  placementGrid,
  placementRunToEnd,
  settingLabel,
  type PlacementRunResult,
  parsePlacementResults,
} from '../src/experiments/placement/index.ts';
import { pretrainedStart } from '../src/core/data/pretrained.ts';
import { parseSentimentJson } from '../src/core/data/sentiment.ts';
import { encodeSet, tokenizerFromExamples } from '../src/core/data/tasks.ts';
import { Encoder, encoderConfig, type EncoderConfig } from '../src/core/models/encoder.ts';
import type { WordTokenizer } from '../src/core/data/tokenizer.ts';
import { parseArgs } from 'node:util';
import { nums } from './lib/cli.ts';
import { directorySite, modelFolder } from '../src/cells/kit/site-node.ts';

/** The command line (node:util's parseArgs: an unknown or misspelt flag is an error). */
const { values: flags } = parseArgs({
  options: {
    batch: { type: 'string' },
    'full-lr': { type: 'string' },
    'full-lr-search': { type: 'string' },
    'head-lr': { type: 'string' },
    'head-lr-search': { type: 'string' },
    lr: { type: 'string' },
    'lr-search': { type: 'string' },
    merge: { type: 'string' },
    model: { type: 'string' },
    out: { type: 'string' },
    preset: { type: 'string' },
    ranks: { type: 'string' },
    seeds: { type: 'string' },
    steps: { type: 'string' },
    standin: { type: 'boolean', default: false },
  },
});
/** Flag `name`'s value, or `fallback` when it is not given. */
const arg = (name: Exclude<keyof typeof flags, 'standin'>, fallback: string): string =>
  flags[name] ?? fallback;

const standin = flags.standin;
const seeds = nums(arg('seeds', standin ? '0' : '0,1'));
const steps = Number(arg('steps', standin ? '4' : '80'));
const batchSize = Number(arg('batch', '32'));
/** Candidate learning rates per kind (a fixed `--lr`/`--head-lr`/`--full-lr` skips the search). */
const candidates = {
  lora: nums(arg('lr', '') || arg('lr-search', standin ? '3e-3' : '1e-3,3e-3,1e-2')),
  classifier: nums(
    arg('head-lr', '') || arg('head-lr-search', standin ? '1e-2' : '3e-3,1e-2,3e-2'),
  ),
  full: nums(arg('full-lr', '') || arg('full-lr-search', standin ? '1e-3' : '3e-4,1e-3')),
};
const ranks = nums(arg('ranks', '1,2,4,8,16'));
const out = arg(
  'out',
  standin ? '/tmp/placement-standin.json' : 'public/results/placement/sentiment.json',
);
const modelDir = arg('model', 'public/models/tiny-roberta');
const started = new Date();
const t0 = performance.now();
const log = (s: string): void => {
  console.log(`[${((performance.now() - t0) / 1000).toFixed(0)} s] ${s}`);
};

/** Mean ± sd per setting of the grid, from every run so far. */
function points(runs: readonly PlacementRunResult[]): unknown[] {
  return placementGrid(ranks, 8).map((s) => {
    const label = settingLabel(s);
    const mine = runs.filter((r) => r.label === label);
    const acc = meanSd(mine.map((r) => r.accuracy));
    return {
      label,
      setting: s,
      percent: mine[0]?.percent ?? null,
      trainable: mine[0]?.trainable ?? null,
      n: acc.n,
      mean: acc.n > 0 ? acc.mean : null,
      sd: acc.n > 0 ? acc.sd : null,
      seeds: mine.map((r) => r.seed),
      accuracies: mine.map((r) => r.accuracy),
    };
  });
}

const mergeArg = arg('merge', '');
if (mergeArg !== '') {
  interface Saved {
    settings: { seeds: number[]; steps: number; learningRate: number; fullLearningRate: number };
    runs: PlacementRunResult[];
    standin: boolean;
  }
  const files = mergeArg.split(',').map((f) => JSON.parse(readFileSync(f, 'utf8')) as Saved);
  const [first] = files;
  if (!first) throw new Error('--merge: no file');
  for (const f of files) {
    const a = f.settings;
    const b = first.settings;
    if (a.steps !== b.steps || a.learningRate !== b.learningRate || f.standin !== first.standin)
      throw new Error('--merge: files were made with different settings');
  }
  const seen = new Set<string>();
  const runs = files
    .flatMap((f) => f.runs)
    .filter((r) => {
      const k = `${r.label}|${String(r.seed)}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
  const seedsSeen = [...new Set(runs.map((r) => r.seed))].sort((x, y) => x - y);
  const target = arg('out', mergeArg.split(',')[0] ?? '');
  const grid = placementGrid(ranks, 8);
  writeFileSync(
    target,
    `${JSON.stringify(
      {
        ...first,
        settings: { ...first.settings, seeds: seedsSeen },
        merged: mergeArg.split(','),
        complete: grid.every((g) =>
          seedsSeen.every((sd) => seen.has(`${settingLabel(g)}|${String(sd)}`)),
        ),
        points: points(runs),
        runs,
      },
      null,
      1,
    )}\n`,
  );
  console.log(`merged ${String(runs.length)} runs (seeds ${seedsSeen.join(',')}) into ${target}`);
  process.exit(0);
}

await tf.setBackend('wasm');
await tf.ready();

const split = parseSentimentJson(await directorySite().json('data/sentiment.json'));
const noDropout = { numLabels: 2, mlmHead: false, hiddenDropoutProb: 0, attentionDropoutProb: 0 };
let tokenizer: WordTokenizer;
let config: EncoderConfig;
let make: (seed: number) => Encoder;
/** SHA-256 of the weights these results are made with (null for the stand-in). */
let modelSha256: string | null = null;
if (standin) {
  tokenizer = tokenizerFromExamples(split.train, 2000);
  // --preset tiny gives the shipped model's shape (for timing a budget before the weights exist).
  const preset = arg('preset', 'micro') === 'tiny' ? 'tiny' : 'micro';
  config = encoderConfig(preset, {
    ...noDropout,
    vocabSize: tokenizer.size,
    maxPositionEmbeddings: preset === 'tiny' ? 50 : 34,
  });
  const cfg = config;
  make = (seed) => new Encoder(cfg, { seed: 5000 + seed });
} else {
  // Read and checked against its manifest as the lesson's page reads it (src/cells/kit/site.ts).
  const files = await modelFolder(modelDir);
  modelSha256 = files.sha256;
  // The seed also seeds the new classifier head.
  ({ tokenizer, config, encoder: make } = pretrainedStart(files, noDropout));
}
const maxLen = Math.min(48, config.maxPositionEmbeddings - config.padTokenId - 1);
const train = encodeSet(tokenizer, split.train, 'sentiment', maxLen);
const test = encodeSet(tokenizer, split.test, 'sentiment', maxLen);
const validation = encodeSet(tokenizer, split.validation, 'sentiment', maxLen);
const grid = placementGrid(ranks, 8);
const runs: PlacementRunResult[] = [];
/** The learning-rate search: validation accuracy per kind and candidate (seed 0). */
const lrSearch: { kind: string; setting: string; learningRate: number; validation: number }[] = [];
const chosen: Record<'lora' | 'classifier' | 'full', number> = { lora: 0, classifier: 0, full: 0 };
const rateOf = (kind: PlacementRunResult['setting']['kind']): number => chosen[kind];

function summary(): unknown {
  return {
    what: "Which modules, which layers, which rank (Kamp, Dive Into LoRA Adapters, part 2) at this site's scale: sentiment, pretrained tiny encoder",
    standin,
    settings: {
      model: standin ? 'random stand-in — numbers mean nothing' : modelDir,
      /** sha256 of the weights these results were made with (null for the stand-in). */
      modelSha256,
      config,
      maxLen,
      trainExamples: train.n,
      testExamples: test.n,
      steps,
      batchSize,
      epochs: (steps * batchSize) / train.n,
      learningRate: chosen.lora,
      classifierLearningRate: chosen.classifier,
      fullLearningRate: chosen.full,
      learningRateChoice:
        'per kind, the candidate with the best validation accuracy (seed 0, same steps); see lrSearch',
      classifierPooling: config.classifierPooling ?? 'first',
      loraAlpha: '2·r (scaling 2 at every rank)',
      dropout: 0,
      seeds,
      backend: tf.getBackend(),
      node: process.version,
      command: `npx tsx scripts/precompute-placement.ts ${process.argv.slice(2).join(' ')}`.trim(),
    },
    started: started.toISOString(),
    wallSeconds: Math.round((performance.now() - t0) / 1000),
    lrSearch,
    complete: runs.length === grid.length * seeds.length,
    points: points(runs),
    runs,
  };
}

log(
  `${standin ? 'STAND-IN ' : ''}train ${train.n}, test ${test.n}, maxLen ${maxLen}, steps ${steps}, batch ${batchSize}, ${grid.length} settings × ${seeds.length} seeds`,
);
// 1. One learning rate per kind, chosen on the validation split.
const representative = {
  lora: grid.find(
    (g) => g.kind === 'lora' && g.modules.length === 6 && g.layers === 'all' && g.r === 8,
  ),
  classifier: grid.find((g) => g.kind === 'classifier'),
  full: grid.find((g) => g.kind === 'full'),
};
for (const kind of ['classifier', 'lora', 'full'] as const) {
  const setting = representative[kind];
  if (!setting) throw new Error(`no ${kind} setting in the grid`);
  let best = { lr: candidates[kind][0] ?? Number.NaN, acc: -1 };
  for (const lr of candidates[kind]) {
    if (candidates[kind].length === 1) break;
    const encoder = make(0);
    try {
      const r = await placementRunToEnd({
        encoder,
        train,
        test: validation,
        setting,
        seed: 0,
        steps,
        batchSize,
        learningRate: lr,
      });
      lrSearch.push({ kind, setting: r.label, learningRate: lr, validation: r.accuracy });
      log(`lr search ${kind} ${String(lr)}: validation ${r.accuracy.toFixed(4)}`);
      if (r.accuracy > best.acc) best = { lr, acc: r.accuracy };
    } finally {
      encoder.dispose();
    }
  }
  chosen[kind] = best.lr;
  log(`learning rate for ${kind}: ${String(best.lr)}`);
}

// 2. The grid, on the test split.
for (const seed of seeds) {
  for (const setting of grid) {
    const encoder = make(seed);
    try {
      const r = await placementRunToEnd({
        encoder,
        train,
        test,
        setting,
        seed,
        steps,
        batchSize,
        learningRate: rateOf(setting.kind),
      });
      runs.push(r);
      log(
        `${r.label}, seed ${seed}: acc ${r.accuracy.toFixed(4)} (${r.percent.toFixed(3)}% trainable) loss ${r.finalLoss.toFixed(3)} in ${(r.ms / 1000).toFixed(1)} s (tensors ${tf.memory().numTensors})`,
      );
    } finally {
      encoder.dispose();
    }
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, `${JSON.stringify(summary(), null, 1)}\n`);
  }
}
parsePlacementResults(summary(), out); // the finished file fits the lesson's schema
log(`done: ${out}`);
