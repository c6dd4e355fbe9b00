/**
 * Block-wise quantisation of a float32 weight, as QLoRA stores its frozen base
 * (Dettmers et al. 2023, "QLoRA: Efficient Finetuning of Quantized LLMs", §2–3):
 *
 * - the flat weight is cut into blocks of `blockSize` values (64 by default, the paper's choice);
 * - each block keeps one float32 constant, its absolute maximum `c = max |x|`;
 * - `'int8'` stores `round(127 · x / c)` as an int8 (symmetric absmax, error ≤ c / 254 per value);
 * - `'nf4'` stores the index (0…15) of the NF4 level nearest to `x / c`, two codes per byte (the
 *   first value of each pair in the high nibble, as bitsandbytes packs them);
 * - double quantisation (§3, "Double Quantization") quantises the per-block constants themselves:
 *   their mean is subtracted (kept as one float32) and the centred constants are stored as int8
 *   absmax codes in blocks of 256 with one float32 constant per block. The paper stores them as
 *   8-bit floats (bitsandbytes' dynamic 8-bit code); we use int8 absmax for the second level, which
 *   holds the same number of bytes.
 *
 * Everything here is pure TypeScript on typed arrays: the quantised weight costs exactly the bytes
 * that {@link quantizedBytes} reports.
 */
import { QuantError } from './errors.ts';
import { NF4_LEVELS } from './normal.ts';

/** The code format of a quantised weight. */
export type QuantKind = 'int8' | 'nf4';

/** Options of {@link quantize}. */
export interface QuantOptions {
  /** `'int8'` (absmax) or `'nf4'` (4-bit NormalFloat). */
  readonly kind: QuantKind;
  /** Values per block, each with one absmax constant (default 64). */
  readonly blockSize?: number;
  /** Quantise the per-block constants too (default false). */
  readonly doubleQuant?: boolean;
  /** Constants per second-level block when `doubleQuant` (default 256). */
  readonly doubleQuantBlockSize?: number;
}

/** The per-block constants quantised a second time (double quantisation). */
export interface DoubleQuantConstants {
  /** int8 absmax codes of `absmax − mean`, one per first-level block. */
  readonly codes: Int8Array;
  /** float32 absmax of each second-level block of centred constants. */
  readonly scales: Float32Array;
  /** The mean of the first-level constants, subtracted before quantising (float32). */
  readonly mean: number;
  /** Constants per second-level block. */
  readonly blockSize: number;
}

/** A weight stored block-wise quantised. */
export interface QuantizedTensor {
  readonly kind: QuantKind;
  /** The original shape (its product is `length`). */
  readonly shape: readonly number[];
  /** Number of values. */
  readonly length: number;
  /** Values per block. */
  readonly blockSize: number;
  /** int8 codes (`'int8'`) or NF4 indices packed two per byte (`'nf4'`). */
  readonly codes: Int8Array | Uint8Array;
  /** float32 absmax per block, or null when they are double-quantised. */
  readonly absmax: Float32Array | null;
  /** The double-quantised constants, or null. */
  readonly doubleQuant: DoubleQuantConstants | null;
}

/** Largest block size accepted (one constant per 2²⁰ values). */
export const MAX_BLOCK_SIZE = 1 << 20;

function checkBlockSize(field: string, value: number | undefined, fallback: number): number {
  const b = value ?? fallback;
  if (!Number.isInteger(b) || b < 1 || b > MAX_BLOCK_SIZE) {
    throw new QuantError(field, b, `must be an integer in [1, ${MAX_BLOCK_SIZE}]`);
  }
  return b;
}

function checkShape(shape: readonly number[], length: number): void {
  let n = 1;
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) {
      throw new QuantError('shape', `[${shape.join(', ')}]`, 'dimensions must be integers ≥ 0');
    }
    n *= d;
  }
  if (n !== length) {
    throw new QuantError('shape', `[${shape.join(', ')}]`, `holds ${n} values, the data ${length}`);
  }
}

/** Absolute maximum of each block of `x` (a zero block gives 0). */
function blockAbsmax(x: ArrayLike<number>, blockSize: number): Float32Array {
  const blocks = Math.ceil(x.length / blockSize);
  const out = new Float32Array(blocks);
  for (let b = 0; b < blocks; b++) {
    let m = 0;
    const end = Math.min(x.length, (b + 1) * blockSize);
    for (let i = b * blockSize; i < end; i++) m = Math.max(m, Math.abs(x[i] ?? 0));
    out[b] = m;
  }
  return out;
}

/** Symmetric int8 absmax codes of `x` given per-block constants `c`: `round(127 · x / c)`. */
function int8Codes(x: ArrayLike<number>, c: Float32Array, blockSize: number): Int8Array {
  const codes = new Int8Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const m = c[Math.floor(i / blockSize)] ?? 0;
    codes[i] = m === 0 ? 0 : Math.max(-127, Math.min(127, Math.round((127 * (x[i] ?? 0)) / m)));
  }
  return codes;
}

/** Midpoints between consecutive NF4 levels (a value maps to the level whose interval holds it). */
const NF4_MIDPOINTS = Float64Array.from({ length: 15 }, (_, i) => {
  return ((NF4_LEVELS[i] ?? 0) + (NF4_LEVELS[i + 1] ?? 0)) / 2;
});

