/** Training in a random subspace of a model's parameters (Li et al. 2018; Aghajanyan et al. 2020). */
export * from './errors.ts';
export * from './layout.ts';
export * from './projection.ts';
export * from './model.ts';
export * from './train.ts';
