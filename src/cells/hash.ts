/**
 * A short, stable, synchronous string hash (FNV-1a, 32 bit, as 8 hex digits). Used to recognise
 * whether a lesson's original cell source changed since a reader edited it, and as the default
 * lesson version. Not cryptographic: it only has to notice edits to a few hundred lines of code.
 */
export function hashSource(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

/** The version of a lesson: a hash over its cells' sources, in order. */
export function lessonVersion(sources: readonly string[]): string {
  return hashSource(sources.map((s) => `${String(s.length)}:${s}`).join('\u0000'));
}