/** Index of the NF4 level nearest to `v ∈ [−1, 1]` (ties go to the lower level). */
export function nearestNf4(v: number): number {
  let lo = 0;
  let hi = 15; // answer in [lo, hi]
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (v > (NF4_MIDPOINTS[mid] ?? 0)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index of NF4's exact zero (what a zero block stores). */
const NF4_ZERO = NF4_LEVELS.indexOf(0);

function nf4Codes(x: ArrayLike<number>, c: Float32Array, blockSize: number): Uint8Array {
  const packed = new Uint8Array(Math.ceil(x.length / 2));
  for (let i = 0; i < x.length; i++) {
    const m = c[Math.floor(i / blockSize)] ?? 0;
    const q = m === 0 ? NF4_ZERO : nearestNf4((x[i] ?? 0) / m);
    const j = i >> 1;
    packed[j] = (packed[j] ?? 0) | (i % 2 === 0 ? q << 4 : q);
  }
  return packed;
}

/** The NF4 index of value `i` in a packed code array. */
export function nf4Code(packed: Uint8Array, i: number): number {
  const byte = packed[i >> 1] ?? 0;
  return i % 2 === 0 ? byte >> 4 : byte & 0x0f;
}

function quantizeConstants(c: Float32Array, blockSize: number): DoubleQuantConstants {
  let sum = 0;
  for (const v of c) sum += v;
  const mean = Math.fround(c.length === 0 ? 0 : sum / c.length);
  const centred = Float64Array.from(c, (v) => v - mean);
  const scales = blockAbsmax(centred, blockSize);
  return { codes: int8Codes(centred, scales, blockSize), scales, mean, blockSize };
}

/** The first-level constants a quantised weight uses (reconstructed when double-quantised). */
export function blockConstants(q: QuantizedTensor): Float32Array {
  if (q.absmax) return q.absmax;
  const dq = q.doubleQuant;
  if (!dq) throw new QuantError('absmax', null, 'a quantised weight needs constants');
  return Float32Array.from(dq.codes, (code, b) => {
    const s = dq.scales[Math.floor(b / dq.blockSize)] ?? 0;
    return (code * s) / 127 + dq.mean;
  });
}

/**
 * Quantises `x` block-wise (see the module comment).
 * @param shape the weight's shape, kept for {@link dequantize} (default `[x.length]`).
 * @throws {QuantError} for a bad block size, a shape that does not hold `x.length` values, an
 *   unknown kind or a non-finite value (naming its index).
 */
export function quantize(
  x: Float32Array,
  opts: QuantOptions,
  shape: readonly number[] = [x.length],
): QuantizedTensor {
  const kind: string = opts.kind; // checked at run time too: options may come from a reader's cell
  if (kind !== 'int8' && kind !== 'nf4') {
    throw new QuantError('kind', JSON.stringify(opts.kind), "must be 'int8' or 'nf4'");
  }
  const blockSize = checkBlockSize('blockSize', opts.blockSize, 64);
  const dqBlock = checkBlockSize('doubleQuantBlockSize', opts.doubleQuantBlockSize, 256);
  checkShape(shape, x.length);
  for (let i = 0; i < x.length; i++) {
    const v = x[i] ?? 0;
    if (!Number.isFinite(v)) throw new QuantError(`x[${i}]`, v, 'must be finite');
  }
  const absmax = blockAbsmax(x, blockSize);
  const codes =
    opts.kind === 'int8' ? int8Codes(x, absmax, blockSize) : nf4Codes(x, absmax, blockSize);
  const doubleQuant = opts.doubleQuant === true ? quantizeConstants(absmax, dqBlock) : null;
  return {
    kind: opts.kind,
    shape: [...shape],
    length: x.length,
    blockSize,
    codes,
    absmax: doubleQuant ? null : absmax,
    doubleQuant,
  };
}

/** The float32 weight a quantised one stands for: `code · c / 127` or `NF4[code] · c`. */
export function dequantize(q: QuantizedTensor): Float32Array {
  const c = blockConstants(q);
  const out = new Float32Array(q.length);
  if (q.kind === 'int8') {
    for (let i = 0; i < q.length; i++) {
      out[i] = ((q.codes[i] ?? 0) * (c[Math.floor(i / q.blockSize)] ?? 0)) / 127;
    }
  } else {
    const packed = q.codes as Uint8Array;
    for (let i = 0; i < q.length; i++) {
      out[i] = (NF4_LEVELS[nf4Code(packed, i)] ?? 0) * (c[Math.floor(i / q.blockSize)] ?? 0);
    }
  }
  return out;
}

/** Bytes a quantised weight holds, by part. */
export interface QuantBytes {
  /** The codes: one byte per value (int8) or one per two values (NF4). */
  readonly codes: number;
  /** First-level constants: 4 bytes per block, or 1 byte per block when double-quantised. */
  readonly constants: number;
  /** Second-level constants: 4 bytes per 256-constant block plus 4 for the mean (0 without). */
  readonly secondLevel: number;
  /** The sum. */
  readonly total: number;
}

/** Exact bytes held by the typed arrays of `q` (plus 4 for the double-quant mean). */
export function quantizedBytes(q: QuantizedTensor): QuantBytes {
  const codes = q.codes.byteLength;
  const dq = q.doubleQuant;
  const constants = dq ? dq.codes.byteLength : (q.absmax?.byteLength ?? 0);
  const secondLevel = dq ? dq.scales.byteLength + 4 : 0;
  return { codes, constants, secondLevel, total: codes + constants + secondLevel };
}
