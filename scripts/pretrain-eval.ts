/**
 * Evidence that pretraining worked: fine-tunes the encoder on the UCI sentiment task from several
 * starting points and with several methods, for several seeds, and records validation and test
 * accuracy (mean ± sd over seeds) in `public/models/<name>/eval.json`.
 *
 *   npx tsx scripts/pretrain-eval.ts --arms full/pretrained,full/random --seeds 0,1,2
 *
 * Arms are `<method>/<start>`: method `full` (every weight), `frozen` (the classifier head only),
 * `lora` (LoRA r=2 on query + value, plus the classifier head, as PEFT's `modules_to_save` does
 * for sequence classification); start `pretrained` (the shipped MLM weights), `glove` (the same
 * init the pretraining started from: random + GloVe word vectors, no MLM), `random` (the plain
 * random init). Results accumulate: each (arm, seed) run replaces its earlier record.
 * Hyper-parameters are fixed per method (no tuning on test), listed in eval.json.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { WordTokenizer, type SentimentExample } from '../src/core/data/index.ts';
import { safetensorsToTensors } from '../src/core/io/safetensors.ts';
import { getPeftModel } from '../src/core/lora/index.ts';
import { Encoder, type EncoderConfig } from '../src/core/models/encoder.ts';
import { dropout } from '../src/core/nn/activations.ts';
import { softmaxCrossEntropy } from '../src/core/nn/loss.ts';
import { Rng } from '../src/core/rng.ts';
import {
  Adam,
  StepBatch,
  lengthGroupedBatches,
  trainLoop,
  warmupDecay,
} from '../src/core/train/index.ts';
import { fromHfConfig, transposeDense } from './lib/hf-weights.ts';
import { prePretrainingStart } from './lib/init-encoder.ts';
import { LayerTaps, READOUTS, sentenceFeatures, type Readout } from './lib/features.ts';
import { readUciSplit } from './lib/uci.ts';
import { assignFolds, foldSplit } from './lib/cv.ts';
import { accuracyInterval, formatCorrect, gapInterval, parseCorrect } from './lib/eval-stats.ts';
import { parseModelEval, parseModelManifest, type ModelEval } from '../src/core/io/model-files.ts';

const { values: a } = parseArgs({
  options: {
    model: { type: 'string', default: 'public/models/tiny-roberta' },
    tokenizer: { type: 'string' },
    arms: {
      type: 'string',
      default: 'full/pretrained,full/random,frozen/pretrained,frozen/glove,lora/pretrained',
    },
    seeds: { type: 'string', default: '0,1,2' },
    epochs: { type: 'string', default: '2' },
    batch: { type: 'string', default: '32' },
    /** Per-method overrides, e.g. `lora=1e-2,full=5e-4` (peak learning rate). */
    lr: { type: 'string', default: '' },
    /** Per-method epoch overrides, e.g. `lora=6` (else --epochs; frozen: 10). */
    'method-epochs': { type: 'string', default: '' },
    readout: { type: 'string', default: 'all-layers' },
    /** Classifier pooling of the full and LoRA arms: `first` (<s>, RoBERTa's) or `mean`; default: config.json's. */
    pooling: { type: 'string', default: '' },
    /** Eval files whose runs are merged in first (later ones win for the same arm and seed). */
    merge: { type: 'string', default: '' },
    /** Only these arms are taken from the --merge files (default: all). */
    'merge-arms': { type: 'string', default: '' },
    /** Free text stored as `note` (e.g. how the hyper-parameters were chosen). */
    note: { type: 'string', default: '' },
    /**
     * Hyper-parameter search on VALIDATION before the seeds run: `method=lr,lr,…@epochs,epochs;…`
     * (e.g. `full=2e-4,5e-4,1e-3@2,4;lora=1e-3,3e-3,1e-2@6,12`). Every method gets the same number
     * of trials (the same budget); each trial is one run with --search-seed; the best validation
     * accuracy (ties: the earlier trial) sets that method's lr and epochs for the evaluation.
     */
    grid: { type: 'string', default: '' },
    'search-seed': { type: 'string', default: '100' },
    lora: { type: 'string', default: '' },
    /**
     * K-fold cross-validation (scripts/lib/cv.ts): seed s trains on fold s mod K's training part and
     * tests on fold s mod K, so seeds 0…K−1 test every sentence once (a pass); records are named
     * `<arm>@cv<K>`. Without it, the shipped split (300 test sentences).
     */
    folds: { type: 'string', default: '0' },
    out: { type: 'string' },
  },
});

