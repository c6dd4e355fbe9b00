/** Fine-tuning for the training lesson: tasks, data, a resumable session, run statistics. */
export * from './errors.ts';
export * from './data.ts';
export * from './stats.ts';
export * from './session.ts';
