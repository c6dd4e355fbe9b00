/** Subspace training and intrinsic dimension (Li et al. 2018; Aghajanyan et al. 2020). */
export * from './errors.ts';
export * from './layout.ts';
export * from './projection.ts';
export * from './model.ts';
export * from './train.ts';
export * from './evaluate.ts';
export * from './d90.ts';
export * from './mnist-run.ts';
export * from './encoder-run.ts';
