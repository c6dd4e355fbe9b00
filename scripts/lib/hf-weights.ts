/** Hugging Face layout helpers for scripts: re-exported from the core's loader (one implementation). */
export { fromHfConfig, isDenseWeight, transposeDense } from '../../src/core/data/pretrained.ts';
