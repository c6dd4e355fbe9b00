/**
 * Masked-language-model pretraining of the tiny RoBERTa-style encoder (`npm run pretrain`).
 *
 * Reproduce the shipped model (its manifest.json holds this command and the figures it gives):
 *   npm run pretrain -- --steps 4000 --replan-at 1146 --replan-steps 1450
 * (the run was planned for 4,000 steps; on 2 shared cores it could not finish in time, so at step
 * 1,146 the schedule was re-planned to anneal by step 1,450 — the flags replay that in one go).
 * Flags: --steps N (planned updates; fixes the LR schedule), --replan-at S --replan-steps M (from
 * step S decay linearly to the floor at M, which becomes the last step), --max-minutes T (stop
 * after T minutes of this process, 0 = no limit; starting again with the same flags resumes from the
 * checkpoint: same batches, same optimiser state), --batch, --seq, --vocab, --lr, --warmup, --seed,
 * --no-glove, --no-imdb, --checkpoint-minutes, --ckpt-dir, --out. Runs on TF.js's WASM backend
 * (single-threaded in Node); the log goes to stdout and <ckpt-dir>/pretrain.log.
 *
 * What it does: builds the corpus and the word vocabulary (scripts/lib/pretrain-data.ts), initialises
 * the encoder (seeded; word embeddings from GloVe where available), scores it and a plain random
 * init on fixed held-out MLM batches, trains with AdamW and warmup + linear decay on batches that
 * are a pure function of (seed, step), checkpoints weights + optimiser moments every few minutes,
 * and finally writes public/models/<name>/ via scripts/lib/export.ts.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Encoder, encoderConfig, type EncoderConfig } from '../src/core/models/encoder.ts';
import { AdamW, learningRate } from './lib/adamw.ts';
import { loadRecord, saveRecord } from './lib/checkpoint.ts';
import { applyGloveInit } from './lib/init-encoder.ts';
import { scoreGroups, type MlmScore } from './lib/mlm-eval.ts';
import { buildPretrainData, trainBatch, unkRate } from './lib/pretrain-data.ts';

const { values: a } = parseArgs({
  options: {
    name: { type: 'string', default: 'tiny-roberta' },
    steps: { type: 'string', default: '3000' },
    'max-minutes': { type: 'string', default: '0' },
    batch: { type: 'string', default: '64' },
    seq: { type: 'string', default: '48' },
    vocab: { type: 'string', default: '16000' },
    lr: { type: 'string', default: '1e-3' },
    warmup: { type: 'string', default: '150' },
    seed: { type: 'string', default: '0' },
    'no-glove': { type: 'boolean', default: false },
    'no-imdb': { type: 'boolean', default: false },
    'checkpoint-minutes': { type: 'string', default: '5' },
    'replan-at': { type: 'string', default: '0' },
    'replan-steps': { type: 'string', default: '0' },
    'log-every': { type: 'string', default: '20' },
    'eval-per-source': { type: 'string', default: '256' },
    'ckpt-dir': { type: 'string' },
    out: { type: 'string' },
  },
});
const num = (k: keyof typeof a): number => {
  const v = Number(a[k]);
  if (!Number.isFinite(v)) throw new Error(`--${k}: expected a number, got ${String(a[k])}`);
  return v;
};
const root = path.resolve(import.meta.dirname, '..');
const name = a.name;
const run = {
  steps: num('steps'),
  /**
   * Optional re-plan of the schedule (0 = none): from step `replanAt` the learning rate decays
   * linearly from its value there to the floor at step `replanSteps`, which becomes the last step.
   * Lets a run that will not reach `steps` in time still anneal, without a jump in the rate; a
   * fresh run with the same flags follows the same schedule in one go.
   */
  replanAt: num('replan-at'),
  replanSteps: num('replan-steps'),
  batch: num('batch'),
  seqLen: num('seq'),
  vocabSize: num('vocab'),
  peakLr: num('lr'),
  warmup: num('warmup'),
  seed: num('seed'),
  glove: !a['no-glove'],
  imdb: !a['no-imdb'],
  evalPerSource: num('eval-per-source'),
};
const maxMinutes = num('max-minutes');
const ckptDir = path.resolve(a['ckpt-dir'] ?? path.join(root, '.cache', 'pretrain', name));
const outDir = path.resolve(a.out ?? path.join(root, 'public', 'models', name));
mkdirSync(ckptDir, { recursive: true });
const logFile = path.join(ckptDir, 'pretrain.log');
const log = (s: string): void => {
  const line = `${new Date().toISOString()} ${s}`;
  console.log(line);
  appendFileSync(logFile, `${line}\n`);
};

