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
    setOwn(header, '__metadata__', metadata);
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
    if (!t.shape.every((d) => isCount(d)))
      throw new SafetensorsError(`${name}.shape`, JSON.stringify(t.shape), 'invalid');
    setOwn(header, name, {
      dtype: t.dtype,
      shape: [...t.shape],
      data_offsets: [offset, offset + bytes],
    });
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

const ELEMENT_BYTES: Readonly<Record<string, number>> = {
  F32: 4,
  I32: 4,
  F16: 2,
  BF16: 2,
  F64: 8,
  I64: 8,
};

/**
 * The largest header this reader accepts (bytes). The reference implementation refuses more than
 * 100 MB; an adapter's header is a few kilobytes, so 16 MB leaves room and bounds the JSON parse.
 */
export const MAX_HEADER_BYTES = 16 * 1024 * 1024;

/** Sets a key on a record as an own, enumerable property (`__proto__` included). */
function setOwn<T>(record: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(record, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const isCount = (v: unknown): v is number =>
  typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

interface HeaderEntry {
  readonly name: string;
  readonly dtype: string;
  readonly shape: readonly number[];
  readonly begin: number;
  readonly end: number;
}

/**
 * Decodes safetensors bytes. Strict, as a file from anywhere must be read: the header is a JSON
 * object of at most {@link MAX_HEADER_BYTES} of UTF-8; `__metadata__` (optional) maps strings to
 * strings; every other entry is an object with a known `dtype`, a `shape` of non-negative safe
 * integers whose product fits, and `data_offsets` `[begin, end]` of non-negative safe integers
 * with `end − begin` equal to the shape's bytes; the tensors' ranges, in offset order, start at 0,
 * touch without gap or overlap and cover the data exactly. Any name works (`__proto__` is a
 * tensor like any other). Every violation throws {@link SafetensorsError}, never another error.
 */
export function decodeSafetensors(bytes: Uint8Array): SafetensorsFile {
  if (bytes.length < 8)
    throw new SafetensorsError('length', bytes.length, 'shorter than the 8-byte header length');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const declared = view.getBigUint64(0, true);
  if (declared > BigInt(MAX_HEADER_BYTES))
    throw new SafetensorsError(
      'headerLength',
      declared,
      `exceeds the limit of ${String(MAX_HEADER_BYTES)} bytes`,
    );
  const n = Number(declared);
  if (8 + n > bytes.length)
    throw new SafetensorsError('headerLength', n, `exceeds the file (${bytes.length} bytes)`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n)));
  } catch (e) {
    throw new SafetensorsError(
      'header',
      'JSON',
      `is not valid UTF-8 JSON (${(e as Error).message})`,
    );
  }
  if (!isObject(header))
    throw new SafetensorsError('header', JSON.stringify(header), 'must be a JSON object');
  const dataStart = 8 + n;
  const dataLen = bytes.length - dataStart;
  const metadata: Record<string, string> = {};
  const entries: HeaderEntry[] = [];
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') {
      if (!isObject(entry))
        throw new SafetensorsError('__metadata__', JSON.stringify(entry), 'must be an object');
      for (const [k, v] of Object.entries(entry)) {
        if (typeof v !== 'string')
          throw new SafetensorsError(`__metadata__.${k}`, JSON.stringify(v), 'must be a string');
        setOwn(metadata, k, v);
      }
      continue;
    }
    if (!isObject(entry))
      throw new SafetensorsError(name, JSON.stringify(entry), 'must be an object');
    const { dtype, shape, data_offsets: offs } = entry;
    if (typeof dtype !== 'string' || !Object.hasOwn(ELEMENT_BYTES, dtype))
      throw new SafetensorsError(`${name}.dtype`, JSON.stringify(dtype), 'unsupported');
    const listed: unknown[] = Array.isArray(shape) ? shape : [null];
    if (!listed.every(isCount))
      throw new SafetensorsError(`${name}.shape`, JSON.stringify(shape), 'invalid');
    const dims: number[] = listed;
    const pair: unknown[] = Array.isArray(offs) ? offs : [];
    const [begin, end] = pair;
    if (pair.length !== 2 || !isCount(begin) || !isCount(end))
      throw new SafetensorsError(
        `${name}.data_offsets`,
        JSON.stringify(offs),
        'must be two non-negative integers',
      );
    if (begin > end || end > dataLen) {
      throw new SafetensorsError(
        `${name}.data_offsets`,
        JSON.stringify(offs),
        `invalid for ${dataLen} data bytes`,
      );
    }
    const width = ELEMENT_BYTES[dtype] ?? 0;
    const count = sizeOf(dims);
    if (!Number.isSafeInteger(count * width) || end - begin !== count * width) {
      throw new SafetensorsError(
        `${name}.data_offsets`,
        JSON.stringify(offs),
        `span must be ${String(count * width)} bytes for shape [${dims.join(', ')}]`,
      );
    }
    entries.push({ name, dtype, shape: dims, begin, end });
  }
  // The data must be exactly the tensors' bytes, back to back: no hole, no overlap, no tail.
  const ordered = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let expected = 0;
  for (const e of ordered) {
    if (e.begin !== expected) {
      throw new SafetensorsError(
        `${e.name}.data_offsets`,
        JSON.stringify([e.begin, e.end]),
        e.begin < expected
          ? `overlaps the previous tensor, which ends at ${String(expected)}`
          : `leaves a gap: the previous tensor ends at ${String(expected)}`,
      );
    }
    expected = e.end;
  }
  if (expected !== dataLen)
    throw new SafetensorsError(
      'data',
      dataLen,
      `bytes, but the tensors cover ${String(expected)} (the data must be fully indexed)`,
    );
  const tensors: Record<string, RawTensor> = {};
  for (const e of entries) setOwn(tensors, e.name, readTensor(bytes, view, dataStart, e));
  return { tensors, metadata };
}

function readTensor(
  bytes: Uint8Array,
  view: DataView,
  dataStart: number,
  e: HeaderEntry,
): RawTensor {
  const { name, dtype, shape } = e;
  const count = sizeOf(shape);
  const base = dataStart + e.begin;
  if (littleEndian && (dtype === 'F32' || dtype === 'I32')) {
    // Byte copy: keeps every bit, NaN payloads included (a DataView read would canonicalise them).
    // `new Uint8Array(view)` always copies; `bytes.slice` would not for a Node Buffer (whose slice
    // is a view, and whose `.buffer` is then the whole file or the pool it came from).
    const copy = new Uint8Array(bytes.subarray(base, base + count * 4)).buffer;
    return dtype === 'F32'
      ? { dtype, shape, data: new Float32Array(copy) }
      : { dtype, shape, data: new Int32Array(copy) };
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
    return { dtype: 'I32', shape, data };
  }
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
  return { dtype: 'F32', shape, data };
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
