/** Block-wise quantisation (int8 absmax, NF4, double quantisation) and QLoRA's frozen linear. */
export * from './errors.ts';
export * from './normal.ts';
export * from './blockwise.ts';
export * from './linear.ts';
export * from './model.ts';
