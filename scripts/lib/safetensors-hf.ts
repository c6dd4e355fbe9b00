/**
 * A minimal safetensors writer (format: 8-byte little-endian header length, JSON header with
 * dtype/shape/data_offsets per tensor and `__metadata__`, then the raw little-endian data), with
 * dense weights transposed to Hugging Face's `[out, in]`. Used by the export only until the core's
 * `src/core/io/safetensors.ts` is available; the files are identical in format.
 */
import type * as tf from '@tensorflow/tfjs';

/** Serialises float32 tensors; `transpose` names the 2-D weights stored as `[in, out]` in memory. */
export async function encodeSafetensors(
  record: Readonly<Record<string, tf.Tensor>>,
  transpose: ReadonlySet<string>,
  metadata: Readonly<Record<string, string>>,
): Promise<Uint8Array> {
  const entries = Object.entries(record).sort((x, y) => (x[0] < y[0] ? -1 : 1));
  const header: Record<string, unknown> = { __metadata__: metadata };
  const chunks: Float32Array[] = [];
  let offset = 0;
  for (const [n, t] of entries) {
    let data = await t.data<'float32'>();
    let shape = [...t.shape];
    if (transpose.has(n)) {
      const [r = 0, c = 0] = shape;
      const out = new Float32Array(r * c);
      for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = data[i * c + j] ?? 0;
      data = out;
      shape = [c, r];
    }
    header[n] = { dtype: 'F32', shape, data_offsets: [offset, offset + data.length * 4] };
    offset += data.length * 4;
    chunks.push(data);
  }
  let json = JSON.stringify(header);
  while ((8 + json.length) % 8 !== 0) json += ' ';
  const head = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + head.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  let p = 8 + head.length;
  for (const c of chunks) {
    out.set(new Uint8Array(c.buffer, c.byteOffset, c.byteLength), p);
    p += c.byteLength;
  }
  return out;
}
