/** The training lesson: a resumable fine-tuning session (two tasks, merge, save/load, swap). */
export * from './errors.ts';
export * from './run-config.ts';
export * from './session.ts';
