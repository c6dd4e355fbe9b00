/** Text edits at source positions, applied in one left-to-right pass. */

/** Replace `source.slice(start, end)` with `text` (start === end inserts). */
export interface SourceEdit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/**
 * Applies non-overlapping edits. Insertions at the same position keep their given order and come
 * before a replacement starting there.
 * @throws Error when two replacements overlap (a bug in the caller).
 */
export function applyEdits(source: string, edits: readonly SourceEdit[]): string {
  const sorted = edits
    .map((e, order) => ({ ...e, order }))
    .sort((a, b) => a.start - b.start || a.end - a.start - (b.end - b.start) || a.order - b.order);
  let out = '';
  let pos = 0;
  for (const e of sorted) {
    if (e.start < pos) {
      throw new Error(
        `applyEdits: overlapping edit at ${String(e.start)} (already at ${String(pos)})`,
      );
    }
    out += source.slice(pos, e.start) + e.text;
    pos = e.end;
  }
  return out + source.slice(pos);
}

/** Blanks a range but keeps its newlines, so line numbers after it do not move. */
export function blank(source: string, start: number, end: number): SourceEdit {
  return { start, end, text: source.slice(start, end).replace(/[^\n]/g, ' ') };
}
