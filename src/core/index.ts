/**
 * The typed core: LoRA, models, training, data and backend choice — a library, with no lesson's
 * name in it. It imports TF.js and nothing else (no page, no experiment), so the same module runs
 * in lesson cells (browser), in scripts and in tests (Node). Each lesson's experiments live above
 * it, in src/experiments/<lesson>/ (docs/architecture.md).
 *
 * Every export below carries its own doc comment at its definition.
 */

/** Version of the core API (bumped on breaking changes). */
export const CORE_VERSION = '0.1.0';

export * from './backend.ts';
export * from './rng.ts';
export * from './yield.ts';
export * from './nn/index.ts';
export * from './models/types.ts';
export * from './models/encoder.ts';
export * from './io/safetensors.ts';
export * from './io/hf-encoder.ts';
export * from './io/model-files.ts';
export * from './schema.ts';
export * from './train/index.ts';
export * from './accounting.ts';
export * from './models/params-store.ts';
export * from './models/mlp.ts';
export * from './models/specs.ts';
export * from './lora/index.ts';
export * from './data/index.ts';
export * from './stats.ts';
export * from './subspace/index.ts';
export * from './quant/index.ts';
export * from './memory/index.ts';
