/**
 * The safetensors format (Hugging Face, https://github.com/huggingface/safetensors): an 8-byte
 * little-endian unsigned header length N, N bytes of JSON header
 * `{"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, "__metadata__": {..}}`
 * (offsets relative to the end of the header, padded with spaces to a multiple of 8), then the
 * raw little-endian tensor bytes, contiguous and in offset order.
 *
 * We write tensors sorted by name (deterministic bytes) and read any valid file. Supported dtypes:
 * F32, I32 (read and write), F16, BF16, F64, I64 (read, converted to F32 / I32 where exact).
 */
import * as tf from '@tensorflow/tfjs';

/** A tensor as plain data. */
export interface RawTensor {
  /** Element type. */
  readonly dtype: 'F32' | 'I32';
  /** Dimensions (row-major). */
  readonly shape: readonly number[];
  /** Elements, row-major. */
  readonly data: Float32Array | Int32Array;
}

/** A decoded file: tensors by name plus the string-to-string metadata. */
export interface SafetensorsFile {
  readonly tensors: Record<string, RawTensor>;
  readonly metadata: Record<string, string>;
}

/** Thrown for a malformed file or unencodable input (names the field and value). */
export class SafetensorsError extends Error {
  override readonly name = 'SafetensorsError';
  constructor(
    readonly field: string,
    readonly value: unknown,
    reason: string,
  ) {
    super(`${field} = ${String(value)}: ${reason}`);
  }
}

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Encodes tensors and metadata as safetensors bytes (names sorted; exact bits). */
export function encodeSafetensors(
  tensors: Readonly<Record<string, RawTensor>>,
  metadata: Readonly<Record<string, string>> = {},
): Uint8Array {
  const names = Object.keys(tensors).sort();
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string')
        throw new SafetensorsError(`__metadata__.${k}`, v, 'metadata values must be strings');
    }
    header.__metadata__ = metadata;
  }
  let offset = 0;
  for (const [name, t] of names.map((n) => [n, tensors[n]] as const)) {
    if (!t) continue;
    if (name === '__metadata__') throw new SafetensorsError('name', name, 'reserved');
    if (!['F32', 'I32'].includes(t.dtype))
      throw new SafetensorsError(`${name}.dtype`, t.dtype, 'write supports F32 and I32');
    if (sizeOf(t.shape) !== t.data.length) {
      throw new SafetensorsError(
        `${name}.shape`,
        `[${t.shape.join(', ')}]`,
        `does not match ${t.data.length} elements`,
      );
    }
    const bytes = t.data.length * 4;
    header[name] = { dtype: t.dtype, shape: [...t.shape], data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  const enc = new TextEncoder();
  let hbytes = enc.encode(json);
  const pad = (8 - (hbytes.length % 8)) % 8;
  if (pad > 0) {
    json += ' '.repeat(pad);
    hbytes = enc.encode(json);
  }
  const out = new Uint8Array(8 + hbytes.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(hbytes.length), true);
  out.set(hbytes, 8);
  let pos = 8 + hbytes.length;
  for (const name of names) {
    const t = tensors[name];
    if (!t) continue;
    if (littleEndian) {
      out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), pos);
    } else {
      for (let i = 0; i < t.data.length; i++) {
        if (t.dtype === 'F32') view.setFloat32(pos + 4 * i, t.data[i] ?? 0, true);
        else view.setInt32(pos + 4 * i, t.data[i] ?? 0, true);
      }
    }
    pos += t.data.byteLength;
  }
  return out;
}

