/** Data for the lessons: tokenizer, sentiment split, MNIST parsers, MLM batches (no DOM, no fs). */
export * from './errors.ts';
export * from '../hash.ts';
export * from './words.ts';
export * from './tokenizer.ts';
export * from './sentiment.ts';
export * from './mnist.ts';
export * from './mlm.ts';
export * from './pretrained.ts';
export * from './integrity.ts';
export * from './tasks.ts';
export * from './labelled.ts';
