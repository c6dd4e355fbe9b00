/**
 * Precomputes the initialisation lesson's first frames on the pretrained encoder
 * (`npm run reproduce:initialisation`): the same core functions the lesson's cells call
 * (src/experiments/initialisation/lesson.ts), at the page's opening settings, on the shipped model
 * (`public/models/tiny-roberta/`) and the sentiment training sentences, on TF.js's WASM backend in
 * Node. Writes `public/results/initialisation/encoder.json`, which the page shows until the reader
 * changes a setting or asks to run live. The file records the model's sha256, so the page (and the
 * tests) can tell when it was made with another model.
 *
 *   npx tsx scripts/precompute-initialisation.ts [--out path] [--model dir]
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { directorySite, modelFolder } from '../src/cells/kit/site-node.ts';
import { parseSentimentJson } from '../src/core/data/sentiment.ts';
import { loadPretrained } from '../src/core/data/pretrained.ts';
import { parseInitialisationResults } from '../src/experiments/initialisation/results.ts';
import { encoderSentimentTask } from '../src/experiments/initialisation/tasks.ts';
import {
  INIT_LESSON_DEFAULTS,
  INIT_LESSON_ENCODER_TASK as T,
  INIT_SPIKE_SCALES,
  INIT_RANKS,
  INIT_SEED_COUNT,
  rankRuns,
  runToResult,
  schemeRuns,
  spikeRuns,
  startChanges,
} from '../src/experiments/initialisation/lesson.ts';

const outIndex = process.argv.indexOf('--out');
const out =
  outIndex >= 0 ? (process.argv[outIndex + 1] ?? '') : 'public/results/initialisation/encoder.json';
const modelIndex = process.argv.indexOf('--model');
const modelDir =
  modelIndex >= 0 ? (process.argv[modelIndex + 1] ?? '') : 'public/models/tiny-roberta';
const t0 = performance.now();
const log = (s: string): void => {
  console.log(`[${((performance.now() - t0) / 1000).toFixed(0)} s] ${s}`);
};

await tf.setBackend('wasm');
// The model read and checked against its manifest as the lesson's page reads it (src/cells/kit/site.ts).
const files = await modelFolder(modelDir);
const modelSha256 = files.sha256;
const { encoder, tokenizer } = loadPretrained(files, {
  numLabels: 2,
  mlmHead: false,
  hiddenDropoutProb: 0,
  attentionDropoutProb: 0,
});
const split = parseSentimentJson(await directorySite().json('data/sentiment.json'));
const task = await encoderSentimentTask({
  encoder,
  tokenizer,
  examples: split.train,
  maxLen: Math.min(T.maxLen, encoder.config.maxPositionEmbeddings - encoder.config.padTokenId - 1),
  batchSize: T.batchSize,
  batches: T.batches,
  seed: T.seed,
  headSteps: T.headSteps,
  headLearningRate: T.headLearningRate,
});
log(`task ready: ${task.label}`);
const s = INIT_LESSON_DEFAULTS;
const o = { steps: T.steps };
const progress = (p: { fraction: number; label: string }): void => {
  log(`${(p.fraction * 100).toFixed(0)}% ${p.label}`);
};
const startChange = await startChanges(task, s);
log('output change at step 0 done');
const seeds = Array.from({ length: INIT_SEED_COUNT }, (_, i) => s.seed + i);
const runs = await runToResult(schemeRuns(task, s, seeds, o), progress);
const spike = await runToResult(spikeRuns(task, s, INIT_SPIKE_SCALES, o), progress);
const ranks = await runToResult(rankRuns(task, s, INIT_RANKS, o), progress);
task.dispose();
const result = {
  what: 'First frames of the initialisation lesson on the pretrained encoder, at the opening settings',
  command: 'npm run reproduce:initialisation',
  createdAt: new Date().toISOString(),
  backend: `tfjs ${tf.version.tfjs}, ${tf.getBackend()} (Node)`,
  wallSeconds: Math.round((performance.now() - t0) / 1000),
  modelSha256,
  taskLabel: task.label,
  settings: s,
  steps: T.steps,
  startChange,
  runs,
  spike,
  rankRuns: ranks,
};
parseInitialisationResults(result, out); // what is written fits the lesson's schema
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(result)}\n`);
log(`wrote ${out}`);
