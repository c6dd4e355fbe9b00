/**
 * Layer normalisation (Ba, Kiros & Hinton 2016) over the last axis, with a hand-written gradient.
 *
 * `y = (x − μ) / √(σ² + ε) · γ + β`, μ and σ² the mean and (biased) variance of the last axis, as
 * `torch.nn.LayerNorm` computes it. Backward (x̂ the normalised input, r = 1/√(σ²+ε), g = dy·γ):
 * `dx = r · (g − mean(g) − x̂·mean(g·x̂))`, `dγ = Σ dy·x̂`, `dβ = Σ dy` over all leading axes.
 */
import * as tf from '@tensorflow/tfjs';
import { columnSum } from './linear.ts';

const cache = new Map<number, (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.Tensor>();

function layerNormFor(eps: number): (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.Tensor {
  const hit = cache.get(eps);
  if (hit) return hit;
  const fn = tf.customGrad((x, gamma, beta, save) => {
    const xt = x as tf.Tensor;
    const last = xt.rank - 1;
    const mean = tf.mean(xt, last, true);
    const centered = tf.sub(xt, mean);
    const variance = tf.mean(tf.square(centered), last, true);
    const rstd = tf.rsqrt(tf.add(variance, eps));
    const xhat = tf.mul(centered, rstd);
    (save as tf.GradSaveFunc)([xhat, rstd, gamma as tf.Tensor]);
    return {
      value: tf.add(tf.mul(xhat, gamma as tf.Tensor), beta as tf.Tensor),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xh, rs, gm] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
        const lastAxis = xh.rank - 1;
        const g = tf.mul(dy, gm);
        const meanG = tf.mean(g, lastAxis, true);
        const meanGx = tf.mean(tf.mul(g, xh), lastAxis, true);
        const dx = tf.mul(rs, tf.sub(tf.sub(g, meanG), tf.mul(xh, meanGx)));
        const width = xh.shape[lastAxis] ?? 1;
        const dGamma = columnSum(tf.mul(dy, xh).reshape([-1, width])); // Σ over leading axes
        const dBeta = columnSum(dy.reshape([-1, width]));
        return [dx, dGamma, dBeta];
      },
    };
  });
  cache.set(eps, fn);
  return fn;
}

/** Layer normalisation of `x: [..., H]` with `gamma, beta: [H]` and epsilon `eps` (default 1e-5). */
export function layerNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, eps = 1e-5): tf.Tensor {
  return layerNormFor(eps)(x, gamma, beta);
}