/** Everything saved with a checkpoint besides tensors. */
export interface RunState {
  run: typeof run;
  config: EncoderConfig;
  step: number;
  wallSeconds: number;
  tokensSeen: number;
  sessions: {
    startedAt: string;
    fromStep: number;
    toStep: number;
    seconds: number;
    host: string;
  }[];
  lossHistory: { step: number; loss: number; lr: number }[];
  scores: {
    randomInit?: Record<string, MlmScore>;
    init?: Record<string, MlmScore>;
    checkpoints: { step: number; heldOut: MlmScore }[];
    final?: Record<string, MlmScore>;
  };
  glove?: { source: string; wordsInitialised: number; vocabWords: number };
}

await tf.setBackend('wasm');
const t0 = Date.now();
log(
  `pretrain ${name}: ${JSON.stringify(run)} max-minutes ${maxMinutes} backend ${tf.getBackend()} node ${process.version}`,
);
const data = buildPretrainData(
  {
    vocabSize: run.vocabSize,
    seqLen: run.seqLen,
    seed: run.seed,
    evalPerSource: run.evalPerSource,
    useImdb: run.imdb,
  },
  log,
);
const config = encoderConfig('tiny', {
  vocabSize: data.tokenizer.size,
  maxPositionEmbeddings: run.seqLen + 2, // RoBERTa's offset: positions start at padTokenId + 1
  numLabels: 0, // the classifier is added (randomly initialised) by whoever fine-tunes
  mlmHead: true,
});
log(`data ready in ${((Date.now() - t0) / 1000).toFixed(1)} s; config ${JSON.stringify(config)}`);

const statePath = path.join(ckptDir, 'state.json');
let state: RunState | undefined = existsSync(statePath)
  ? (JSON.parse(readFileSync(statePath, 'utf8')) as RunState)
  : undefined;
const lastStep = run.replanSteps > 0 ? run.replanSteps : run.steps;
if (run.replanSteps > 0 && !(run.replanAt > run.warmup && run.replanAt < run.replanSteps)) {
  throw new Error(
    `--replan-at ${run.replanAt} must lie after the warmup and before --replan-steps ${run.replanSteps}`,
  );
}
/** The learning rate of `step` under the (possibly re-planned) schedule. */
function lrAt(step: number): number {
  if (run.replanSteps <= 0 || step < run.replanAt)
    return learningRate(step, run.steps, run.warmup, run.peakLr);
  const from = learningRate(run.replanAt, run.steps, run.warmup, run.peakLr);
  const floor = 0.05 * run.peakLr;
  const frac = Math.min(1, (step - run.replanAt) / (run.replanSteps - run.replanAt));
  return from + (floor - from) * frac;
}
if (state) {
  // A checkpoint of the same run without a re-plan may be re-planned, if it has not passed replanAt.
  const canon = (o: object): string =>
    JSON.stringify(Object.entries({ ...o, replanAt: 0, replanSteps: 0 }).sort());
  const same = canon(state.run) === canon(run);
  const oldPlan = (state.run as Partial<typeof run>).replanSteps ?? 0;
  if (same && oldPlan <= 0 && run.replanSteps > 0 && state.step <= run.replanAt) {
    state.run = run;
  }
}
if (state && JSON.stringify(state.run) !== JSON.stringify(run)) {
  throw new Error(
    `${statePath} belongs to a run with other flags (${JSON.stringify(state.run)}); use another --ckpt-dir or delete it`,
  );
}

const enc = new Encoder(config, { seed: run.seed });
const params = new Map(enc.namedParameters().map((p) => [p.name, p.variable]));
const byVarName = new Map(enc.namedParameters().map((p) => [p.variable.name, p.name]));
const opt = new AdamW();

if (state) {
  const w = loadRecord(ckptDir, 'weights');
  const m = loadRecord(ckptDir, 'moments');
  if (!w || !m) throw new Error(`${ckptDir}: state.json without weights/moments`);
  enc.setWeights(w);
  opt.restore(m, state.step);
  tf.dispose([...Object.values(w), ...Object.values(m)]);
  log(`resumed at step ${state.step} (${state.wallSeconds.toFixed(0)} s of earlier training)`);
} else {
  state = {
    run,
    config,
    step: 0,
    wallSeconds: 0,
    tokensSeen: 0,
    sessions: [],
    lossHistory: [],
    scores: { checkpoints: [] },
  };
  state.scores.randomInit = await scoreGroups(enc, data.evalSets);
  log(`random init: held-out masked-token accuracy ${fmt(state.scores.randomInit['held-out'])}`);
  if (run.glove) {
    state.glove = await applyGloveInit(enc, data.tokenizer.vocab, run.seed);
    log(
      `GloVe: ${state.glove.wordsInitialised} of ${state.glove.vocabWords} vocabulary words initialised`,
    );
  }
  state.scores.init = await scoreGroups(enc, data.evalSets);
  log(`init: held-out masked-token accuracy ${fmt(state.scores.init['held-out'])}`);
}

