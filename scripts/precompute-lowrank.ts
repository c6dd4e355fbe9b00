/**
 * Precomputes the low-rank lesson ("Is the update really low-rank?") with the same code the
 * lesson's cells run (src/experiments/lowrank/): the shipped pretrained tiny encoder
 * (`public/models/tiny-roberta/`) fine-tuned on the sentiment split (`public/data/sentiment.json`)
 *
 * - in full, over several seeds: the singular values of ΔW = W_after − W_before of each of the
 *   twelve linear modules against a Gaussian matrix of the same shape and norm, where the squared
 *   update went (word embeddings, linears, …), and validation/test accuracy with every linear's ΔW
 *   cut to rank r;
 * - with LoRA on all six linear modules of both layers at each rank of `--lora-ranks` (the first
 *   over every seed, the others over `--overlap-seeds`): accuracy, the overlap φ of the update
 *   subspaces between ranks and between seeds (Hu et al. 2021 §7.2), and the amplification factor
 *   (§7.3);
 * - and for every run the masked-LM loss of the encoder on the test and validation sentences before
 *   and after fine-tuning (forgetting, Biderman et al. 2024).
 *
 * Writes `public/results/lowrank/sentiment.json` (rewritten after every run), on the TF.js WASM
 * backend in Node.
 *
 *   npx tsx scripts/precompute-lowrank.ts [--seeds 0,1,2] [--steps 150] [--batch 32]
 *     [--full-lr 3e-4] [--lora-lr 3e-3] [--lora-ranks 8,64] [--lora-alpha 16] [--overlap-seeds 0,1] [--out path]
 *     [--standin]
 *
 * The learning rates default to those the adapter-placement lesson chose on the validation split
 * (full fine-tuning 3e-4, LoRA on all six modules at r = 8 3e-3). LoRA's α is the same at every
 * rank (default 2 × the first rank: scaling 2 at r = 8); with α = 2r, r = 64 diverged at 3e-3. `--standin` (no model needed, for
 * checking the code) uses a random micro encoder and writes to /tmp unless `--out` says otherwise;
 * its numbers mean nothing.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { Rng } from '../src/core/rng.ts';
import {
  amplification,
  fineTuneToEnd,
  methodLabel,
  moduleDeltas,
  moduleSpectra,
  overlapGrid,
  parseLowRankResults,
  singularValues,
  truncationSweep,
  updateBreakdown,
  type FineTuned,
  type Method,
  type Svd,
} from '../src/experiments/lowrank/index.ts';
import { nums } from './lib/cli.ts';
import { lowRankSetup } from './lib/lowrank-setup.ts';

const { values: flags } = parseArgs({
  options: {
    batch: { type: 'string' },
    'full-lr': { type: 'string' },
    'lora-alpha': { type: 'string' },
    'lora-lr': { type: 'string' },
    'lora-ranks': { type: 'string' },
    model: { type: 'string' },
    out: { type: 'string' },
    'overlap-seeds': { type: 'string' },
    seeds: { type: 'string' },
    steps: { type: 'string' },
    standin: { type: 'boolean', default: false },
  },
});
const arg = (name: Exclude<keyof typeof flags, 'standin'>, fallback: string): string =>
  flags[name] ?? fallback;

const standin = flags.standin;
const seeds = nums(arg('seeds', standin ? '0' : '0,1,2'));
const steps = Number(arg('steps', standin ? '4' : '150'));
const batchSize = Number(arg('batch', '32'));
const fullLearningRate = Number(arg('full-lr', '3e-4'));
const loraLearningRate = Number(arg('lora-lr', '3e-3'));
const loraRanks = nums(arg('lora-ranks', standin ? '2,4' : '8,64'));
/** LoRA's α at every rank (scaling α/r): 2 × the first rank, as Hu et al. fix α at the first r they try. */
const loraAlpha = Number(arg('lora-alpha', String(2 * (loraRanks[0] ?? 8))));
const overlapSeeds = nums(arg('overlap-seeds', standin ? '0' : '0,1'));
const out = arg(
  'out',
  standin ? '/tmp/lowrank-standin.json' : 'public/results/lowrank/sentiment.json',
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

const { config, make, modelSha256, maxLen, train, validation, test, mlm } = await lowRankSetup(
  modelDir,
  standin,
);
const truncationRanks = [0, 1, 2, 4, 8, 16, 32, 64, config.hiddenSize].filter(
  (r, i, a) => r <= config.hiddenSize && a.indexOf(r) === i,
);

const runs: unknown[] = [];
const spectra: unknown[] = [];
const groups: unknown[] = [];
const truncation: unknown[] = [];
const overlap: unknown[] = [];
const amplificationRows: unknown[] = [];
/** The SVDs of each kept run's ΔW per module (for overlap), and its W and ΔW (amplification). */
const kept = new Map<
  string,
  { svds: Map<string, Svd>; deltas: Awaited<ReturnType<typeof moduleDeltas>> }
>();
let complete = false;

function summary(): unknown {
  return {
    what: "Is the update really low-rank? ΔW of full fine-tuning and LoRA on the site's pretrained tiny encoder, sentiment",
    standin,
    settings: {
      model: standin ? 'random stand-in — numbers mean nothing' : modelDir,
      modelSha256,
      config,
      maxLen,
      trainExamples: train.n,
      validationExamples: validation.n,
      testExamples: test.n,
      steps,
      batchSize,
      epochs: (steps * batchSize) / train.n,
      fullLearningRate,
      loraLearningRate,
      learningRateChoice:
        "the adapter-placement lesson's validation search (results/placement/sentiment.json, 80 steps): full 3e-4, LoRA r=8 on all modules 3e-3",
      optimizer: 'Adam, constant learning rate, no weight decay',
      loraAlpha,
      loraAlphaNote: `α = ${String(loraAlpha)} at every rank (scaling α/r), as Hu et al. (2021) fix α at the first r they try; with α = 2r (scaling 2), r = 64 diverged at this learning rate. LoRA on all six linear modules of both layers, classifier trained (modulesToSave)`,
      dropout: 0,
      seeds,
      loraRanks,
      overlapSeeds,
      truncationRanks,
      mlm: 'masked-LM loss on the 600 validation and test sentences, 15% of words chosen (80% <mask>, 10% random, 10% kept), masking seed 0',
      effectiveRank:
        'Roy & Vetterli (2007): exp of the entropy of the singular values normalised to sum 1',
      randomMatrix: 'i.i.d. Gaussian, same shape, scaled to the same Frobenius norm',
      backend: tf.getBackend(),
      node: process.version,
      command: `npx tsx scripts/precompute-lowrank.ts ${process.argv.slice(2).join(' ')}`.trim(),
    },
    started: started.toISOString(),
    wallSeconds: Math.round((performance.now() - t0) / 1000),
    complete,
    runs,
    spectra,
    groups,
    truncation,
    overlap,
    amplification: amplificationRows,
  };
}

function save(): void {
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(summary(), round, 1)}\n`);
}

async function one(method: Method, seed: number, keep: boolean, analyse: boolean): Promise<void> {
  const encoder = make(seed);
  let run: FineTuned | null = null;
  try {
    run = await fineTuneToEnd({
      encoder,
      train,
      validation,
      test,
      mlm,
      method,
      seed,
      steps,
      batchSize,
      learningRate: method.kind === 'full' ? fullLearningRate : loraLearningRate,
      loraAlpha,
    });
    const label = methodLabel(method);
    if (!run.mlm) throw new Error('no MLM score');
    runs.push({
      label,
      method,
      ...(method.kind === 'lora' ? { loraAlpha } : {}),
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
    });
    log(
      `${label} seed ${String(seed)}: val ${run.accuracy.validation.toFixed(3)} test ${run.accuracy.test.toFixed(3)} mlm ${run.mlm.before.loss.toFixed(3)} → ${run.mlm.after.loss.toFixed(3)} (${(run.ms / 1000).toFixed(0)} s)`,
    );
    if (!keep && !analyse) return;
    const deltas = await moduleDeltas(encoder, run);
    const { spectra: s, svds } = await moduleSpectra(deltas, seed);
    if (keep) kept.set(`${label} seed ${String(seed)}`, { svds, deltas });
    if (analyse) {
      spectra.push({ seed, modules: s });
      groups.push({ seed, ...(await updateBreakdown(encoder, run)) });
      const points = await truncationSweep({
        encoder,
        run,
        deltas,
        svds,
        ranks: truncationRanks,
        rest: ['tuned', 'pretrained'],
        validation,
        test,
      });
      truncation.push({ seed, points });
      log(
        `truncation seed ${String(seed)}: ${points.map((p) => `${p.rest[0] ?? ''}${String(p.r)}:${p.test.toFixed(3)}`).join(' ')}`,
      );
    }
  } finally {
    run?.dispose();
    encoder.dispose();
    save();
  }
}

log(
  `${standin ? 'STAND-IN ' : ''}train ${String(train.n)}, validation ${String(validation.n)}, test ${String(test.n)}, steps ${String(steps)}, batch ${String(batchSize)}`,
);
const [firstRank = 8] = loraRanks;
for (const seed of seeds) {
  await one({ kind: 'full' }, seed, overlapSeeds.includes(seed), true);
  await one({ kind: 'lora', r: firstRank }, seed, overlapSeeds.includes(seed), false);
}
for (const r of loraRanks.slice(1))
  for (const seed of overlapSeeds) await one({ kind: 'lora', r }, seed, true, false);

// Subspace overlap: the first LoRA rank against each other rank (same seed), across seeds, and
// full fine-tuning against LoRA (same seed).
const name = (m: Method, seed: number): string => `${methodLabel(m)} seed ${String(seed)}`;
const pairs: [string, string][] = [];
const [s0 = 0, s1] = overlapSeeds;
for (const r of loraRanks.slice(1))
  pairs.push([name({ kind: 'lora', r: firstRank }, s0), name({ kind: 'lora', r }, s0)]);
if (s1 !== undefined)
  pairs.push([name({ kind: 'lora', r: firstRank }, s0), name({ kind: 'lora', r: firstRank }, s1)]);
pairs.push([name({ kind: 'lora', r: firstRank }, s0), name({ kind: 'full' }, s0)]);
if (s1 !== undefined) pairs.push([name({ kind: 'full' }, s0), name({ kind: 'full' }, s1)]);
const rankOf = (label: string): number => {
  const m = /LoRA r=(\d+)/.exec(label);
  return m ? Number(m[1]) : config.hiddenSize;
};
for (const [a, b] of pairs) {
  const A = kept.get(a);
  const B = kept.get(b);
  if (!A || !B) continue;
  const is = Array.from({ length: Math.min(rankOf(a), 8) }, (_, k) => k + 1);
  const js = [1, 2, 4, 8, 16, 32, 64].filter((j) => j <= Math.min(rankOf(b), config.hiddenSize));
  const modules = [...A.svds.entries()].map(([module, sa]) => {
    const sb = B.svds.get(module);
    if (!sb) throw new Error(`no ${module} in ${b}`);
    return { module, d: sa.U.rows, phi: overlapGrid(sa, sb, is, js) };
  });
  overlap.push({ a, b, i: is, j: js, modules });
}

// Amplification factor per kept run and module.
const rng = new Rng(0).fork('amplification');
for (const [label, { svds, deltas }] of kept) {
  if (!label.endsWith(`seed ${String(s0)}`)) continue;
  const rs = label.startsWith('LoRA') ? [rankOf(label)] : [1, 4, 8, 64];
  for (const d of deltas) {
    const dw = svds.get(d.module.weight);
    const w = await singularValues(d.W);
    for (const r of rs) {
      if (r > Math.min(d.W.rows, d.W.cols)) continue;
      const a = await amplification(d.W, d.dW, r, rng, { wValues: w, ...(dw ? { dw } : {}) });
      amplificationRows.push({
        run: label,
        module: d.module.module,
        weightNorm: Math.sqrt(w.reduce((x, v) => x + v * v, 0)),
        ...a,
      });
    }
  }
}
complete = true;
save();
parseLowRankResults(JSON.parse(readFileSync(out, 'utf8')), out); // the finished file fits the schema
log(`done: ${out}`);
