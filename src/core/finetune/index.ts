/**
 * Fine-tuning for the training lesson: tasks, data, a resumable session. (`stats.ts` stays
 * internal: the core's public `meanSd` comes from `adapters/`.)
 */
export * from './errors.ts';
export * from './data.ts';
export * from './session.ts';
