/**
 * A seeded random source: the same seed gives the same numbers on every machine and backend,
 * because every number is drawn in JavaScript (never by a backend kernel) and copied into a tensor
 * once.
 *
 * Generator: mulberry32 (Tommy Ettinger, public domain; 32-bit state, period 2^32), seeded through
 * splitmix32's mixer so that nearby seeds give unrelated streams. Normals: Box–Muller (Box & Muller
 * 1958), both values of each pair used.
 */
import { fnv1a32 } from './hash.ts';
import * as tf from '@tensorflow/tfjs';

/** splitmix32's finaliser: a bijective 32-bit mix (used to derive seeds, never as the stream). */
function mix32(x: number): number {
  let z = (x + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
  return (z ^ (z >>> 15)) >>> 0;
}

/** FNV-1a hash of a string, used to turn a fork label into a 32-bit number. */
function hashLabel(label: string | number): number {
  return fnv1a32(String(label));
}

/** Thrown when a random-source argument is invalid (names the field and the value). */
export class RngError extends Error {
  override readonly name = 'RngError';
  constructor(
    readonly field: string,
    readonly value: unknown,
    reason: string,
  ) {
    super(`${field} = ${String(value)}: ${reason}`);
  }
}

/**
 * A seeded pseudo-random number generator (mulberry32 + Box–Muller).
 *
 * `fork(label)` derives an independent child stream from this generator's *seed* and the label (not
 * from its current position), so adding draws elsewhere never changes a forked stream.
 */
export class Rng {
  /** The 32-bit seed this stream started from. */
  readonly seed: number;
  private state: number;
  private spare: number | null = null;

  /** @param seed any finite number; it is reduced to 32 bits. */
  constructor(seed: number) {
    if (!Number.isFinite(seed)) throw new RngError('seed', seed, 'must be a finite number');
    this.seed = mix32(Math.trunc(seed) >>> 0);
    this.state = this.seed;
  }

  /** A uniform number in [0, 1) with 32 bits of randomness. */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** A standard normal number (mean 0, variance 1), by Box–Muller. */
  normal(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    let u = this.next();
    while (u === 0) u = this.next();
    const v = this.next();
    const rad = Math.sqrt(-2 * Math.log(u));
    this.spare = rad * Math.sin(2 * Math.PI * v);
    return rad * Math.cos(2 * Math.PI * v);
  }

  /** A uniform integer in [0, n). */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0) throw new RngError('n', n, 'must be a positive integer');
    return Math.floor(this.next() * n);
  }

  /** Shuffles `a` in place (Fisher–Yates) and returns it. */
  shuffle<T>(a: T[]): T[] {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = a[i] as T;
      a[i] = a[j] as T;
      a[j] = tmp;
    }
    return a;
  }

  /** An independent stream derived from this one's seed and `label`. */
  fork(label: string | number): Rng {
    return new Rng(mix32(this.seed ^ hashLabel(label)));
  }

  /** Fills a new Float32Array with normals times `std` plus `mean`. */
  normalArray(size: number, std = 1, mean = 0): Float32Array {
    const out = new Float32Array(size);
    for (let i = 0; i < size; i++) out[i] = mean + std * this.normal();
    return out;
  }

  /** Fills a new Float32Array with uniforms in [lo, hi). */
  uniformArray(size: number, lo = 0, hi = 1): Float32Array {
    const out = new Float32Array(size);
    const w = hi - lo;
    for (let i = 0; i < size; i++) out[i] = lo + w * this.next();
    return out;
  }
}

function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0)
      throw new RngError('shape', `[${shape.join(', ')}]`, 'bad dimension');
    n *= d;
  }
  return n;
}

/** A float32 tensor of normals N(0, std²) drawn from `rng` (built in JS, copied once). */
export function randn(rng: Rng, shape: readonly number[], std = 1): tf.Tensor {
  return tf.tensor(rng.normalArray(sizeOf(shape), std), [...shape], 'float32');
}

/** A float32 tensor of uniforms in [lo, hi) drawn from `rng` (built in JS, copied once). */
export function uniform(rng: Rng, shape: readonly number[], lo = 0, hi = 1): tf.Tensor {
  return tf.tensor(rng.uniformArray(sizeOf(shape), lo, hi), [...shape], 'float32');
}
