/**
 * One sentiment run of an encoder (pretrained or randomly initialised) either in a random
 * d-dimensional subspace of all its parameters or fine-tuned in full — the experiment of
 * Aghajanyan et al. (2020), "Intrinsic Dimensionality Explains the Effectiveness of Language Model
 * Fine-Tuning", at this site's scale. Dropout is off, so a run is a function of its seeds.
 */
import * as tf from '@tensorflow/tfjs';
import type { EncodedRows } from '../../core/data/tasks.ts';
import type { Encoder } from '../../core/models/encoder.ts';
import { softmaxCrossEntropy } from '../../core/nn/loss.ts';
import { Rng } from '../../core/rng.ts';
import { Adam } from '../../core/train/adam.ts';
import { BatchOrder, disposeBatch, rowsTensors, type RowsBatch } from '../../core/train/batches.ts';
import { trainLoop } from '../../core/train/loop.ts';
import { encoderAccuracy } from '../../core/train/evaluate.ts';
import { SubspaceError } from '../../core/subspace/errors.ts';
import { SubspaceModel } from '../../core/subspace/model.ts';
import type { ProjectionKind } from '../../core/subspace/projection.ts';
import { trainSubspace } from '../../core/subspace/train.ts';

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
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > n)
    throw new SubspaceError('batchSize', batchSize, `must be an integer in [1, ${n}]`);
  if (!Number.isInteger(o.steps) || o.steps < 1)
    throw new SubspaceError('steps', o.steps, 'must be a positive integer');
  const enc = o.encoder;
  const batches = new BatchOrder({ n, batchSize, rng: new Rng(o.seed).fork('batches') });
  let batch: RowsBatch | null = null;
  const nextBatch = (): void => {
    batch = rowsTensors(o.train, batches.next());
  };
  const dropBatch = (): void => {
    if (batch) disposeBatch(batch);
    batch = null;
  };
  const lossFn = (): tf.Scalar => {
    if (!batch) throw new SubspaceError('batch', null, 'no batch prepared');
    return softmaxCrossEntropy(
      enc.classify(batch.ids, batch.mask, { training: false }),
      batch.labels,
    );
  };
  const vars = enc.namedParameters().map((p) => p.variable);
  const D = vars.reduce((a, v) => a + v.size, 0);
  const losses: number[] = [];
  try {
    if (o.d === 'full') {
      for (const v of vars) v.trainable = true;
      const opt = new Adam({ learningRate: o.learningRate });
      try {
        // Stopped during a pause, the loop ends before touching the model (it may be freed).
        for await (const s of trainLoop({
          optimizer: opt,
          variables: vars,
          loss: lossFn,
          steps: o.steps,
          beforeStep: nextBatch,
          afterStep: dropBatch,
          ...(o.signal ? { signal: o.signal } : {}),
        })) {
          losses.push(s.loss);
          yield { step: s.step, loss: s.loss, ms: s.ms };
        }
      } finally {
        opt.dispose();
      }
    } else {
      const model = await SubspaceModel.create(enc, {
        d: o.d,
        projection: o.projection ?? 'sparse',
        seed: o.seed,
      });
      for await (const s of trainSubspace({
        model,
        loss: lossFn,
        steps: o.steps,
        learningRate: o.learningRate,
        beforeStep: nextBatch,
        afterStep: dropBatch,
        ...(o.signal ? { signal: o.signal } : {}),
      })) {
        losses.push(s.loss);
        yield { step: s.step, loss: s.loss, ms: s.ms };
      }
    }
    const accuracy = await encoderAccuracy(enc, o.test);
    const tail = losses.slice(Math.floor(losses.length * 0.9));
    return {
      d: o.d,
      seed: o.seed,
      D,
      steps: losses.length,
      epochs: (losses.length * batchSize) / n,
      accuracy,
      finalLoss: tail.length > 0 ? tail.reduce((a, b) => a + b, 0) / tail.length : Number.NaN,
      ms: performance.now() - t0,
      stopped: losses.length < o.steps,
    };
  } finally {
    dropBatch();
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
