/**
 * Small helpers the precompute scripts share (flags themselves are parsed with node:util's
 * `parseArgs` in each script): number lists and file hashes.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** A comma-separated list of numbers (`"0,1,2"` → `[0, 1, 2]`). */
export const nums = (s: string): number[] => s.split(',').map((x) => Number(x.trim()));

/** Hex sha256 of a file (results record the model weights they were made with). */
export const sha256File = (file: string): string =>
  createHash('sha256').update(readFileSync(file)).digest('hex');
