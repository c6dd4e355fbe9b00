/** LoRA (and its DoRA and PiSSA variants): config, layers, the PeftModel, planning and PEFT-format save/load. */
export * from './config.ts';
export * from './errors.ts';
export * from './match.ts';
export * from './init.ts';
export * from './layer.ts';
export * from './plan.ts';
export * from './peft-model.ts';
export * from './io.ts';
export * from './pissa.ts';
