/** The initialisation lesson: its tasks, experiments and the lesson's settings. */
export * from './tasks.ts';
export * from './experiments.ts';
export * from './lesson.ts';
export * from './results.ts';
export * from './labels.ts';