/**
 * `body`: every weight but the word-embedding table (a diagnostic: how much of full fine-tuning's
 * lead over LoRA comes from re-learning the word vectors, which LoRA on linear layers cannot touch).
 */
type Method = 'full' | 'body' | 'frozen' | 'lora';
type Start = 'pretrained' | 'glove' | 'random';
/** Learning rates per method (peak of warmup 10% + linear decay to 0). */
const LR: Record<Method, number> = { full: 5e-4, body: 5e-4, frozen: 3e-3, lora: 3e-3 };
/** Epochs per method: the frozen arms train only the head on cached features, so they get more. */
const EPOCHS: Record<Method, number> = { full: 0, body: 0, frozen: 10, lora: 0 };
const PRETRAIN_SEED = 0; // the encoder body of `glove`/`random` is the pretraining run's init
const MAX_LEN = 48;
/** The LoRA arm's adapter (the article's choice of targets; alpha = 2r as is common). */
const LORA = { r: 2, loraAlpha: 4, targetModules: ['query', 'value'] };
/**
 * `--lora r=8,targets=query+key+value+output.dense+intermediate.dense`: another adapter for the
 * LoRA arms (alpha = 2r); its records are named `lora-r<r>-<targets>/…` so that they sit beside
 * the default `lora/…` ones (and are compared with `full/…` from the same start). A target may be
 * the word-embedding table, `word_embeddings` (PEFT's `lora_embedding_A/B`, src/core/lora).
 * `tag=<word>` names a second record of the same adapter (e.g. another search grid), so that
 * merged files keep both.
 */
const loraName = ((): string => {
  if (a.lora === '') return 'lora';
  const f = Object.fromEntries(a.lora.split(',').map((kv) => kv.split('=') as [string, string]));
  const r = Number(f.r);
  const targets = (f.targets ?? '').split('+').filter((x) => x !== '');
  if (!(Number.isInteger(r) && r >= 1) || targets.length === 0)
    throw new Error(`--lora: expected r=<whole number>,targets=a+b+…[,tag=word], got ${a.lora}`);
  if (f.tag !== undefined && !/^[a-z0-9-]+$/.test(f.tag))
    throw new Error(`--lora: tag=${f.tag}: expected lowercase letters, digits and dashes`);
  Object.assign(LORA, { r, loraAlpha: 2 * r, targetModules: targets });
  return `lora-r${r}-${targets.join('+')}${f.tag === undefined ? '' : `-${f.tag}`}`;
})();

const modelDir = path.resolve(a.model);
const outFile = path.resolve(a.out ?? path.join(modelDir, 'eval.json'));
const epochs = Number(a.epochs);
EPOCHS.full = epochs;
EPOCHS.body = epochs;
EPOCHS.lora = epochs;
/** Parses `method=value,…` into `target`, refusing unknown methods and non-positive values. */
function overrides(flag: string, value: string, target: Record<Method, number>): void {
  for (const part of value.split(',').filter((x) => x !== '')) {
    const [m, v] = part.split('=');
    const x = Number(v);
    if (!(m !== undefined && m in target) || !(x > 0))
      throw new Error(
        `--${flag}: expected method=positive number (method full|body|frozen|lora), got ${part}`,
      );
    target[m as Method] = x;
  }
}
overrides('lr', a.lr, LR);
overrides('method-epochs', a['method-epochs'], EPOCHS);
if (!(READOUTS as readonly string[]).includes(a.readout))
  throw new Error(`--readout: expected one of ${READOUTS.join(', ')}, got ${a.readout}`);
