/** Optimisers, schedules and the training loop. */
export { Adam, OptimizerError, type AdamOptions, type LearningRate } from './adam.ts';
export { warmupDecay, ScheduleError, type ScheduleOptions } from './schedule.ts';
export { trainLoop, trainToEnd, type TrainStep, type TrainLoopOptions } from './loop.ts';
export { accuracy, encoderAccuracy } from './evaluate.ts';
export { rowsTensors, disposeBatch, type RowsBatch } from './batches.ts';
