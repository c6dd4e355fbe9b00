/**
 * One sentiment run of an encoder (pretrained or randomly initialised) either in a random
 * d-dimensional subspace of all its parameters or fine-tuned in full — the experiment of
 * Aghajanyan et al. (2020), "Intrinsic Dimensionality Explains the Effectiveness of Language Model
 * Fine-Tuning", at this site's scale. Dropout is off, so a run is a function of its seeds.
 */
import type { EncodedRows } from '../../core/data/tasks.ts';
import type { Encoder } from '../../core/models/encoder.ts';
import { softmaxCrossEntropy } from '../../core/nn/loss.ts';
import { Rng } from '../../core/rng.ts';
import { tailMean } from '../../core/stats.ts';
import { BatchOrder, disposeBatch, rowsTensors, StepBatch } from '../../core/train/batches.ts';
import { encoderAccuracy } from '../../core/train/evaluate.ts';
import type { ProjectionKind } from '../../core/subspace/projection.ts';
import { checkRunSize, trainInSubspace } from './train.ts';

/** Options of {@link encoderRun}. */
export interface EncoderRunOptions {
  /** The model to train (with a classification head); trained in place, the caller disposes it. */
  readonly encoder: Encoder;
  readonly train: EncodedRows;
  readonly test: EncodedRows;
  /** Subspace dimension, or 'full' for ordinary fine-tuning of every parameter. */
  readonly d: number | 'full';
  /** Seed of the projection and the batch order. */
  readonly seed: number;
  readonly steps: number;
  /** Batch size (default 32). */
  readonly batchSize?: number;
  /** Adam learning rate. */
  readonly learningRate: number;
  /** Projection kind (default 'sparse'). */
  readonly projection?: ProjectionKind;
  readonly signal?: AbortSignal;
}

/** The outcome of an {@link encoderRun}. */
export interface EncoderRunResult {
  readonly d: number | 'full';
  readonly seed: number;
  /** Parameters of the encoder, D. */
  readonly D: number;
  readonly steps: number;
  readonly epochs: number;
  readonly accuracy: number;
  readonly finalLoss: number;
  readonly ms: number;
  readonly stopped: boolean;
}

/** Trains `encoder` (yielding each step) and returns its test accuracy. */
export async function* encoderRun(
  o: EncoderRunOptions,
): AsyncGenerator<{ step: number; loss: number; ms: number }, EncoderRunResult, undefined> {
  const t0 = performance.now();
  const batchSize = o.batchSize ?? 32;
  const n = o.train.n;
  checkRunSize(n, batchSize, o.steps);
  const enc = o.encoder;
  const order = new BatchOrder({ n, batchSize, rng: new Rng(o.seed).fork('batches') });
  const batch = new StepBatch(() => rowsTensors(o.train, order.next()), disposeBatch);
  const D = enc.namedParameters().reduce((a, p) => a + p.variable.size, 0);
  const losses: number[] = [];
  try {
    for await (const s of trainInSubspace({
      network: enc,
      d: o.d,
      projection: o.projection,
      seed: o.seed,
      loss: () => {
        const b = batch.current();
        return softmaxCrossEntropy(enc.classify(b.ids, b.mask, { training: false }), b.labels);
      },
      steps: o.steps,
      learningRate: o.learningRate,
      beforeStep: batch.load,
      afterStep: batch.drop,
      signal: o.signal,
    })) {
      losses.push(s.loss);
      yield s;
    }
    return {
      d: o.d,
      seed: o.seed,
      D,
      steps: losses.length,
      epochs: (losses.length * batchSize) / n,
      accuracy: await encoderAccuracy(enc, o.test),
      finalLoss: tailMean(losses),
      ms: performance.now() - t0,
      stopped: losses.length < o.steps,
    };
  } finally {
    batch.drop();
  }
}

/** Runs {@link encoderRun} to the end and returns its result. */
export async function encoderRunToEnd(o: EncoderRunOptions): Promise<EncoderRunResult> {
  const it = encoderRun(o);
  for (;;) {
    const r = await it.next();
    if (r.done === true) return r.value;
  }
}
