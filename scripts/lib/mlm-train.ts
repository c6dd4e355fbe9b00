/**
 * Masked-language-model training of the encoder through the core's one training loop
 * (src/core/train/loop.ts's `trainLoop`): each step's batch comes from `batchAt(step)` (for
 * pretraining a pure function of seed and step, scripts/lib/pretrain-data.ts's `trainBatch`), is
 * made into tensors by the core's `mlmTensors`, and is freed after the step. No dropout: the
 * pretraining run sees well under one epoch (as in Geiping & Goldstein 2023, "Cramming").
 */
import * as tf from '@tensorflow/tfjs';
import type { MlmBatch } from '../../src/core/data/mlm.ts';
import type { Encoder } from '../../src/core/models/encoder.ts';
import type { Adam } from '../../src/core/train/adam.ts';
import { mlmTensors, StepBatch, type MlmTensors } from '../../src/core/train/batches.ts';
import { trainLoop, type TrainStep } from '../../src/core/train/loop.ts';

/** Options of {@link mlmTraining}. */
export interface MlmTrainingOptions {
  readonly encoder: Encoder;
  /** The optimiser; its step count is the run's (so its schedule gives step `fromStep` its rate). */
  readonly optimizer: Adam;
  /** The variables to train. */
  readonly variables: readonly tf.Variable[];
  /** The batch of step `step` (counted over the whole run, resumptions included). */
  readonly batchAt: (step: number) => MlmBatch;
  /** The run's step to start at (0, or where a checkpoint left off). */
  readonly fromStep: number;
  /** Number of steps (default: until the caller stops iterating). */
  readonly steps?: number;
}

/** One step taken: the core's {@link TrainStep} with `step` counted over the run, and its batch. */
export interface MlmStep extends TrainStep {
  readonly batch: MlmBatch;
}

/**
 * MLM training steps from `fromStep` on: yields each step's loss, learning rate and batch. Stop
 * by breaking out of `for await`; the step's tensors are freed before each yield.
 */
export async function* mlmTraining(o: MlmTrainingOptions): AsyncGenerator<MlmStep, void> {
  let batch: MlmBatch | null = null; // the step's batch, as drawn
  const tensors = new StepBatch(
    (i) => {
      batch = o.batchAt(o.fromStep + i);
      return mlmTensors(batch);
    },
    (t: MlmTensors) => {
      tf.dispose(Object.values(t));
    },
  );
  const loop = trainLoop({
    optimizer: o.optimizer,
    variables: o.variables,
    ...(o.steps === undefined ? {} : { steps: o.steps }),
    beforeStep: tensors.load,
    afterStep: tensors.drop,
    loss: () => {
      const t = tensors.current();
      return o.encoder.mlmLoss(t.ids, t.mask, t.positions, t.labels, { training: false });
    },
  });
  for await (const s of loop) {
    const drawn = batch as MlmBatch | null; // set by the step just taken
    if (drawn === null) throw new Error('mlmTraining: no batch');
    yield { ...s, step: o.fromStep + s.step, batch: drawn };
  }
}
