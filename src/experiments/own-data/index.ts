/** Your own data: reading a reader's file of labelled sentences, fine-tuning on it, taking the adapter out. */
export * from './parse-table.ts';
export * from './session.ts';
export * from './storage.ts';
export * from './read-table.ts';
