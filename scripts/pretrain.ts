/**
 * Masked-language-model pretraining of the tiny RoBERTa-style encoder (`npm run pretrain`).
 *
 * Reproduce the shipped model: run the `reproduce` command of public/models/<name>/manifest.json
 * (it lists every schedule flag, so a fresh run replays in one go the schedule the shipped run
 * followed across its stops, re-plans and its continuation; same seed ⇒ same figures on the same
 * backend). Flags:
 * --steps N --lr P --warmup W: the base schedule (warmup to P, linear decay to 5% at N);
 * --replan-at S --replan-steps M: from step S decay linearly to the floor at M (the base then ends at M);
 * --continue-to M2 --continue-lr P2 --continue-warmup W2: continue the annealed base run: re-warm
 *   over W2 steps to P2, then decay linearly to 5% of P2 at M2;
 * --continue-replans S:M,…: re-plans of the continuation (decay from step S to the floor at M);
 * --end-by HH:MM (UTC) or ISO time: add such re-plans automatically so that the run ends (annealed,
 *   exported) by then at the measured speed; they are recorded in the manifest's command;
 * --max-minutes T: stop after T minutes of this process (0 = no limit); starting again with the
 *   same flags resumes from the checkpoint (same batches, same optimiser state);
 * --batch, --seq, --vocab, --seed, --no-glove, --no-imdb, --checkpoint-minutes, --ckpt-dir, --out.
 * The schedule is scripts/lib/schedule.ts. Runs on TF.js's WASM backend (single-threaded in Node);
 * the log goes to stdout and <ckpt-dir>/pretrain.log. A checkpoint made under other schedule flags
 * is resumed only if every update so far used the rate the new flags give it.
 *
 * What it does: builds the corpus and the word vocabulary (scripts/lib/pretrain-data.ts), initialises
 * the encoder (seeded; word embeddings from GloVe where available), scores it and a plain random
 * init on fixed held-out MLM batches, trains with AdamW under that schedule on batches that
 * are a pure function of (seed, step) through the core's training loop (scripts/lib/mlm-train.ts),
 * checkpoints weights + optimiser moments every few minutes,
 * and finally writes public/models/<name>/ via scripts/lib/export.ts.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Encoder, encoderConfig } from '../src/core/models/encoder.ts';
import { Adam, decaysByConvention } from '../src/core/train/adam.ts';
import { loadRecord, saveRecord } from './lib/checkpoint.ts';
import { applyPretrainInit } from './lib/init-encoder.ts';
import { scoreGroups, type MlmScore } from './lib/mlm-eval.ts';
import { mlmTraining } from './lib/mlm-train.ts';
import type { PretrainRun, RunState } from './lib/run-state.ts';
import { buildPretrainData, trainBatch, unkRate } from './lib/pretrain-data.ts';
import {
  baseLastStep,
  checkPlan,
  lastStep,
  lrAt,
  parseReplans,
  samePast,
  type LrPlan,
} from './lib/schedule.ts';

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
    'freeze-word-embeddings': { type: 'boolean', default: false },
    'lm-head-gain': { type: 'string', default: '1' },
    'checkpoint-minutes': { type: 'string', default: '5' },
    'replan-at': { type: 'string', default: '0' },
    'replan-steps': { type: 'string', default: '0' },
    'continue-to': { type: 'string', default: '0' },
    'continue-lr': { type: 'string', default: '0' },
    'continue-warmup': { type: 'string', default: '0' },
    'continue-replans': { type: 'string', default: '' },
    'end-by': { type: 'string', default: '' },
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
const run: PretrainRun = {
  steps: num('steps'),
  /**
   * Optional re-plan of the schedule (0 = none): from step `replanAt` the learning rate decays
   * linearly from its value there to the floor at step `replanSteps`, which becomes the last step.
   * Lets a run that will not reach `steps` in time still anneal, without a jump in the rate; a
   * fresh run with the same flags follows the same schedule in one go.
   */
  replanAt: num('replan-at'),
  replanSteps: num('replan-steps'),
  /** Continuation (0 = none): re-warm to `continueLr`, decay to its floor at `continueTo` (lib/schedule.ts). */
  continueTo: num('continue-to'),
  continueLr: num('continue-lr'),
  continueWarmup: num('continue-warmup'),
  /** Re-plans of the continuation, `[at, to]` each (`--end-by` adds them automatically). */
  continueReplans: parseReplans(a['continue-replans']),
  batch: num('batch'),
  seqLen: num('seq'),
  vocabSize: num('vocab'),
  peakLr: num('lr'),
  warmup: num('warmup'),
  seed: num('seed'),
  glove: !a['no-glove'],
  /**
   * Keep the word-embedding table at its init (GloVe rows) during MLM: with the decoder tied to it,
   * every row otherwise gets a softmax gradient each step, which Adam scales to a full-size update,
   * and the GloVe geometry is overwritten (measured: cosine to the init row 0.03–0.2 after 2,000 steps).
   */
  freezeWordEmbeddings: a['freeze-word-embeddings'],
  /** Initial scale of the MLM head's LayerNorm (its output meets the small tied rows; 1 = RoBERTa's). */
  lmHeadGain: num('lm-head-gain'),
  imdb: !a['no-imdb'],
  evalPerSource: num('eval-per-source'),
};
checkPlan(run);
const maxMinutes = num('max-minutes');
/** `--end-by`: "HH:MM" (UTC, today) or an ISO time; the continuation re-plans itself to end by then. */
const endBy = ((): number => {
  const v = a['end-by'];
  if (v === '') return 0;
  const hm = /^(\d{1,2}):(\d{2})$/.exec(v);
  const t = hm
    ? new Date(
        new Date().toISOString().slice(0, 11) + `${hm[1]?.padStart(2, '0')}:${hm[2]}:00Z`,
      ).getTime()
    : Date.parse(v);
  if (!Number.isFinite(t))
    throw new Error(`--end-by: expected HH:MM (UTC) or an ISO time, got ${v}`);
  return t;
})();
const ckptDir = path.resolve(a['ckpt-dir'] ?? path.join(root, '.cache', 'pretrain', name));
const outDir = path.resolve(a.out ?? path.join(root, 'public', 'models', name));
mkdirSync(ckptDir, { recursive: true });
const logFile = path.join(ckptDir, 'pretrain.log');
const log = (s: string): void => {
  const line = `${new Date().toISOString()} ${s}`;
  console.log(line);
  appendFileSync(logFile, `${line}\n`);
};

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
const PLAN_KEYS = new Set<string>([
  'steps',
  'warmup',
  'peakLr',
  'replanAt',
  'replanSteps',
  'continueTo',
  'continueLr',
  'continueWarmup',
  'continueReplans',
]);
/** A checkpoint's plan (checkpoints made before continuations existed lack those fields). */
function planOf(r: Partial<LrPlan>): LrPlan {
  return {
    steps: r.steps ?? 0,
    warmup: r.warmup ?? 0,
    peakLr: r.peakLr ?? 0,
    replanAt: r.replanAt ?? 0,
    replanSteps: r.replanSteps ?? 0,
    continueTo: r.continueTo ?? 0,
    continueLr: r.continueLr ?? 0,
    continueWarmup: r.continueWarmup ?? 0,
    continueReplans: r.continueReplans ?? [],
  };
}
if (state) {
  // The checkpoint may be resumed under these flags if everything but the schedule is the same and
  // every update so far used the rate these flags give it (then the result equals a fresh run).
  // Runs from before a flag existed ran with its default.
  const rest = (o: object): string =>
    JSON.stringify(
      Object.entries({ freezeWordEmbeddings: false, lmHeadGain: 1, ...o })
        .filter(([k]) => !PLAN_KEYS.has(k))
        .sort(),
    );
  if (rest(state.run) !== rest(run)) {
    throw new Error(
      `${statePath} belongs to a run with other flags (${JSON.stringify(state.run)}); use another --ckpt-dir or delete it`,
    );
  }
  const old = planOf(state.run);
  const mine = JSON.stringify(run.continueReplans);
  const theirs = old.continueReplans;
  if (
    theirs.length > run.continueReplans.length &&
    JSON.stringify(theirs.slice(0, run.continueReplans.length)) === mine &&
    samePast(old, { ...planOf(run), continueReplans: theirs }, state.step)
  ) {
    run.continueReplans = theirs.map(([x, y]) => [x, y]);
    log(`adopting the checkpoint's re-plans ${JSON.stringify(run.continueReplans)}`);
  }
  if (!samePast(old, planOf(run), state.step)) {
    throw new Error(
      `${statePath}: its ${state.step} updates followed another learning-rate schedule (${JSON.stringify(old)}); use the flags of its run or another --ckpt-dir`,
    );
  }
  state.run = run;
}

