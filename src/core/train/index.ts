/** Optimisers, schedules and the training loop. */
export {
  Adam,
  decaysByConvention,
  OptimizerError,
  type AdamOptions,
  type LearningRate,
} from './adam.ts';
export { warmupDecay, ScheduleError, type ScheduleOptions } from './schedule.ts';
export {
  createLoraPlusOptimizer,
  loraPlusLrScale,
  LORAPLUS_DEFAULT_RATIO,
  type LoraPlusOptions,
} from './loraplus.ts';
export {
  runSteps,
  trainLoop,
  trainToEnd,
  type StepLoopOptions,
  type StepOutcome,
  type TrainStep,
  type TrainLoopOptions,
} from './loop.ts';
export { accuracy, encoderAccuracy, mlmScore, type MlmScore } from './evaluate.ts';
export {
  BatchOrder,
  rowsTensors,
  disposeBatch,
  mlmTensors,
  StepBatch,
  lengthGroupedBatches,
  type BatchOrderOptions,
  type MlmTensors,
  type RowsBatch,
} from './batches.ts';
