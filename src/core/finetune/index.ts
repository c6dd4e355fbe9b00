/**
 * Fine-tuning for the training lesson: tasks, data, a resumable session, and `meanSd` (the core's
 * one mean ± sd, which lesson cells call as `core.meanSd`).
 */
export * from './errors.ts';
export * from './data.ts';
export * from './session.ts';
export { meanSd } from './stats.ts';
