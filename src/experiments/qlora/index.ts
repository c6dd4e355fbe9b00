/** LoRA on a quantised base (QLoRA): quantise the frozen encoder, train float32 adapters on it. */
export * from './errors.ts';
export * from './experiment.ts';
export * from './results.ts';
export * from './memory.ts';
