/**
 * What training with LoRA on our encoder holds, measured by TF.js itself (`tf.memory().numBytes`)
 * term by term, next to what the memory formula's per-term rules predict for the same parameter
 * counts: float32 weights (4 bytes each), float32 adapters, one float32 gradient per trained
 * parameter, and Adam's two float32 moments per trained parameter. Under a quantised base, the
 * block matrices leave TF.js's memory and are held in typed arrays instead (counted exactly by the
 * core's `quantizedBytes`).
 */
import * as tf from '@tensorflow/tfjs';
import type { EncodedRows } from '../../core/data/tasks.ts';
import { getPeftModel } from '../../core/lora/peft-model.ts';
import type { Encoder } from '../../core/models/encoder.ts';
import { softmaxCrossEntropy } from '../../core/nn/loss.ts';
import { blockLinearNames, planQuantizedBase } from '../../core/quant/index.ts';
import { Adam } from '../../core/train/adam.ts';
import { disposeBatch, rowsTensors } from '../../core/train/batches.ts';
import { QLORA_TARGETS, quantOptionsOf, type QuantBase } from './experiment.ts';

/** One term: bytes measured and bytes the per-term rule predicts. */
export interface MeasuredTerm {
  readonly measured: number;
  readonly predicted: number;
}

/** The train state of LoRA on one base, term by term. */
export interface TrainState {
  readonly base: QuantBase;
  /** Parameters of the encoder (the block matrices included). */
  readonly params: number;
  /** Parameters the optimiser updates (adapters and classifier). */
  readonly trainable: number;
  /** The model's weights held by TF.js (the block matrices excluded once quantised). */
  readonly weights: MeasuredTerm;
  /** The quantised block matrices in typed arrays (0 for float32). */
  readonly quantized: MeasuredTerm;
  /** The adapters' factors A and B. */
  readonly adapters: MeasuredTerm;
  /** The gradients of one step, while they are held. */
  readonly gradients: MeasuredTerm;
  /** Adam's first and second moments after the first step. */
  readonly optimizer: MeasuredTerm;
}

const F32 = 4;

/**
 * Builds an encoder with `make` (after one throw-away call), stores its base as `base`, attaches LoRA (r on all six modules,
 * plus the classifier) and takes one Adam step on `rows` of `set`, reading `tf.memory()` between
 * the parts. Everything it makes is freed before it returns.
 */
export async function measureTrainState(
  make: () => Encoder,
  base: QuantBase,
  set: EncodedRows,
  rows: readonly number[],
  r = 8,
): Promise<TrainState> {
  // Each count is taken around synchronous work only: the page's other cells share TF.js's
  // counter and may hold tensors across any await, but never run inside a synchronous stretch.
  const bytes = (): number => tf.memory().numBytes;
  const batch = rowsTensors(set, rows, { trimPadding: true });
  const opt = new Adam({ learningRate: 1e-3 });
  // A first model, thrown away, so that whatever `make` keeps across calls exists before we count.
  make().dispose();
  let m = bytes();
  const enc = make();
  const floatWeights = bytes() - m;
  try {
    const params = enc.namedParameters().reduce((a, p) => a + p.variable.size, 0);
    const blocks = blockLinearNames(enc).map((n) => enc.linear(n).weight.size);
    const blockParams = blocks.reduce((a, n) => a + n, 0);
    const opts = quantOptionsOf(base);
    let freed = 0;
    let quantized = 0;
    if (opts) {
      const plan = await planQuantizedBase(enc, opts);
      m = bytes();
      plan.install();
      freed = m - bytes();
      quantized = plan.report.quantizedBytes;
    }
    m = bytes();
    const peft = getPeftModel(
      enc,
      { r, loraAlpha: 2 * r, targetModules: [...QLORA_TARGETS], modulesToSave: ['classifier'] },
      { seed: 0 },
    );
    const adapters = bytes() - m;
    const vars = peft.trainableVariables();
    const trainable = vars.reduce((a, v) => a + v.size, 0);
    const adapterParams = peft
      .parameterRows()
      .filter((row) => row.name.includes('lora_'))
      .reduce((a, row) => a + row.count, 0);
    const loss = (): tf.Scalar =>
      softmaxCrossEntropy(enc.classify(batch.ids, batch.mask, { training: false }), batch.labels);
    m = bytes();
    const { value, grads } = tf.variableGrads(loss, vars);
    // The loss value (one float) is held beside the gradients.
    const gradients = bytes() - m - F32;
    tf.dispose([value, ...Object.values(grads)]);
    m = bytes();
    opt.step(loss, vars).dispose();
    const optimizer = bytes() - m;
    peft.dispose();
    return {
      base,
      params,
      trainable,
      weights: {
        measured: floatWeights - freed,
        predicted: (params - (opts ? blockParams : 0)) * F32,
      },
      quantized: { measured: quantized, predicted: quantizedPrediction(base, blocks) },
      adapters: { measured: adapters, predicted: adapterParams * F32 },
      gradients: { measured: gradients, predicted: trainable * F32 },
      optimizer: { measured: optimizer, predicted: 2 * trainable * F32 },
    };
  } finally {
    disposeBatch(batch);
    opt.dispose();
    enc.dispose();
  }
}

/**
 * The closed form of the bytes the quantised blocks hold, from each matrix's size `n` (blocks of
 * 64, so ⌈n/64⌉ constants): int8 one byte per value plus a float32 constant per block; NF4 half a
 * byte per value plus the constants; with double quantisation the constants as one byte each, a
 * float32 scale per 256 of them and one float32 mean (QLoRA §3; 4.127 bits per weight when the
 * blocks divide evenly, the core's `nf4BitsPerParam(64, true)`).
 */
function quantizedPrediction(base: QuantBase, blocks: readonly number[]): number {
  const per = (n: number): number => {
    const constants = Math.ceil(n / 64);
    switch (base) {
      case 'float32':
        return 0;
      case 'int8':
        return n + 4 * constants;
      case 'nf4':
        return Math.ceil(n / 2) + 4 * constants;
      case 'nf4-dq':
        return Math.ceil(n / 2) + constants + 4 * Math.ceil(constants / 256) + 4;
    }
  };
  return blocks.reduce((a, n) => a + per(n), 0);
}
