/**
 * Masked-language-model pretraining with PyTorch doing the arithmetic (`npm run pretrain:torch`).
 *
 * Why: TF.js runs single-threaded in Node here (~26 GFLOP/s on a 1024² matmul), while PyTorch on
 * the same two cores uses both with oneDNN/OpenBLAS; BENCHMARKS.md ("Pretraining step") has the
 * side-by-side measurement. Everything except the training loop stays in the project's own code:
 *
 * 1. this script builds the corpus, vocabulary and held-out batches (scripts/lib/pretrain-data.ts),
 *    and the initial weights with the core's `Encoder` (seeded; GloVe rows; MLM head gain), and
 *    writes them to `<ckpt-dir>/bundle/`;
 * 2. `scripts/torch/pretrain.py` (Debian's python3-torch, run by /usr/bin/python3) trains, with
 *    resumable checkpoints, and writes `final.safetensors` and `state.json`;
 * 3. this script loads the result into the core's `Encoder`, scores it on the same held-out
 *    batches as `npm run pretrain` does, and writes `public/models/<name>/` (scripts/lib/export.ts).
 *
 * The PyTorch model mirrors src/core/models/encoder.ts; test/core/models/torch-parity.test.ts checks
 * on a committed fixture (made by scripts/torch/parity.py) that both give the same outputs.
 * Rerunning the same command resumes an interrupted run (exit code 3 means "stopped by
 * --max-minutes; run again"). `--keep-at N,…` also keeps the weights at those steps (mid-schedule
 * snapshots, for a curve against tokens seen); the same command with `--export-step N` exports that
 * snapshot instead of training (its manifest says it is one). Flags: see `options` below.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { Encoder, encoderConfig } from '../src/core/models/encoder.ts';
import { encoderFromHf, encoderToHf } from '../src/core/io/hf-encoder.ts';
import { tensorsToSafetensors } from '../src/core/io/safetensors.ts';
import { applyPretrainInit } from './lib/init-encoder.ts';
import { scoreGroups, type MlmScore } from './lib/mlm-eval.ts';
import type { RunState } from './lib/run-state.ts';
import { buildPretrainData } from './lib/pretrain-data.ts';

const { values: a } = parseArgs({
  options: {
    name: { type: 'string', default: 'tiny-roberta' },
    steps: { type: 'string', default: '20000' },
    batch: { type: 'string', default: '128' },
    seq: { type: 'string', default: '48' },
    vocab: { type: 'string', default: '16000' },
    hidden: { type: 'string', default: '128' },
    layers: { type: 'string', default: '2' },
    heads: { type: 'string', default: '4' },
    intermediate: { type: 'string', default: '' },
    lr: { type: 'string', default: '1e-3' },
    warmup: { type: 'string', default: '500' },
    clip: { type: 'string', default: '1' },
    seed: { type: 'string', default: '0' },
    'freeze-word-embeddings': { type: 'boolean', default: false },
    'lm-head-gain': { type: 'string', default: '1' },
    'no-glove': { type: 'boolean', default: false },
    'eval-per-source': { type: 'string', default: '256' },
    'max-minutes': { type: 'string', default: '0' },
    /** UTC "YYYY-MM-DDTHH:MM": re-plan the decay so that training ends by then (recorded as --replans). */
    'end-by': { type: 'string', default: '' },
    /** Decay re-plans "at:to,…" (replays an --end-by run; the manifest's command carries them). */
    replans: { type: 'string', default: '' },
    'checkpoint-minutes': { type: 'string', default: '10' },
    /** Steps "N,…" at which to keep a snapshot of the weights (step-N.safetensors). */
    'keep-at': { type: 'string', default: '' },
    /** Export the snapshot kept at this step instead of training (0 = train, export the end). */
    'export-step': { type: 'string', default: '0' },
    threads: { type: 'string', default: String(os.availableParallelism()) },
    bench: { type: 'string', default: '0' },
    python: { type: 'string', default: '/usr/bin/python3' },
    'ckpt-dir': { type: 'string' },
    out: { type: 'string' },
  },
});
const num = (k: keyof typeof a): number => {
  const v = Number(a[k]);
  if (a[k] === '' || !Number.isFinite(v))
    throw new Error(`--${k}: expected a number, got ${String(a[k])}`);
  return v;
};
const root = path.resolve(import.meta.dirname, '..');
const name = a.name;
const ckptDir = path.resolve(a['ckpt-dir'] ?? path.join(root, '.cache', 'pretrain-torch', name));
const outDir = path.resolve(a.out ?? path.join(root, 'public', 'models', name));
const bundle = path.join(ckptDir, 'bundle');
mkdirSync(bundle, { recursive: true });
const log = (s: string): void => {
  console.log(`${new Date().toISOString()} ${s}`);
};

