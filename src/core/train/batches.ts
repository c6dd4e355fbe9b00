/**
 * Batches for training: which rows each step sees, and the tensors of those rows. Every training
 * run in the site — lessons' experiments, the training worker, the precompute scripts — draws its
 * batches here, so the same seed gives the same batches everywhere. Masked-language-model batches
 * (`data/mlm.ts`'s {@link MlmBatch}, drawn by the pretraining scripts) become tensors with
 * {@link mlmTensors}.
 */
import * as tf from '@tensorflow/tfjs';
import type { MlmBatch } from '../data/mlm.ts';
import { batchRows, type EncodedRows } from '../data/tasks.ts';
import type { Rng } from '../rng.ts';

/** Options of {@link BatchOrder}. */
export interface BatchOrderOptions {
  /** Number of examples. */
  readonly n: number;
  /** Rows per batch (at most `n`). */
  readonly batchSize: number;
  /** The seeded stream the shuffles draw from (the caller may share it, e.g. with dropout). */
  readonly rng: Rng;
  /**
   * How epochs meet (default `'whole-batches'`):
   * - `'whole-batches'`: an epoch is cut into whole batches and its remainder skipped; each new
   *   epoch reshuffles the previous epoch's order in place (the lessons' experiments and their
   *   committed results);
   * - `'stream'`: rows are taken one after another from a fresh shuffle of `0…n−1` per epoch, so
   *   a batch may run across two epochs (the training lesson's session).
   */
  readonly epochs?: 'whole-batches' | 'stream';
}

/**
 * Which rows each training step sees: epochs of seeded shuffles of `0…n−1` cut into batches.
 * The same `rng` state gives the same batches, whoever asks.
 */
export class BatchOrder {
  private order: number[];
  private cursor: number;
  private readonly mode: 'whole-batches' | 'stream';

  /** @throws {RangeError} unless `batchSize` is an integer in [1, n]. */
  constructor(private readonly o: BatchOrderOptions) {
    if (!Number.isInteger(o.batchSize) || o.batchSize < 1 || o.batchSize > o.n)
      throw new RangeError(`batchSize = ${String(o.batchSize)}: must be an integer in [1, ${o.n}]`);
    this.mode = o.epochs ?? 'whole-batches';
    this.order = this.mode === 'stream' ? [] : Array.from({ length: o.n }, (_, i) => i);
    this.cursor = this.mode === 'stream' ? 0 : o.n;
  }

  /** The rows of the next batch (`batchSize` of them), shuffling when an epoch is used up. */
  next(): number[] {
    const { n, batchSize, rng } = this.o;
    if (this.mode === 'whole-batches') {
      if (this.cursor + batchSize > n) {
        rng.shuffle(this.order);
        this.cursor = 0;
      }
      const rows = this.order.slice(this.cursor, this.cursor + batchSize);
      this.cursor += batchSize;
      return rows;
    }
    const rows: number[] = [];
    while (rows.length < batchSize) {
      if (this.cursor >= this.order.length) {
        this.order = rng.shuffle(Array.from({ length: n }, (_, i) => i));
        this.cursor = 0;
      }
      rows.push(this.order[this.cursor++] ?? 0);
    }
    return rows;
  }
}

/** The tensors of a batch of encoded rows: ids and mask `[B, T]`, labels `[B]` (all int32). */
export interface RowsBatch {
  readonly ids: tf.Tensor2D;
  readonly mask: tf.Tensor2D;
  readonly labels: tf.Tensor1D;
}

/**
 * Rows `rows` of `set` as tensors (the caller disposes them, e.g. with {@link disposeBatch}).
 * With `trimPadding`, the batch is cut to its longest row (counted by the mask): inputs are
 * right-padded and padded keys are masked out, so dropping columns that are padding in every row
 * changes no output (only float summation order) and saves the work of attending over them.
 */
export function rowsTensors(
  set: EncodedRows,
  rows: readonly number[],
  opts: { readonly trimPadding?: boolean } = {},
): RowsBatch {
  const T = set.maxLen;
  let len = T;
  if (opts.trimPadding === true) {
    len = 1;
    for (const r of rows) {
      let n = 0;
      for (let t = 0; t < T; t++) n += set.mask[r * T + t] ?? 0;
      len = Math.max(len, n);
    }
  }
  const b = batchRows(set, rows, len);
  return {
    ids: tf.tensor2d(b.ids, [rows.length, len], 'int32'), // [B, len]
    mask: tf.tensor2d(b.mask, [rows.length, len], 'int32'), // [B, len]
    labels: tf.tensor1d(b.labels, 'int32'), // [B]
  };
}