const readout = a.readout as Readout;
const batchSize = Number(a.batch);
const hfConfig = JSON.parse(readFileSync(path.join(modelDir, 'config.json'), 'utf8')) as Record<
  string,
  unknown
>;
const tokenizer = WordTokenizer.fromJSON(
  JSON.parse(readFileSync(a.tokenizer ?? path.join(modelDir, 'tokenizer.json'), 'utf8')),
);
if (!['', 'first', 'mean'].includes(a.pooling))
  throw new Error(`--pooling: expected first or mean, got ${a.pooling}`);
const config: EncoderConfig = fromHfConfig(hfConfig, {
  numLabels: 2,
  mlmHead: false,
  ...(a.pooling === '' ? {} : { classifierPooling: a.pooling as 'first' | 'mean' }),
});
/** The full and LoRA arms' pooling; their records are named `<arm>:mean` when it is `mean`. */
const pooling = config.classifierPooling ?? 'first';
const shipped = readUciSplit();
const folds = Number(a.folds);
const allSentences = [...shipped.train, ...shipped.validation, ...shipped.test];
const foldOf = folds > 0 ? assignFolds(allSentences, folds) : undefined;
/** The split a run uses: the shipped one, or its fold's under --folds. */
let split = shipped;
function useSplitFor(seed: number): void {
  split = foldOf ? foldSplit(allSentences, foldOf, folds, seed % folds) : shipped;
}

function batchTensors(examples: readonly SentimentExample[]): {
  ids: tf.Tensor;
  mask: tf.Tensor;
  labels: tf.Tensor;
} {
  const encs = examples.map((e) => tokenizer.encode(e.text, MAX_LEN));
  const T = Math.max(...encs.map((e) => e.length + 2)); // pad to the longest in the batch
  const ids = new Int32Array(examples.length * T);
  const mask = new Int32Array(examples.length * T);
  encs.forEach((e, i) => {
    ids.set(e.inputIds.subarray(0, T), i * T);
    mask.set(e.attentionMask.subarray(0, T), i * T);
  });
  return {
    ids: tf.tensor2d(ids, [examples.length, T], 'int32'),
    mask: tf.tensor2d(mask, [examples.length, T], 'int32'),
    labels: tf.tensor1d(
      examples.map((e) => e.label),
      'int32',
    ),
  };
}

/** The loop hands control back to nothing between steps (a script, no page to keep alive). */
const noPause = (): Promise<void> => Promise.resolve();

/** One step of a run's plan: epoch `ep`'s `s`-th batch. */
interface PlannedStep {
  readonly ep: number;
  readonly s: number;
}

/**
 * Trains `vars` with `opt` for one step per entry of `plan` through the core's loop: the step's
 * batch made by `make` and freed by `free`, its dropout drawn from `rng.fork('drop-<ep>-<s>')`.
 * Returns the last step's loss.
 */
async function trainPlan<P extends PlannedStep, B>(o: {
  readonly opt: Adam;
  readonly vars: tf.Variable[];
  readonly plan: readonly P[];
  readonly rng: Rng;
  readonly make: (step: P) => B;
  readonly free: (batch: B) => void;
  readonly loss: (batch: B, dropRng: Rng) => tf.Scalar;
}): Promise<number> {
  const at = (k: number): P => {
    const p = o.plan[k];
    if (!p) throw new Error(`no step ${String(k)} in the plan`);
    return p;
  };
  const feed = new StepBatch((k) => o.make(at(k)), o.free);
  let last = NaN;
  for await (const st of trainLoop({
    optimizer: o.opt,
    variables: o.vars,
    steps: o.plan.length,
    pause: noPause,
    beforeStep: feed.load,
    afterStep: feed.drop,
    loss: (k) => o.loss(feed.current(), o.rng.fork(`drop-${String(at(k).ep)}-${String(at(k).s)}`)),
  }))
    last = st.loss;
  return last;
}