const run = {
  steps: num('steps'),
  batch: num('batch'),
  seqLen: num('seq'),
  vocabSize: num('vocab'),
  peakLr: num('lr'),
  warmup: num('warmup'),
  clip: num('clip'),
  seed: num('seed'),
  glove: !a['no-glove'],
  imdb: true,
  freezeWordEmbeddings: a['freeze-word-embeddings'],
  lmHeadGain: num('lm-head-gain'),
  evalPerSource: num('eval-per-source'),
  replanAt: 0,
  replanSteps: 0,
  continueTo: 0,
  continueLr: 0,
  continueWarmup: 0,
  continueReplans: [] as [number, number][],
};
const hidden = num('hidden');
const shape = {
  hiddenSize: hidden,
  numHiddenLayers: num('layers'),
  numAttentionHeads: num('heads'),
  intermediateSize: a.intermediate === '' ? 4 * hidden : num('intermediate'),
};

await tf.setBackend('wasm');
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
  ...shape,
  vocabSize: data.tokenizer.size,
  maxPositionEmbeddings: run.seqLen + 2,
  numLabels: 0,
  mlmHead: true,
});

// 1. The bundle: initial weights, each source's segments, the held-out batches.
const enc0 = new Encoder(config, { seed: run.seed });
const randomInit = await scoreGroups(enc0, data.evalSets);
const glove = await applyPretrainInit(enc0, run, data.tokenizer.vocab);
const initScores = await scoreGroups(enc0, data.evalSets);
const hf = await encoderToHf(enc0, { format: 'pt', producer: 'scripts/pretrain-torch.ts' });
enc0.dispose();
writeFileSync(path.join(bundle, 'init.safetensors'), hf.safetensors);
const sources = data.sources.map((s) => {
  const tokens = `${s.id}.tokens.i32`;
  const offsets = `${s.id}.offsets.i32`;
  writeFileSync(path.join(bundle, tokens), s.train.data.subarray(0, s.train.length));
  writeFileSync(path.join(bundle, offsets), Int32Array.from([...s.train.starts, ...s.train.ends]));
  return { id: s.id, weight: s.weight, segments: s.train.count, tokens, offsets };
});
const evalTensors: Record<string, tf.Tensor> = {};
let k = 0;
for (const [group, batches] of data.evalSets) {
  if (group === 'uci-validation') continue;
  for (const b of batches) {
    evalTensors[`${k}.ids`] = tf.tensor2d(b.inputIds, [b.batch, b.maxLen], 'int32');
    evalTensors[`${k}.mask`] = tf.tensor2d(b.attentionMask, [b.batch, b.maxLen], 'int32');
    evalTensors[`${k}.pos`] = tf.tensor1d(b.maskedPositions, 'int32');
    evalTensors[`${k}.labels`] = tf.tensor1d(b.maskedLabels, 'int32');
    k++;
  }
}
writeFileSync(
  path.join(bundle, 'eval.safetensors'),
  await tensorsToSafetensors(evalTensors, { format: 'np' }),
);
tf.dispose(Object.values(evalTensors));
writeFileSync(
  path.join(bundle, 'meta.json'),
  JSON.stringify({ config: JSON.parse(hf.configJson) as unknown, sources }, null, 1),
);
log(`bundle written to ${bundle}: ${sources.length} sources, ${k} held-out batches`);

// 2. Train (or resume) in PyTorch.
const pyArgs = [
  path.join(root, 'scripts', 'torch', 'pretrain.py'),
  '--bundle',
  bundle,
  '--ckpt-dir',
  ckptDir,
  '--steps',
  String(run.steps),
  '--batch',
  String(run.batch),
  '--lr',
  String(run.peakLr),
  '--warmup',
  String(run.warmup),
  '--clip',
  String(run.clip),
  '--seed',
  String(run.seed),
  '--threads',
  a.threads,
  '--checkpoint-minutes',
  a['checkpoint-minutes'],
  '--max-minutes',
  a['max-minutes'],
  ...(run.freezeWordEmbeddings ? ['--freeze-word-embeddings'] : []),
  ...(a['end-by'] !== '' ? ['--end-by', a['end-by']] : []),
  ...(a.replans !== '' ? ['--replans', a.replans] : []),
  ...(num('bench') > 0 ? ['--bench', a.bench] : []),
  ...(a['keep-at'] !== '' ? ['--keep-at', a['keep-at']] : []),
];
const snapshot = num('export-step');
if (snapshot === 0) {
  const py = spawnSync(a.python, pyArgs, { stdio: 'inherit' });
  if (py.error)
    throw new Error(`${a.python}: ${py.error.message} (install Debian's python3-torch)`);
  if (num('bench') > 0) process.exit(py.status ?? 1);
  if (py.status === 3) {
    log('stopped by --max-minutes: run the same command again to resume');
    process.exit(3);
  }
  if (py.status !== 0)
    throw new Error(`scripts/torch/pretrain.py exited with ${String(py.status)}`);
}

