/**
 * Initial values of the LoRA factors `A: [dIn, r]`, `B: [r, dOut]` and the optional gate, drawn in
 * JS from a seeded {@link Rng} (identical on every backend). See {@link InitLoraWeights} for the
 * choices and their sources.
 */
import type { Rng } from '../rng.ts';
import type { InitLoraWeights } from './config.ts';

/** Initial factor values as flat row-major arrays. */
export interface LoraInit {
  /** `[dIn, r]` row-major. */
  readonly a: Float32Array;
  /** `[r, dOut]` row-major. */
  readonly b: Float32Array;
  /** The gate's initial value (0) for `'gated'`, else `null` (no gate). */
  readonly gate: number | null;
}

/**
 * Kaiming-uniform as PyTorch's `kaiming_uniform_(w, a=√5)` on PEFT's `lora_A.weight: [r, dIn]`:
 * fan_in = dIn, gain = √(2/(1+5)), bound = gain·√(3/fan_in) = 1/√dIn.
 */
export function kaimingUniformBound(dIn: number): number {
  return 1 / Math.sqrt(dIn);
}

/** Draws the initial factors for one adapted layer. */
export function initLoraFactors(
  init: InitLoraWeights,
  dIn: number,
  dOut: number,
  r: number,
  rng: Rng,
  initScale: number,
): LoraInit {
  const kaiming = (): Float32Array => {
    const bound = kaimingUniformBound(dIn);
    return rng.uniformArray(dIn * r, -bound, bound);
  };
  const zerosA = (): Float32Array => new Float32Array(dIn * r);
  const zerosB = (): Float32Array => new Float32Array(r * dOut);
  const randomB = (): Float32Array => rng.normalArray(r * dOut, initScale);
  switch (init) {
    case true:
    case 'default':
      return { a: kaiming(), b: zerosB(), gate: null };
    case 'gaussian':
      return { a: rng.normalArray(dIn * r, 1 / r), b: zerosB(), gate: null };
    case false:
    case 'random-both':
      return { a: kaiming(), b: randomB(), gate: null };
    case 'zero-both':
      return { a: zerosA(), b: zerosB(), gate: null };
    case 'a-zero-b-random':
      return { a: zerosA(), b: randomB(), gate: null };
    case 'gated':
      return { a: kaiming(), b: randomB(), gate: 0 };
    case 'pissa':
      throw new RangeError(
        "initLoraWeights = 'pissa': is computed from the weight (lora/pissa.ts)",
      );
  }
}

/**
 * Initial factors of an adapter on an embedding table `[rows, width]`, as PEFT's
 * `Embedding.reset_lora_parameters` draws them: for every init that PEFT treats as true
 * (`true`, `'default'`, `'gaussian'`, and our `'a-zero-b-random'`, which is the same rule)
 * `A = 0` and `B ~ N(0, 1)` — the other way round from a linear layer, because a lookup of
 * a random A would add noise to every token from the first step; `false`/`'random-both'`: both
 * N(0, 1) (PEFT's creation-time draw); `'zero-both'`: both zero. `'gated'` has no embedding form
 * (the planner refuses it). `A: [rows, r]`, `B: [r, width]`.
 */
export function initEmbeddingFactors(
  init: InitLoraWeights,
  rows: number,
  width: number,
  r: number,
  rng: Rng,
): LoraInit {
  switch (init) {
    case false:
    case 'random-both':
      return { a: rng.normalArray(rows * r, 1), b: rng.normalArray(r * width, 1), gate: null };
    case 'zero-both':
      return { a: new Float32Array(rows * r), b: new Float32Array(r * width), gate: null };
    case 'gated':
    case 'pissa':
      throw new RangeError(`initLoraWeights = '${init}': has no embedding form`);
    default:
      return { a: new Float32Array(rows * r), b: rng.normalArray(r * width, 1), gate: null };
  }
}