/** Words per training sentence (the length the batches are grouped by). */
const trainLength = new Map(allSentences.map((e) => [e, tokenizer.wordIds(e.text).length]));

/**
 * One epoch's batches, grouped by length (core/train's `lengthGroupedBatches`: chunks of 8
 * batches sorted by length), so a batch pads to similar lengths (about 2× faster than random).
 */
function epochBatches(rng: Rng): SentimentExample[][] {
  const lengths = split.train.map((e) => trainLength.get(e) ?? 0);
  return lengthGroupedBatches(lengths, batchSize, rng).map((rows) =>
    rows.flatMap((i) => {
      const e = split.train[i];
      return e ? [e] : [];
    }),
  );
}

/** Whether each example is classified right (no dropout). */
async function correctness(
  enc: Encoder,
  examples: readonly SentimentExample[],
): Promise<boolean[]> {
  const out: boolean[] = [];
  for (let i = 0; i < examples.length; i += 100) {
    const part = examples.slice(i, i + 100);
    const b = batchTensors(part);
    const pred = tf.tidy(() => tf.argMax(enc.classify(b.ids, b.mask), 1));
    const p = await pred.data();
    part.forEach((e, j) => out.push(p[j] === e.label));
    tf.dispose([pred, b.ids, b.mask, b.labels]);
  }
  return out;
}

const share = (xs: readonly boolean[]): number => xs.filter(Boolean).length / xs.length;

async function makeEncoder(start: Start, seed: number): Promise<Encoder> {
  // Head (classifier) init comes from the fine-tuning seed; the body from the start point.
  const enc = await prePretrainingStart(config, tokenizer.vocab, {
    seed,
    pretrainSeed: PRETRAIN_SEED,
    glove: start === 'glove',
  });
  if (start === 'pretrained') {
    const { tensors } = safetensorsToTensors(
      new Uint8Array(readFileSync(path.join(modelDir, 'model.safetensors'))),
    );
    const core = transposeDense(tensors);
    const report = enc.setWeights(core, { strict: false });
    tf.dispose([...Object.values(tensors), ...Object.values(core)]);
    if (report.missing.some((n) => !n.startsWith('classifier.')))
      throw new Error(`pretrained weights lack ${report.missing.join(', ')}`);
  }
  return enc;
}

/** Frozen-encoder features by start point (they do not depend on the fine-tuning seed). */
const featureCache = new Map<string, [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D]>();

interface RunRecord {
  arm: string;
  seed: number;
  validation: number;
  test: number;
  trainable: number;
  steps: number;
  seconds: number;
  finalLoss: number;
  /** Peak learning rate and epochs of this run (older records lack them: see hyperParameters). */
  lr?: number;
  epochs?: number;
  /** Frozen arms: the sentence read-out. */
  readout?: Readout;
  /** Full and LoRA arms: the classifier's pooling (older records: `first`). */
  pooling?: 'first' | 'mean';
  /** Per test sentence, '1' when classified right (for the intervals; older records lack it). */
  testCorrect?: string;
}

