/**
 * LoRA against full fine-tuning, side by side in one process (TF.js WASM in Node): the tiny
 * encoder's classification training step (forward + backward + Adam update, through the core's
 * training loop), median over repeats, and the memory each keeps (weights + optimiser state, from
 * `tf.memory().numBytes`).
 */
import { median } from '../../src/core/stats.ts';
import * as tf from '@tensorflow/tfjs';
import {
  Adam,
  Encoder,
  Rng,
  encoderConfig,
  getPeftModel,
  softmaxCrossEntropy,
  trainLoop,
  type EncoderConfig,
  type LoraConfigInput,
} from '../../src/core/index.ts';

/** One training mode's measurements. */
export interface TrainBenchRow {
  readonly mode: string;
  readonly trainableParams: number;
  readonly stepMs: readonly number[];
  readonly medianMs: number;
  /** Bytes held after the first step (weights + optimiser state + adapters). */
  readonly heldBytes: number;
  /**
   * Training-state bytes: Adam's two moments, measured (`tf.memory()` growth over the first step),
   * plus the gradients, one float32 per trainable parameter (they live only during the step).
   */
  readonly trainStateBytes: number;
  /** Estimated FLOP per step (see `stepFlops`). */
  readonly flops: number;
  readonly gflops: number;
}

/**
 * Forward FLOP of the encoder per sequence: dense layers 2·(4H² + 2·H·F)·T per layer plus
 * attention scores and mixing 2·2·T²·H per layer (embeddings and LayerNorms ignored). A full
 * step costs about 3× forward (backward computes gradients for inputs and weights); a LoRA step
 * about 2× forward (input gradients everywhere, weight gradients only for the tiny factors).
 */
export function stepFlops(h: number, f: number, layers: number, t: number, batch: number): number {
  const forward = layers * (2 * (4 * h * h + 2 * h * f) * t + 4 * t * t * h) * batch;
  return forward;
}

/** The training lesson's LoRA: r = 2 on query and attention.output.dense, the classifier trained. */
export const LESSON_LORA: LoraConfigInput = {
  r: 2,
  loraAlpha: 4,
  targetModules: ['query', 'attention.output.dense'],
  modulesToSave: ['classifier'],
};

/**
 * The benches' tiny encoder config at the shipped shape and one fixed classification batch
 * (`batch` × `seqLen` random word ids, all attended, alternating labels); the caller disposes
 * the tensors.
 */
export function benchBatch(
  batch: number,
  seqLen: number,
  vocabSize = 16000,
): { config: EncoderConfig; ids: tf.Tensor2D; mask: tf.Tensor2D; labels: tf.Tensor1D } {
  const config = encoderConfig('tiny', {
    vocabSize,
    maxPositionEmbeddings: seqLen + 2,
    numLabels: 2,
    mlmHead: false,
  });
  const rng = new Rng(7);
  const ids = tf.tensor2d(
    Int32Array.from({ length: batch * seqLen }, () => 3 + rng.int(vocabSize - 3)),
    [batch, seqLen],
    'int32',
  );
  const mask = tf.ones<tf.Rank.R2>([batch, seqLen], 'int32');
  const labels = tf.tensor1d(
    Int32Array.from({ length: batch }, (_, i) => i % 2),
    'int32',
  );
  return { config, ids, mask, labels };
}

/** Measures full fine-tuning, LoRA and classifier-only steps on the tiny encoder. */
export async function runTrainBench(
  opts: { batch?: number; seqLen?: number; repeats?: number; vocabSize?: number } = {},
): Promise<TrainBenchRow[]> {
  const batch = opts.batch ?? 32;
  const seqLen = opts.seqLen ?? 48;
  const repeats = opts.repeats ?? 9;
  const vocabSize = opts.vocabSize ?? 16000;
  const { config, ids, mask, labels } = benchBatch(batch, seqLen, vocabSize);
  const fwd = stepFlops(
    config.hiddenSize,
    config.intermediateSize,
    config.numHiddenLayers,
    seqLen,
    batch,
  );
  const modes: {
    mode: string;
    lora: LoraConfigInput | null;
    factor: number;
    headOnly?: boolean;
    /** Leave the embedding tables frozen: what a full step pays that the FLOP count leaves out. */
    noEmbeddings?: boolean;
  }[] = [
    { mode: 'full fine-tuning', lora: null, factor: 3 },
    { mode: 'full, embeddings frozen', lora: null, factor: 3, noEmbeddings: true },
    {
      mode: 'LoRA r=2 (query, attention.output.dense)',
      lora: LESSON_LORA,
      factor: 2,
    },
    { mode: 'classifier only', lora: null, factor: 1, headOnly: true },
  ];
  const rows: TrainBenchRow[] = [];
  for (const m of modes) {
    const before = tf.memory().numBytes;
    const model = new Encoder(config, { seed: 1 });
    const peft = m.lora ? getPeftModel(model, m.lora, { seed: 2 }) : null;
    const vars = peft
      ? peft.trainableVariables()
      : model
          .namedParameters()
          .filter((p) => !m.headOnly || p.name.startsWith('classifier.'))
          .filter((p) => !m.noEmbeddings || !p.name.includes('.embeddings.'))
          .map((p) => p.variable);
    const trainableParams = vars.reduce((s, v) => s + v.size, 0);
    const adam = new Adam({ learningRate: 1e-4 });
    // The core's training loop on one fixed batch (the same input each step, so only the step's
    // cost varies): the first step allocates Adam's moments, two more warm up, then `repeats`
    // timed steps (each step's `ms` includes its loss read-back).
    const beforeStep = tf.memory().numBytes;
    let heldBytes = 0;
    let trainStateBytes = 0;
    const stepMs: number[] = [];
    for await (const s of trainLoop({
      optimizer: adam,
      variables: vars,
      steps: 3 + repeats,
      pause: () => Promise.resolve(),
      loss: () => softmaxCrossEntropy(model.classify(ids, mask, { training: false }), labels),
    })) {
      if (s.step === 0) {
        heldBytes = tf.memory().numBytes - before;
        trainStateBytes = tf.memory().numBytes - beforeStep + 4 * trainableParams;
      }
      if (s.step >= 3) stepMs.push(s.ms);
    }
    adam.dispose();
    if (peft) peft.dispose();
    model.dispose();
    const med = median(stepMs);
    rows.push({
      mode: m.mode,
      trainableParams,
      stepMs,
      medianMs: med,
      heldBytes,
      trainStateBytes,
      flops: fwd * m.factor,
      gflops: (fwd * m.factor) / (med * 1e6),
    });
  }
  ids.dispose();
  mask.dispose();
  labels.dispose();
  return rows;
}