function fmt(s: MlmScore | undefined): string {
  return s
    ? `${(100 * s.accuracy).toFixed(2)}% loss ${s.loss.toFixed(3)} (${s.positions} positions)`
    : 'n/a';
}

async function checkpoint(st: RunState): Promise<void> {
  const w = enc.getWeights();
  const m = opt.moments();
  await saveRecord(ckptDir, 'weights', w);
  await saveRecord(ckptDir, 'moments', m);
  tf.dispose([...Object.values(w), ...Object.values(m)]);
  writeFileSync(`${statePath}.tmp`, JSON.stringify(st));
  const { renameSync } = await import('node:fs');
  renameSync(`${statePath}.tmp`, statePath);
}

const sessionStart = Date.now();
const session = {
  startedAt: new Date().toISOString(),
  fromStep: state.step,
  toStep: state.step,
  seconds: 0,
  host: `${os.hostname()} ${os.cpus().length} cpus`,
};
state.sessions.push(session);
let lastCkpt = Date.now();
let lossAcc = 0;
let lossN = 0;
let tLog = Date.now();
let stopped = false;
const logEvery = num('log-every');
while (state.step < lastStep) {
  if (maxMinutes > 0 && Date.now() - sessionStart > maxMinutes * 60_000) {
    stopped = true;
    break;
  }
  const step = state.step;
  const b = trainBatch(data, run.seed, step, run.batch, run.seqLen);
  const lr = lrAt(step);
  const ids = tf.tensor2d(b.inputIds, [b.batch, b.maxLen], 'int32');
  const mask = tf.tensor2d(b.attentionMask, [b.batch, b.maxLen], 'int32');
  const pos = tf.tensor1d(b.maskedPositions, 'int32');
  const labels = tf.tensor1d(b.maskedLabels, 'int32');
  // No dropout: well under one epoch, nothing to regularise (as in Geiping & Goldstein 2023, "Cramming").
  const { value, grads } = tf.variableGrads(
    () => enc.mlmLoss(ids, mask, pos, labels, { training: false }),
    [...params.values()],
  );
  const named: Record<string, tf.Tensor> = {};
  for (const [vn, g] of Object.entries(grads)) named[byVarName.get(vn) ?? vn] = g;
  opt.apply(params, named, lr);
  const loss = (await value.data())[0] ?? NaN;
  tf.dispose([value, ...Object.values(grads), ids, mask, pos, labels]);
  if (!Number.isFinite(loss)) throw new Error(`step ${step}: loss is ${loss}`);
  state.step = step + 1;
  state.tokensSeen += b.attentionMask.reduce((s, x) => s + x, 0);
  lossAcc += loss;
  lossN++;
  if (state.step % logEvery === 0 || state.step === lastStep) {
    const avg = lossAcc / lossN;
    state.lossHistory.push({ step: state.step, loss: avg, lr });
    const sPerStep = (Date.now() - tLog) / 1000 / lossN;
    const eta = ((lastStep - state.step) * sPerStep) / 60;
    log(
      `step ${state.step}/${lastStep} loss ${avg.toFixed(4)} lr ${lr.toExponential(2)} ${sPerStep.toFixed(2)} s/step unk ${(100 * unkRate(b)).toFixed(1)}% tensors ${tf.memory().numTensors} eta ${eta.toFixed(1)} min`,
    );
    lossAcc = 0;
    lossN = 0;
    tLog = Date.now();
  }
  if (Date.now() - lastCkpt > num('checkpoint-minutes') * 60_000) {
    session.toStep = state.step;
    session.seconds = (Date.now() - sessionStart) / 1000;
    const wall = state.wallSeconds;
    state.wallSeconds = wall + session.seconds;
    const held = (
      await scoreGroups(enc, new Map([...data.evalSets].filter(([k]) => k !== 'uci-validation')))
    )['held-out'];
    if (held) state.scores.checkpoints.push({ step: state.step, heldOut: held });
    await checkpoint(state);
    state.wallSeconds = wall;
    lastCkpt = Date.now();
    log(`checkpoint at step ${state.step}: held-out masked-token accuracy ${fmt(held)}`);
  }
}
session.toStep = state.step;
session.seconds = (Date.now() - sessionStart) / 1000;
state.wallSeconds += session.seconds;
state.scores.final = await scoreGroups(enc, data.evalSets);
await checkpoint(state);
log(
  `${stopped ? `stopped by --max-minutes at step ${state.step} of ${lastStep}` : 'finished'}: held-out masked-token accuracy ${fmt(state.scores.final['held-out'])}, UCI validation ${fmt(state.scores.final['uci-validation'])}`,
);
const { exportModel } = await import('./lib/export.ts');
await exportModel({ enc, data, state, outDir, complete: state.step >= lastStep, log });
log(`wrote ${outDir}`);
enc.dispose();
opt.dispose();
