/**
 * A short, stable, synchronous string hash (FNV-1a, 32 bit, as 8 hex digits). Used to recognise
 * whether a lesson's original cell source changed since a reader edited it, and as the default
 * lesson version. Not cryptographic: it only has to notice edits to a few hundred lines of code.
 */
import { fnv1a32 } from '../core/hash.ts';

/** `text`'s FNV-1a hash as 8 hex digits. */
export function hashSource(text: string): string {
  return fnv1a32(text).toString(16).padStart(8, '0');
}

/** The version of a lesson: a hash over its cells' sources, in order. */
export function lessonVersion(sources: readonly string[]): string {
  return hashSource(sources.map((s) => `${String(s.length)}:${s}`).join('\u0000'));
}