function f16ToF32(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? Number.NaN : s * Number.POSITIVE_INFINITY;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

const ELEMENT_BYTES: Record<string, number> = { F32: 4, I32: 4, F16: 2, BF16: 2, F64: 8, I64: 8 };

/** Decodes safetensors bytes, validating the header, offsets and sizes. */
export function decodeSafetensors(bytes: Uint8Array): SafetensorsFile {
  if (bytes.length < 8)
    throw new SafetensorsError('length', bytes.length, 'shorter than the 8-byte header length');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(view.getBigUint64(0, true));
  if (8 + n > bytes.length)
    throw new SafetensorsError('headerLength', n, `exceeds the file (${bytes.length} bytes)`);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as Record<
      string,
      unknown
    >;
  } catch (e) {
    throw new SafetensorsError('header', 'JSON', `is not valid JSON (${(e as Error).message})`);
  }
  const dataStart = 8 + n;
  const dataLen = bytes.length - dataStart;
  const metadata: Record<string, string> = {};
  const tensors: Record<string, RawTensor> = {};
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') {
      for (const [k, v] of Object.entries(entry as Record<string, unknown>))
        metadata[k] = String(v);
      continue;
    }
    const e = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const dtype = String(e.dtype);
    const width = ELEMENT_BYTES[dtype];
    if (width === undefined) throw new SafetensorsError(`${name}.dtype`, dtype, 'unsupported');
    const shape = e.shape as number[];
    const offs = e.data_offsets as [number, number];
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0))
      throw new SafetensorsError(`${name}.shape`, JSON.stringify(e.shape), 'invalid');
    if (!Array.isArray(offs) || !(offs[0] <= offs[1]) || offs[1] > dataLen) {
      throw new SafetensorsError(
        `${name}.data_offsets`,
        JSON.stringify(e.data_offsets),
        `invalid for ${dataLen} data bytes`,
      );
    }
    const count = sizeOf(shape);
    if (offs[1] - offs[0] !== count * width) {
      throw new SafetensorsError(
        `${name}.data_offsets`,
        JSON.stringify(offs),
        `span must be ${count * width} bytes for shape [${shape.join(', ')}]`,
      );
    }
    const base = dataStart + offs[0];
    if (littleEndian && (dtype === 'F32' || dtype === 'I32')) {
      // Byte copy: keeps every bit, NaN payloads included (a DataView read would canonicalise them).
      const copy = bytes.slice(base, base + count * 4).buffer;
      tensors[name] =
        dtype === 'F32'
          ? { dtype, shape, data: new Float32Array(copy) }
          : { dtype, shape, data: new Int32Array(copy) };
      continue;
    }
    if (dtype === 'I32' || dtype === 'I64') {
      const data = new Int32Array(count);
      for (let i = 0; i < count; i++) {
        if (dtype === 'I32') data[i] = view.getInt32(base + 4 * i, true);
        else {
          const v = view.getBigInt64(base + 8 * i, true);
          if (v > 2147483647n || v < -2147483648n)
            throw new SafetensorsError(name, String(v), 'I64 value does not fit in int32');
          data[i] = Number(v);
        }
      }
      tensors[name] = { dtype: 'I32', shape, data };
    } else {
      const data = new Float32Array(count);
      for (let i = 0; i < count; i++) {
        if (dtype === 'F32') data[i] = view.getFloat32(base + 4 * i, true);
        else if (dtype === 'F64') data[i] = view.getFloat64(base + 8 * i, true);
        else if (dtype === 'F16') data[i] = f16ToF32(view.getUint16(base + 2 * i, true));
        else {
          const b = new DataView(new ArrayBuffer(4));
          b.setUint32(0, view.getUint16(base + 2 * i, true) << 16, true);
          data[i] = b.getFloat32(0, true);
        }
      }
      tensors[name] = { dtype: 'F32', shape, data };
    }
  }
  return { tensors, metadata };
}

/** Reads tensors back from the backend (awaited, no sync read) and encodes them. */
export async function tensorsToSafetensors(
  record: Readonly<Record<string, tf.Tensor>>,
  metadata: Readonly<Record<string, string>> = {},
): Promise<Uint8Array> {
  const raw: Record<string, RawTensor> = {};
  for (const [name, t] of Object.entries(record)) {
    if (t.dtype === 'float32')
      raw[name] = { dtype: 'F32', shape: t.shape, data: (await t.data()) as Float32Array };
    else if (t.dtype === 'int32')
      raw[name] = { dtype: 'I32', shape: t.shape, data: (await t.data()) as Int32Array };
    else
      throw new SafetensorsError(
        `${name}.dtype`,
        t.dtype,
        'only float32 and int32 tensors can be saved',
      );
  }
  return encodeSafetensors(raw, metadata);
}

/** Decodes bytes into tensors (caller disposes) and metadata. */
export function safetensorsToTensors(bytes: Uint8Array): {
  tensors: Record<string, tf.Tensor>;
  metadata: Record<string, string>;
} {
  const file = decodeSafetensors(bytes);
  const tensors: Record<string, tf.Tensor> = {};
  for (const [name, t] of Object.entries(file.tensors)) {
    tensors[name] = tf.tensor(t.data, [...t.shape], t.dtype === 'F32' ? 'float32' : 'int32');
  }
  return { tensors, metadata: file.metadata };
}