async function runArm(arm: string, seed: number): Promise<RunRecord> {
  const [method, start] = arm.split('/') as [Method, Start];
  if (!(method in LR) || !['pretrained', 'glove', 'random'].includes(start))
    throw new Error(`--arms: unknown arm ${arm}`);
  useSplitFor(seed);
  const enc = await makeEncoder(start, seed);
  let vars: tf.Variable[];
  let disposeAll = (): void => {
    enc.dispose();
  };
  const head = enc
    .namedParameters()
    .filter((p) => p.name.startsWith('classifier.'))
    .map((p) => p.variable);
  if (method === 'full') vars = enc.namedParameters().map((p) => p.variable);
  else if (method === 'body')
    vars = enc
      .namedParameters()
      .filter((p) => p.name !== 'roberta.embeddings.word_embeddings.weight')
      .map((p) => p.variable);
  else if (method === 'frozen') vars = head;
  else {
    const peft = getPeftModel(enc, { ...LORA, modulesToSave: ['classifier'] }, { seed });
    vars = peft.trainableVariables();
    disposeAll = () => {
      peft.dispose();
    };
  }
  const trainable = vars.reduce((s, v) => s + v.size, 0);
  const stepsPerEpoch = Math.ceil(split.train.length / batchSize);
  const total = EPOCHS[method] * stepsPerEpoch;
  const opt = new Adam({
    learningRate: warmupDecay({
      peak: LR[method],
      warmupSteps: Math.round(0.1 * total),
      totalSteps: total,
      decay: 'linear',
    }),
    weightDecay: 0.01,
  });
  const rng = new Rng(seed).fork('finetune');
  const t0 = Date.now();
  let lastLoss: number;
  let validation: number;
  let testRight: boolean[];
  if (method === 'frozen') {
    // The encoder is frozen and deterministic without dropout: compute each sentence's features
    // once (lib/features.ts: a masked token mean of the last layer, or of every hidden state), then
    // train RoBERTa's head (dropout → dense → tanh → dropout → out_proj) on them.
    // Mean pooling, not <s>: MLM never trains the <s> vector (RoBERTa has no next-sentence task),
    // so a frozen <s> says little about the sentence (Reimers & Gurevych 2019 make the same choice).
    const taps = new LayerTaps(enc);
    const features = async (xs: readonly SentimentExample[]): Promise<tf.Tensor2D> => {
      const parts: tf.Tensor[] = [];
      for (let i = 0; i < xs.length; i += 100) {
        const b = batchTensors(xs.slice(i, i + 100));
        parts.push(sentenceFeatures(taps, readout, b.ids, b.mask)); // [B, H]
        tf.dispose([b.ids, b.mask, b.labels]);
      }
      const all = tf.concat(parts) as tf.Tensor2D;
      tf.dispose(parts);
      await all.data();
      return all;
    };
    const dense = enc.linear('classifier.dense');
    const outProj = enc.linear('classifier.out_proj');
    const p = config.hiddenDropoutProb;
    const head = (x: tf.Tensor, train: boolean, r: Rng): tf.Tensor => {
      const ctx = { training: train, rng: r };
      const z = tf.tanh(dense.apply(train ? dropout(x, p, r) : x, ctx));
      return outProj.apply(train ? dropout(z, p, r) : z, ctx);
    };
    const cacheKey = `${start}/${foldOf ? seed % folds : 'shipped'}`;
    let cached = featureCache.get(cacheKey);
    if (!cached) {
      cached = [
        await features(split.train),
        await features(split.validation),
        await features(split.test),
      ];
      featureCache.set(cacheKey, cached);
    }
    taps.dispose();
    const [fTrain, fVal, fTest] = cached;
    const yTrain = split.train.map((e) => e.label);
    // Step k: epoch ⌊k / stepsPerEpoch⌋'s shuffle, its (k mod stepsPerEpoch)-th slice.
    const plan = Array.from({ length: EPOCHS.frozen }, (_, ep) => {
      const order = rng.fork(`epoch-${ep}`).shuffle(yTrain.map((_, i) => i));
      return Array.from({ length: stepsPerEpoch }, (_, s) => ({
        ep,
        s,
        rows: order.slice(s * batchSize, (s + 1) * batchSize),
      }));
    }).flat();
    lastLoss = await trainPlan({
      opt,
      vars,
      plan,
      rng,
      make: ({ rows }) =>
        tf.tidy(() => ({
          x: tf.gather(fTrain, tf.tensor1d(rows, 'int32')),
          y: tf.tensor1d(
            rows.map((i) => yTrain[i] ?? 0),
            'int32',
          ),
        })),
      free: (b) => {
        tf.dispose([b.x, b.y]);
      },
      loss: ({ x, y }, dropRng) => softmaxCrossEntropy(head(x, true, dropRng), y),
    });
    const right = async (f: tf.Tensor, xs: readonly SentimentExample[]): Promise<boolean[]> => {
      const pred = tf.tidy(() => tf.argMax(head(f, false, rng), 1));
      const pv = await pred.data();
      pred.dispose();
      return xs.map((e, i) => pv[i] === e.label);
    };
    validation = share(await right(fVal, split.validation));
    testRight = await right(fTest, split.test);
  } else {
    const plan = Array.from({ length: EPOCHS[method] }, (_, ep) =>
      epochBatches(rng.fork(`epoch-${ep}`)).map((part, s) => ({ ep, s, part })),
    ).flat();
    lastLoss = await trainPlan({
      opt,
      vars,
      plan,
      rng,
      make: ({ part }) => batchTensors(part),
      free: (b) => {
        tf.dispose([b.ids, b.mask, b.labels]);
      },
      loss: (b, dropRng) =>
        softmaxCrossEntropy(
          enc.classify(b.ids, b.mask, { training: true, rng: dropRng }),
          b.labels,
        ),
    });
    validation = share(await correctness(enc, split.validation));
    testRight = await correctness(enc, split.test);
  }
  const rec: RunRecord = {
    arm:
      ((name) => (method !== 'frozen' && pooling === 'mean' ? `${name}:mean` : name))(
        method === 'lora' ? arm.replace(/^lora\//, `${loraName}/`) : arm,
      ) + (foldOf ? `@cv${folds}` : ''),
    seed,
    validation,
    test: share(testRight),
    trainable,
    steps: total,
    seconds: Math.round((Date.now() - t0) / 1000),
    finalLoss: lastLoss,
    lr: LR[method],
    epochs: EPOCHS[method],
    ...(method === 'frozen' ? { readout } : { pooling }),
    testCorrect: formatCorrect(testRight),
  };
  opt.dispose();
  disposeAll();
  return rec;
}

interface ArmSummary {
  n: number;
  test: { mean: number; sd: number };
  validation: { mean: number; sd: number };
  /** 95% interval of the mean test accuracy, seeds and test sentences resampled (lib/eval-stats.ts). */
  testCi95?: { low: number; high: number };
}

function summary(runs: readonly RunRecord[]): Record<string, ArmSummary> {
  const out: Record<string, ArmSummary> = {};
  const stat = (xs: number[]) => {
    const m = xs.reduce((s, x) => s + x, 0) / xs.length;
    const sd =
      xs.length > 1 ? Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1)) : 0;
    return { mean: m, sd };
  };
  for (const arm of [...new Set(runs.map((r) => r.arm))]) {
    const rs = runs.filter((r) => r.arm === arm);
    const correct = correctOf(rs);
    const ci = correct ? accuracyInterval(correct) : undefined;
    out[arm] = {
      n: rs.length,
      test: stat(rs.map((r) => r.test)),
      validation: stat(rs.map((r) => r.validation)),
      ...(ci ? { testCi95: { low: ci.low, high: ci.high } } : {}),
    };
  }
  return out;
}

