/**
 * FNV-1a, 32 bits, over the UTF-16 code units of a string. Small, fast and identical in every JS
 * engine — used to place sentences in splits independently of input order, and to derive seeds.
 * Not cryptographic.
 */
export function fnv1a32(text: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}
