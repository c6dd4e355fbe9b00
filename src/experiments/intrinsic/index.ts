/** The intrinsic-dimension lesson: MNIST and encoder runs in a random subspace, and d90. */
export * from './d90.ts';
export * from './mnist-run.ts';
export * from './encoder-run.ts';
export * from './results.ts';
export * from './labels.ts';
