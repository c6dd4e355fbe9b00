/** Is the update really low-rank? ΔW's spectrum, rank-r truncation, subspace overlap, forgetting. */
export * from './errors.ts';
export * from './linalg.ts';
export * from './experiment.ts';
export * from './analysis.ts';
export * from './results.ts';
