/** Training-memory calculator for decoder LLMs: full fine-tuning, LoRA and QLoRA. */
export * from './errors.ts';
export * from './shape.ts';
export * from './train.ts';