/** Frees a batch's tensors. */
export function disposeBatch(b: RowsBatch): void {
  tf.dispose([b.ids, b.mask, b.labels]);
}

/** The tensors of a masked-LM batch: ids and mask `[B, T]`, masked positions and labels `[N]` (int32). */
export interface MlmTensors {
  readonly ids: tf.Tensor2D;
  /** 1 at real tokens, 0 at padding. */
  readonly mask: tf.Tensor2D;
  /** Flat positions `b·T + t` whose original token is predicted. */
  readonly positions: tf.Tensor1D;
  /** The original token ids at `positions`. */
  readonly labels: tf.Tensor1D;
}

/** A masked-LM batch as tensors, for `Encoder.mlmLoss` (the caller disposes them). */
export function mlmTensors(b: MlmBatch): MlmTensors {
  return {
    ids: tf.tensor2d(b.inputIds, [b.batch, b.maxLen], 'int32'), // [B, T]
    mask: tf.tensor2d(b.attentionMask, [b.batch, b.maxLen], 'int32'), // [B, T]
    positions: tf.tensor1d(b.maskedPositions, 'int32'), // [N]
    labels: tf.tensor1d(b.maskedLabels, 'int32'), // [N]
  };
}

/**
 * The batch of the training step being taken, for the training loop's hooks: `load` (its
 * `beforeStep`) makes the step's batch with `make`, `drop` (its `afterStep`, and a final clean-up)
 * frees it with `free`, and the loss reads it with `current()`.
 *
 *     const feed = new StepBatch(() => rowsTensors(set, order.next()), disposeBatch);
 *     trainLoop({ …, beforeStep: feed.load, afterStep: feed.drop,
 *                 loss: () => lossOf(feed.current()) });
 */
export class StepBatch<B> {
  private batch: B | null = null;

  constructor(
    private readonly make: (step: number) => B,
    private readonly free: (batch: B) => void,
  ) {}

  /** Makes step `step`'s batch (freeing one left over). */
  readonly load = (step: number): void => {
    this.drop();
    this.batch = this.make(step);
  };

  /** Frees the batch, if there is one. */
  readonly drop = (): void => {
    if (this.batch !== null) this.free(this.batch);
    this.batch = null;
  };

  /** The step's batch. @throws {Error} outside a step (between `drop` and the next `load`). */
  current(): B {
    if (this.batch === null)
      throw new Error('StepBatch: no batch loaded (outside a training step)');
    return this.batch;
  }
}

/**
 * One epoch of batches grouped by length (the idea of Hugging Face's `group_by_length`): shuffle
 * the rows `0…n−1` (n = `lengths.length`), cut them into chunks of `chunkBatches` batches, sort
 * each chunk by `lengths[row]` (stable: equal lengths keep their shuffled order), cut each chunk
 * into batches and shuffle the batches. Rows in one batch then have similar lengths, so padding a
 * batch to its longest row wastes little; every row appears exactly once, and a chunk's last batch
 * may be short. The same `rng` state gives the same batches.
 * @throws {RangeError} unless `batchSize` and `chunkBatches` are positive integers.
 */
export function lengthGroupedBatches(
  lengths: readonly number[],
  batchSize: number,
  rng: Rng,
  chunkBatches = 8,
): number[][] {
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new RangeError(`batchSize = ${String(batchSize)}: must be a positive integer`);
  if (!Number.isInteger(chunkBatches) || chunkBatches < 1)
    throw new RangeError(`chunkBatches = ${String(chunkBatches)}: must be a positive integer`);
  const rows = rng.shuffle(Array.from({ length: lengths.length }, (_, i) => i));
  const len = (r: number): number => lengths[r] ?? 0;
  const batches: number[][] = [];
  const chunk = chunkBatches * batchSize;
  for (let c = 0; c < rows.length; c += chunk) {
    const part = rows.slice(c, c + chunk).sort((x, y) => len(x) - len(y));
    for (let b = 0; b < part.length; b += batchSize) batches.push(part.slice(b, b + batchSize));
  }
  return rng.shuffle(batches);
}
