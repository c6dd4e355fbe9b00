/**
 * Activations and dropout.
 *
 * GELU: we use the sigmoid approximation `x·σ(1.702·x)` (Hendrycks & Gimpel 2016, "Gaussian Error
 * Linear Units", §2) rather than the exact `x·Φ(x)` that RoBERTa uses: it was about 2x faster on the
 * WASM backend here (see `shared/docs/environment.md`) and differs from the exact form by at most
 * about 0.02. Our models are trained with it, so they are self-consistent; weights imported from
 * Hugging Face would see this small difference.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../rng.ts';

/** GELU, sigmoid approximation: `x·σ(1.702·x)` (Hendrycks & Gimpel 2016). */
export function gelu(x: tf.Tensor): tf.Tensor {
  return tf.mul(x, tf.sigmoid(tf.mul(x, 1.702)));
}

/** Exact GELU `x·Φ(x) = x·(1 + erf(x/√2))/2`, for comparison and tests. */
export function geluExact(x: tf.Tensor): tf.Tensor {
  return tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2))));
}

/**
 * Inverted dropout (Srivastava et al. 2014): zeroes each element with probability `rate` and scales
 * the rest by `1/(1−rate)`. The mask is drawn from `rng` in JS, so it is the same on every backend.
 * Returns `x` itself when `rate` is 0.
 */
export function dropout(x: tf.Tensor, rate: number, rng: Rng): tf.Tensor {
  if (!(rate >= 0 && rate < 1)) throw new RangeError(`dropout rate = ${rate}: must be in [0, 1)`);
  if (rate === 0) return x;
  const n = x.size;
  const mask = new Float32Array(n);
  const keep = 1 / (1 - rate);
  for (let i = 0; i < n; i++) mask[i] = rng.next() < rate ? 0 : keep;
  return tf.tidy(() => tf.mul(x, tf.tensor(mask, x.shape, 'float32')));
}