/** The runs' per-sentence correctness, if every run recorded it. */
function correctOf(rs: readonly RunRecord[]): number[][] | undefined {
  if (rs.length === 0 || rs.some((r) => r.testCorrect === undefined)) return undefined;
  const k = Number(/@cv(\d+)$/.exec(rs[0]?.arm ?? '')?.[1] ?? 0);
  if (k === 0) return rs.map((r) => parseCorrect(r.testCorrect ?? ''));
  // Cross-validation: one replicate is a whole pass (seeds pK … pK+K−1, every sentence tested
  // once), its folds' correctness concatenated in fold order; incomplete passes are left out.
  const passes: number[][] = [];
  for (const p of new Set(rs.map((r) => Math.floor(r.seed / k)))) {
    const pass = rs.filter((r) => Math.floor(r.seed / k) === p).sort((x, y) => x.seed - y.seed);
    if (pass.length === k) passes.push(pass.flatMap((r) => parseCorrect(r.testCorrect ?? '')));
  }
  return passes.length > 0 ? passes : undefined;
}

/**
 * Paired gaps in mean test accuracy, each with its 95% interval (the same test sentences for
 * both): every LoRA (and `body`) arm against full fine-tuning from the same start and pooling
 * (`arm − full/…`), and the frozen probe of the MLM weights against that of their GloVe-only start
 * (`frozen/pretrained − frozen/glove`: what masked-language modelling added to the features).
 */