const enc = new Encoder(config, { seed: run.seed });
const WORD_EMBEDDINGS = 'roberta.embeddings.word_embeddings.weight';
const params = new Map(
  enc
    .namedParameters()
    .filter((p) => !(run.freezeWordEmbeddings && p.name === WORD_EMBEDDINGS))
    .map((p) => [p.name, p.variable]),
);
const byVarName = new Map(enc.namedParameters().map((p) => [p.variable.name, p.name]));
// AdamW with RoBERTa's pretraining values (Liu et al. 2019, Table 9) except the learning rate,
// which follows the run's plan: the core's Adam with decoupled weight decay on dense weights only.
const opt = new Adam({
  learningRate: (t) => lrAt(run, t),
  beta2: 0.98,
  epsilon: 1e-6,
  weightDecay: 0.01,
  noDecay: new Set([...params].filter(([n]) => !decaysByConvention(n)).map(([, v]) => v)),
});

if (state) {
  const w = loadRecord(ckptDir, 'weights');
  const m = loadRecord(ckptDir, 'moments');
  if (!w || !m) throw new Error(`${ckptDir}: state.json without weights/moments`);
  enc.setWeights(w);
  opt.restore(m, state.step, (n) => params.get(n));
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
  const glove = await applyPretrainInit(enc, run, data.tokenizer.vocab);
  if (glove) {
    state.glove = glove;
    log(`GloVe: ${glove.wordsInitialised} of ${glove.vocabWords} vocabulary words initialised`);
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
  const m = opt.moments((v) => byVarName.get(v.name) ?? v.name);
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
const logEvery = num('log-every');
/** (time, step) at each log point of this session, for the speed estimate of `--end-by`. */
const marks: { t: number; step: number }[] = [{ t: Date.now(), step: state.step }];
/**
 * `--end-by`: fits the continuation to the deadline (less a reserve for the final scoring and
 * export) at the slower of the session's and the last 60 steps' speed. If the planned end is out of
 * reach, re-plan to decay from here (or from the end of the re-warmup) to the floor at 85% of the
 * reachable steps; if it would be reached with more than 30% of the remaining steps to spare, re-plan
 * to a later end the same way (the machine is shared, so its speed changes). A re-plan is recorded in
 * the run's flags (`--continue-replans`), so the manifest's command replays it.
 */
function maybeReplan(): void {
  const first = marks[0];
  const now = marks.at(-1);
  if (endBy <= 0 || run.continueTo <= 0 || !first || !now) return;
  if (state === undefined || state.step < baseLastStep(run) || now.step - first.step < 40) return;
  const back = marks.findLast((m) => now.step - m.step >= 60) ?? first;
  const sps = Math.max(
    (now.t - first.t) / 1000 / (now.step - first.step),
    (now.t - back.t) / 1000 / Math.max(1, now.step - back.step),
  );
  const reserve = 150;
  const left = (endBy - now.t) / 1000 - reserve;
  const end = lastStep(run);
  const reachable = left / sps;
  const remaining = end - now.step;
  const shorten = remaining > reachable;
  const lengthen = remaining < 0.7 * reachable && remaining > 100;
  if (!shorten && !lengthen) return;
  const at = Math.max(now.step, baseLastStep(run) + run.continueWarmup);
  const to = Math.max(at + 1, Math.floor(now.step + 0.85 * reachable));
  if (Math.abs(to - end) < 5) return;
  run.continueReplans.push([at, to]);
  checkPlan(run);
  log(
    `re-plan for --end-by ${new Date(endBy).toISOString()}: at ${sps.toFixed(2)} s/step, ${Math.floor(reachable)} more steps fit; decaying from step ${at} to the floor at step ${to} instead of ${end} (flags now --continue-replans ${run.continueReplans.map(([x, y]) => `${x}:${y}`).join(',')})`,
  );
}
/** Whether to take another step: the plan has steps left and `--max-minutes` has not run out. */
function goOn(st: RunState): boolean {
  const timeUp = maxMinutes > 0 && Date.now() - sessionStart > maxMinutes * 60_000;
  return st.step < lastStep(run) && !timeUp;
}
// The core's training loop (scripts/lib/mlm-train.ts): AdamW at lrAt(run, step), the rate logged
// below, on the batch of `step`, a pure function of (seed, step).
const training = mlmTraining({
  encoder: enc,
  optimizer: opt,
  variables: [...params.values()],
  batchAt: (step) => trainBatch(data, run.seed, step, run.batch, run.seqLen),
  fromStep: state.step,
});
if (goOn(state))
  for await (const { step, loss, learningRate: lr, batch: b } of training) {
    if (!Number.isFinite(loss)) throw new Error(`step ${step}: loss is ${loss}`);
    state.step = step + 1;
    state.tokensSeen += b.attentionMask.reduce((s, x) => s + x, 0);
    lossAcc += loss;
    lossN++;
    if (state.step % logEvery === 0 || state.step === lastStep(run)) {
      const avg = lossAcc / lossN;
      state.lossHistory.push({ step: state.step, loss: avg, lr });
      const sPerStep = (Date.now() - tLog) / 1000 / lossN;
      const eta = ((lastStep(run) - state.step) * sPerStep) / 60;
      log(
        `step ${state.step}/${lastStep(run)} loss ${avg.toFixed(4)} lr ${lr.toExponential(2)} ${sPerStep.toFixed(2)} s/step unk ${(100 * unkRate(b)).toFixed(1)}% tensors ${tf.memory().numTensors} eta ${eta.toFixed(1)} min`,
      );
      lossAcc = 0;
      lossN = 0;
      tLog = Date.now();
      marks.push({ t: tLog, step: state.step });
      maybeReplan();
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
    if (!goOn(state)) break;
  }
const stopped = state.step < lastStep(run); // by --max-minutes
session.toStep = state.step;
session.seconds = (Date.now() - sessionStart) / 1000;
state.wallSeconds += session.seconds;
state.scores.final = await scoreGroups(enc, data.evalSets);
await checkpoint(state);
log(
  `${stopped ? `stopped by --max-minutes at step ${state.step} of ${lastStep(run)}` : 'finished'}: held-out masked-token accuracy ${fmt(state.scores.final['held-out'])}, UCI validation ${fmt(state.scores.final['uci-validation'])}`,
);
const { exportModel } = await import('./lib/export.ts');
await exportModel({ enc, data, state, outDir, complete: state.step >= lastStep(run), log });
log(`wrote ${outDir}`);
enc.dispose();
opt.dispose();
