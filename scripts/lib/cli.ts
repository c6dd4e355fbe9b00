/** Small helpers the precompute scripts share: command-line flags and file hashes. */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** The value after `--name` on the command line, or `fallback`. */
export function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

/** A comma-separated list of numbers (`"0,1,2"` → `[0, 1, 2]`). */
export const nums = (s: string): number[] => s.split(',').map((x) => Number(x.trim()));

/** Hex sha256 of a file (results record the model weights they were made with). */
export const sha256File = (file: string): string =>
  createHash('sha256').update(readFileSync(file)).digest('hex');