// 3. Load into the core's encoder, score, export.
const finalPath = path.join(
  ckptDir,
  snapshot > 0 ? `step-${String(snapshot)}.safetensors` : 'final.safetensors',
);
if (!existsSync(finalPath)) throw new Error(`${finalPath} is missing`);
const { encoder: enc, report } = encoderFromHf(hf.configJson, readFileSync(finalPath), {
  seed: run.seed,
});
if (report.missing.length > 0 || report.unexpected.length > 0)
  throw new Error(`final weights do not match: ${JSON.stringify(report)}`);
/** What scripts/torch/pretrain.py writes to state.json (the fields RunState shares, plus its own). */
type TorchState = Pick<
  RunState,
  'step' | 'tokensSeen' | 'wallSeconds' | 'sessions' | 'lossHistory'
> & {
  heldOut: ({ step: number } & MlmScore)[];
  replans: [number, number][];
};
const pyState = JSON.parse(
  readFileSync(
    path.join(ckptDir, snapshot > 0 ? `step-${String(snapshot)}.json` : 'state.json'),
    'utf8',
  ),
) as TorchState;
const [firstReplan] = pyState.replans;
if (firstReplan) [run.replanAt, run.replanSteps] = firstReplan;
const final = await scoreGroups(enc, data.evalSets);
log(
  `held-out masked-token accuracy ${(100 * (final['held-out']?.accuracy ?? NaN)).toFixed(2)}% (core encoder on the PyTorch weights)`,
);
const { exportModel } = await import('./lib/export.ts');
await exportModel({
  enc,
  data,
  outDir,
  complete: snapshot === 0 && pyState.step >= (pyState.replans.at(-1)?.[1] ?? run.steps),
  log,
  state: {
    run,
    config,
    step: pyState.step,
    wallSeconds: pyState.wallSeconds,
    tokensSeen: pyState.tokensSeen,
    sessions: pyState.sessions,
    lossHistory: pyState.lossHistory,
    scores: {
      randomInit,
      init: initScores,
      final,
      checkpoints: pyState.heldOut.map(({ step, ...heldOut }) => ({ step, heldOut })),
    },
    ...(glove ? { glove } : {}),
  },
  engine: {
    command: reproduceCommand(pyState.replans),
    backend: `PyTorch ${pythonTorchVersion()} on CPU (${a.threads} threads), Debian python3-torch; scored and exported with the core's TF.js encoder`,
    description:
      'A small RoBERTa-style encoder pretrained with masked-language modelling (PyTorch on CPU, the same architecture as src/core/models/encoder.ts) for the LoRA lessons.',
    optimizerNote: run.clip > 0 ? `; gradient norm clipped at ${run.clip}` : '',
    ...(snapshot > 0
      ? {
          note: `A snapshot kept at step ${String(snapshot)} of a run planned for ${String(pyState.replans.at(-1)?.[1] ?? run.steps)} steps (--keep-at): the learning rate was ${String(pyState.lossHistory.at(-1)?.lr ?? NaN)}, not yet decayed; rerun the command without --export-step to finish or export the run's end.`,
        }
      : {}),
  },
});
log(`wrote ${outDir}`);
enc.dispose();

function pythonTorchVersion(): string {
  const r = spawnSync(a.python, ['-c', 'import torch; print(torch.__version__)'], {
    encoding: 'utf8',
  });
  return r.stdout.trim() || 'unknown';
}

/** This run's command without the flags that do not change the result, plus its re-plans. */
function reproduceCommand(replans: readonly [number, number][]): string {
  const drop =
    /^--(max-minutes|threads|checkpoint-minutes|end-by|replans|python|keep-at|export-step)$/;
  const argv = process.argv
    .slice(2)
    .filter((x, i, all) => !drop.test(x) && !drop.test(all[i - 1] ?? ''));
  if (replans.length > 0) argv.push('--replans', replans.map((r) => r.join(':')).join(','));
  return `npm run pretrain:torch -- ${argv.join(' ')}`;
}
