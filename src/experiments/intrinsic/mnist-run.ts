/**
 * One MNIST run of Li et al.'s (2018) fully connected network, either in a random d-dimensional
 * subspace or trained in full (the baseline), from the same init: the one recipe the precompute
 * script (Node, WASM) and the lesson's cells (browser) both call, so their numbers are comparable.
 * Settings follow the paper where they can: Adam, learning rate 1e-3, batch 128, inputs scaled to
 * [0, 1]; the number of steps is the caller's budget (the paper trains 100 epochs).
 */
import * as tf from '@tensorflow/tfjs';
import type { IdxImages } from '../../core/data/mnist.ts';
import { Mlp } from '../../core/models/mlp.ts';
import { softmaxCrossEntropy } from '../../core/nn/loss.ts';
import { Rng } from '../../core/rng.ts';
import { tailMean } from '../../core/stats.ts';
import { BatchOrder, StepBatch } from '../../core/train/batches.ts';
import { SubspaceError } from '../../core/subspace/errors.ts';
import { accuracy } from '../../core/train/evaluate.ts';
import type { ProjectionKind } from '../../core/subspace/projection.ts';
import { checkRunSize, trainInSubspace } from './train.ts';

/** Li et al.'s MNIST fully connected network: 784-200-200-10, ReLU (199,210 parameters). */
export const MNIST_FC_SIZES: readonly number[] = [784, 200, 200, 10];

/** Images and labels on the backend: `x` `[N, 784]` in [0, 1], `y` int32 `[N]`. */
export interface LabelledSet {
  readonly x: tf.Tensor2D;
  readonly y: tf.Tensor1D;
}

/** The first `count` digits of an IDX image/label pair as tensors (caller disposes). */
export function mnistTensors(images: IdxImages, labels: Uint8Array, count?: number): LabelledSet {
  const n = count ?? images.count;
  if (!Number.isInteger(n) || n < 1 || n > images.count || n > labels.length)
    throw new SubspaceError(
      'count',
      n,
      `must be an integer in [1, ${Math.min(images.count, labels.length)}]`,
    );
  const px = images.rows * images.cols;
  const f = new Float32Array(n * px);
  for (let i = 0; i < n * px; i++) f[i] = (images.pixels[i] ?? 0) / 255;
  return {
    x: tf.tensor2d(f, [n, px]),
    y: tf.tensor1d(Int32Array.from(labels.subarray(0, n)), 'int32'),
  };
}

/** Options of {@link mnistRun}. */
export interface MnistRunOptions {
  /** Subspace dimension, or 'full' for ordinary training of all parameters (the baseline). */
  readonly d: number | 'full';
  /** Seed of the init, the projection and the batch order. */
  readonly seed: number;
  /** Optimiser steps. */
  readonly steps: number;
  /** Batch size (default 128, as Li et al.). */
  readonly batchSize?: number;
  /** Adam learning rate (default 1e-3, as Li et al.). */
  readonly learningRate?: number;
  /** Projection kind (default 'sparse'). */
  readonly projection?: ProjectionKind;
  /** Layer widths (default {@link MNIST_FC_SIZES}). */
  readonly sizes?: readonly number[];
  /** Stops between steps. */
  readonly signal?: AbortSignal;
}

/** Progress of a run: one per step. */
export interface MnistRunStep {
  readonly step: number;
  readonly loss: number;
  readonly ms: number;
}

/** The outcome of a run. */
export interface MnistRunResult {
  readonly d: number | 'full';
  readonly seed: number;
  /** Trained parameters (d, or D for 'full'). */
  readonly trained: number;
  /** Parameters of the network, D. */
  readonly D: number;
  readonly steps: number;
  /** Passes over the training set: steps · batch / N. */
  readonly epochs: number;
  /** Test accuracy after the last step. */
  readonly accuracy: number;
  /** Mean training loss over the last 10% of steps. */
  readonly finalLoss: number;
  /** Wall time of training and evaluation, ms. */
  readonly ms: number;
  /** Whether it was stopped early (by `signal`). */
  readonly stopped: boolean;
}

/**
 * Trains one network (yielding each step) and returns its test accuracy. Batches are drawn
 * without replacement, reshuffled every epoch from `seed`. Frees everything it made.
 */
export async function* mnistRun(
  train: LabelledSet,
  test: LabelledSet,
  o: MnistRunOptions,
): AsyncGenerator<MnistRunStep, MnistRunResult, undefined> {
  const t0 = performance.now();
  const batchSize = o.batchSize ?? 128;
  const lr = o.learningRate ?? 1e-3;
  const n = train.x.shape[0];
  checkRunSize(n, batchSize, o.steps);
  const mlp = new Mlp(
    { sizes: o.sizes ?? MNIST_FC_SIZES, activation: 'relu', bias: true },
    { seed: o.seed },
  );
  const order = new BatchOrder({ n, batchSize, rng: new Rng(o.seed).fork('batches') });
  const batch = new StepBatch(
    () =>
      tf.tidy(() => {
        const idx = tf.tensor1d(order.next(), 'int32');
        return { x: tf.gather(train.x, idx), y: tf.gather(train.y, idx) };
      }),
    (b) => {
      tf.dispose([b.x, b.y]);
    },
  );
  const D = mlp.namedParameters().reduce((a, p) => a + p.variable.size, 0);
  const losses: number[] = [];
  try {
    for await (const s of trainInSubspace({
      network: mlp,
      d: o.d,
      projection: o.projection,
      seed: o.seed,
      loss: () => {
        const b = batch.current();
        return softmaxCrossEntropy(mlp.forward(b.x, { training: true }), b.y);
      },
      steps: o.steps,
      learningRate: lr,
      beforeStep: batch.load,
      afterStep: batch.drop,
      signal: o.signal,
    })) {
      losses.push(s.loss);
      yield s;
    }
    const stopped = losses.length < o.steps;
    const acc = await accuracy((x) => mlp.forward(x), test.x, test.y);
    return {
      d: o.d,
      seed: o.seed,
      trained: o.d === 'full' ? D : o.d,
      D,
      steps: losses.length,
      epochs: (losses.length * batchSize) / n,
      accuracy: acc,
      finalLoss: tailMean(losses),
      ms: performance.now() - t0,
      stopped,
    };
  } finally {
    batch.drop();
    mlp.dispose();
  }
}

/** Runs {@link mnistRun} to the end, ignoring progress, and returns its result. */
export async function mnistRunToEnd(
  train: LabelledSet,
  test: LabelledSet,
  o: MnistRunOptions,
): Promise<MnistRunResult> {
  const it = mnistRun(train, test, o);
  for (;;) {
    const r = await it.next();
    if (r.done === true) return r.value;
  }
}