function gaps(
  runs: readonly RunRecord[],
): Record<string, { estimate: number; low: number; high: number; n: [number, number] }> {
  const out: ReturnType<typeof gaps> = {};
  for (const arm of new Set(runs.map((r) => r.arm))) {
    const probe = arm.startsWith('frozen/pretrained');
    if (!arm.startsWith('lora') && !arm.startsWith('body/') && !probe) continue;
    const full = probe ? arm.replace('/pretrained', '/glove') : arm.replace(/^[^/]+\//, 'full/');
    const a = correctOf(runs.filter((r) => r.arm === arm));
    const b = correctOf(runs.filter((r) => r.arm === full));
    if (!a || !b) continue;
    const g = gapInterval(a, b);
    out[`${arm} − ${full}`] = { ...g, n: [a.length, b.length] };
  }
  return out;
}

/** `--grid`: per method, the learning rates and epochs to try on validation. */
function parseGrid(text: string): Map<Method, { lrs: number[]; epochs: number[] }> {
  const grid = new Map<Method, { lrs: number[]; epochs: number[] }>();
  for (const part of text.split(';').filter((x) => x.trim() !== '')) {
    const m = /^\s*(full|body|frozen|lora)=([^@]+)@(.+)$/.exec(part);
    const nums = (x: string): number[] => x.split(',').map(Number);
    const lrs = m ? nums(m[2] ?? '') : [];
    const epochs = m ? nums(m[3] ?? '') : [];
    if (!m || lrs.some((x) => !(x > 0)) || epochs.some((x) => !(Number.isInteger(x) && x > 0)))
      throw new Error(
        `--grid: expected method=lr,lr,…@epochs,epochs (method full|body|frozen|lora), got ${part}`,
      );
    grid.set(m[1] as Method, { lrs, epochs });
  }
  const sizes = new Set([...grid.values()].map((g) => g.lrs.length * g.epochs.length));
  if (sizes.size > 1)
    throw new Error(
      `--grid: every method must get the same number of trials (same budget), got ${[...sizes].join(' and ')}`,
    );
  return grid;
}

await tf.setBackend('wasm');
/** The runs of an earlier eval file, checked against the schema (its extra fields pass through). */
const evalOf = (f: string): ModelEval => parseModelEval(JSON.parse(readFileSync(f, 'utf8')), f);
let runs: RunRecord[] = existsSync(outFile) ? (evalOf(outFile).runs as RunRecord[]) : [];
const grid = parseGrid(a.grid);
const searchSeed = Number(a['search-seed']);
/** `--grid` trials (validation only; their test accuracy is not looked at, stored as null). */
const search: RunRecord[] = [];
const searched = new Set<Method>();
/** Per arm (as recorded, e.g. `lora/pretrained:mean`): the trial the search chose. */
const chosen: Record<string, { lr: number; epochs: number; validation: number }> = {};
/** The grids behind `search` (this run's, and those of merged files). */
const grids: string[] = a.grid === '' ? [] : [a.grid];
for (const f of a.merge.split(',').filter((x) => x !== '')) {
  const other = evalOf(path.resolve(f));
  const keep = new Set(a['merge-arms'].split(',').filter((x) => x !== ''));
  for (const r of (other.runs as RunRecord[]).filter((x) => keep.size === 0 || keep.has(x.arm)))
    runs = [...runs.filter((x) => !(x.arm === r.arm && x.seed === r.seed)), r];
  // A merged file's hyper-parameter search comes along, so the merged file says how its runs'
  // settings were chosen.
  if (other.search) {
    grids.push(other.search.grid);
    search.push(...(other.search.trials as RunRecord[]));
    Object.assign(chosen, other.search.chosen);
  }
}
const writeOut = (): void => {
  const body = {
    task: foldOf
      ? `UCI sentiment (positive/negative), ${folds}-fold cross-validation over all ${allSentences.length} sentences (scripts/lib/cv.ts; fold k tests, fold k+1 validates)`
      : 'UCI sentiment (positive/negative), train 2,379 / validation 300 / test 300 sentences',
    command: `npx tsx scripts/pretrain-eval.ts ${process.argv.slice(2).join(' ')}`,
    frozenNote: `frozen arms: the encoder runs once without dropout to cache one vector per sentence (read-out "${readout}": ${readout === 'last' ? 'masked token mean of the last layer' : 'masked token mean of the average of every hidden state, embedding output and each layer (feature-based use as in Devlin et al. 2019 §5.3)'}; the same read-out for every frozen arm); RoBERTa's head is trained on those with dropout`,
    hyperParameters: {
      epochs: EPOCHS,
      batchSize,
      maxLen: MAX_LEN,
      learningRates: LR,
      readout,
      schedule: 'warmup 10% then linear decay to 0',
      optimizer: 'AdamW, weight decay 0.01',
      dropout: 0.1,
      lora: { ...LORA, modulesToSave: ['classifier'] },
      note: 'each run records its own lr/epochs/readout where they differ from these',
    },
    ...(a.note === '' ? {} : { note: a.note }),
    model: path.relative(process.cwd(), modelDir),
    modelSha256:
      parseModelManifest(JSON.parse(readFileSync(path.join(modelDir, 'manifest.json'), 'utf8')))
        .files['model.safetensors']?.sha256 ?? null,
    summary: summary(runs),
    gaps: gaps(runs),
    ...(search.length > 0
      ? { search: { grid: grids.join(';'), seed: searchSeed, chosen, trials: search } }
      : {}),
    runs,
  };
  // The writer checks what it writes against the schema every reader uses.
  parseModelEval(JSON.parse(JSON.stringify(body)), outFile);
  writeFileSync(outFile, `${JSON.stringify(body, null, 2)}\n`);
};
if (a.merge !== '') writeOut();
for (const arm of a.arms.split(',').filter((x) => x !== '')) {
  const method = arm.split('/')[0] as Method;
  const g = grid.get(method);
  if (g && !searched.has(method)) {
    let best: RunRecord | undefined;
    for (const lr of g.lrs) {
      for (const ep of g.epochs) {
        LR[method] = lr;
        EPOCHS[method] = ep;
        const r = await runArm(arm, searchSeed);
        console.log(
          `search ${arm} lr ${lr} epochs ${ep} (seed ${searchSeed}): validation ${(100 * r.validation).toFixed(1)}%`,
        );
        const { testCorrect: _unused, test: _t, ...kept } = r;
        search.push({ ...kept, test: NaN });
        if (!best || r.validation > best.validation) best = r;
      }
    }
    if (best) {
      LR[method] = best.lr ?? LR[method];
      EPOCHS[method] = best.epochs ?? EPOCHS[method];
      chosen[best.arm] = { lr: LR[method], epochs: EPOCHS[method], validation: best.validation };
    }
    searched.add(method);
    // A file holds at least one run (the schema's rule): the search is written with the first.
    if (runs.length > 0) writeOut();
  }
  for (const seed of a.seeds.split(',').map(Number)) {
    const r = await runArm(arm, seed);
    console.log(
      `${arm} seed ${seed}: validation ${(100 * r.validation).toFixed(1)}% test ${(100 * r.test).toFixed(1)}% (${r.trainable} trainable, ${r.seconds} s, final loss ${r.finalLoss.toFixed(3)}) tensors ${tf.memory().numTensors}`,
    );
    runs = [...runs.filter((x) => !(x.arm === r.arm && x.seed === r.seed)), r];
    writeOut();
  }
}
