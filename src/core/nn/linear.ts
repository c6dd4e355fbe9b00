/**
 * Dense maths with hand-written gradients that are fast on every TF.js backend.
 *
 * Why: TF.js's own gradient of `matMul` uses the transpose flags (`matMul(dy, w, false, true)`),
 * which on the WASM backend ran about 10x slower than an explicit `tf.transpose` followed by a plain
 * `matMul` (measured here: 18–22 ms vs 2–3.5 ms for the same shapes; see
 * `shared/docs/environment.md`). So every matmul on the training path goes through these functions,
 * whose backward passes use explicit transposes only.
 *
 * Orientation: a weight is `[dIn, dOut]` and `y = x·W + b` (TF.js convention; Hugging Face stores
 * `[out, in]`, converted only at save/load).
 *
 * Frozen inputs: the gradient of a `tf.Variable` with `trainable === false` is reported as zeros
 * (frozen means nobody trains it; ask for it only with `trainable = true`). `tf.customGrad`
 * computes every input's gradient eagerly, so without this a LoRA step paid for the weight
 * gradients of every frozen layer.
 */
import * as tf from '@tensorflow/tfjs';

/** Flattens `[..., d]` to `[N, d]`. */
function flat2d(t: tf.Tensor): tf.Tensor2D {
  const d = t.shape[t.shape.length - 1] ?? 1;
  return t.reshape([-1, d]);
}

/**
 * Column sums of `x: [N, d]` as `[d]`, computed as `1ᵀ·x` (a matmul). On WASM, `tf.sum(x, 0)` of a
 * fresh `[4096, 512]` tensor took 23 ms (it transposes to reduce along the last axis) and `1ᵀ·x`
 * 17 ms (measured with a new tensor each call, load ≈ 12 on 2 cores); used for LayerNorm's dγ, dβ.
 */
export function columnSum(x: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => tf.matMul(tf.ones([1, x.shape[0]]), x).as1D());
}

/**
 * True for a frozen variable (`trainable = false`, e.g. a base weight under LoRA): the gradient of
 * a `tf.Variable` with `trainable === false` is reported as zeros (frozen means nobody trains it;
 * ask for it only with `trainable = true`), so the backward pass skips `Xᵀ·dY` for it. Measured
 * on the training lesson's model in Chromium (`npx tsx scripts/bench/train.ts`): LoRA step 131.9
 * → 107.7 ms on WASM, LoRA/full 0.77 → 0.61 (the matmul count predicts 0.67).
 */
function frozen(t: tf.Tensor): boolean {
  return t instanceof tf.Variable && !t.trainable;
}

const linearNoBias = tf.customGrad((x, w, save) => {
  const xt = x as tf.Tensor;
  const wt = w as tf.Tensor2D;
  (save as tf.GradSaveFunc)([xt, wt]);
  const outShape = [...xt.shape.slice(0, -1), wt.shape[1]];
  const value = tf.matMul(flat2d(xt), wt).reshape(outShape);
  return {
    value,
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [xs, ws] = saved as [tf.Tensor, tf.Tensor2D];
      const dy2 = flat2d(dy); // [N, dOut]
      const x2 = flat2d(xs); // [N, dIn]
      const dx = tf.matMul(dy2, tf.transpose(ws)).reshape(xs.shape); // [..., dIn]
      // The gradient of a frozen variable (trainable === false) is reported as zeros: frozen
      // means nobody trains it; ask for it only with trainable = true.
      const dw = frozen(wt) ? tf.zeros(ws.shape) : tf.matMul(tf.transpose(x2), dy2); // [dIn, dOut]
      return [dx, dw];
    },
  };
});

const linearWithBias = tf.customGrad((x, w, b, save) => {
  const xt = x as tf.Tensor;
  const wt = w as tf.Tensor2D;
  const bt = b as tf.Tensor1D;
  (save as tf.GradSaveFunc)([xt, wt]);
  const outShape = [...xt.shape.slice(0, -1), wt.shape[1]];
  const value = tf.add(tf.matMul(flat2d(xt), wt), bt).reshape(outShape);
  return {
    value,
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [xs, ws] = saved as [tf.Tensor, tf.Tensor2D];
      const dy2 = flat2d(dy); // [N, dOut]
      const x2 = flat2d(xs); // [N, dIn]
      const dx = tf.matMul(dy2, tf.transpose(ws)).reshape(xs.shape); // [..., dIn]
      const [nRows, dIn] = x2.shape;
      if (frozen(wt)) {
        // The gradient of a frozen variable (trainable === false) is reported as zeros: frozen
        // means nobody trains it; ask for it only with trainable = true.
        const db = frozen(bt) ? tf.zeros(bt.shape) : tf.matMul(tf.ones([1, nRows]), dy2).as1D();
        return [dx, tf.zeros(ws.shape), db];
      }
      // [Xᵀ; 1ᵀ]·dY gives dW and, in its last row, db = Σ dY in the same matmul (dY is packed
      // once; a separate column sum of a fresh [N, dOut] tensor cost as much as the matmul on WASM).
      const xtAug = tf.concat([tf.transpose(x2), tf.ones([1, nRows])], 0); // [dIn + 1, N]
      const both = tf.matMul(xtAug, dy2); // [dIn + 1, dOut]
      const dw = tf.slice(both, [0, 0], [dIn, -1]); // [dIn, dOut]
      const db = tf.slice(both, [dIn, 0], [1, -1]).as1D(); // [dOut]
      return [dx, dw, db];
    },
  };
});

/**
 * `y = x·W (+ b)` for `x: [..., dIn]`, `W: [dIn, dOut]`, `b: [dOut]`, returning `[..., dOut]`.
 * Its gradient is `dX = dY·Wᵀ`, `dW = Xᵀ·dY`, `db = Σ dY` over the flattened batch, each with an
 * explicit transpose (fast on WASM).
 */
export function linear(x: tf.Tensor, w: tf.Tensor, b?: tf.Tensor | null): tf.Tensor {
  return b ? linearWithBias(x, w, b) : linearNoBias(x, w);
}

function swapLast2(rank: number): number[] {
  const perm = Array.from({ length: rank }, (_, i) => i);
  perm[rank - 1] = rank - 2;
  perm[rank - 2] = rank - 1;
  return perm;
}

/** Transposes the last two axes of a tensor of rank ≥ 2 (an explicit, differentiable copy). */
export function transposeLast2(t: tf.Tensor): tf.Tensor {
  return tf.transpose(t, swapLast2(t.rank));
}

const bmmImpl = tf.customGrad((a, b, save) => {
  const at = a as tf.Tensor;
  const bt = b as tf.Tensor;
  (save as tf.GradSaveFunc)([at, bt]);
  return {
    value: tf.matMul(at, bt),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [as, bs] = saved as [tf.Tensor, tf.Tensor];
      return [tf.matMul(dy, transposeLast2(bs)), tf.matMul(transposeLast2(as), dy)];
    },
  };
});

/**
 * Batched matrix product `a·b` over the last two axes (`[..., m, k]·[..., k, n] → [..., m, n]`,
 * same batch axes), with a gradient that uses explicit transposes (`da = dy·bᵀ`, `db = aᵀ·dy`).
 */
export function bmm(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  return bmmImpl(a, b);
}

const linearTiedImpl = tf.customGrad((x, e, b, save) => {
  const xt = x as tf.Tensor2D;
  const et = e as tf.Tensor2D;
  (save as tf.GradSaveFunc)([xt, et]);
  return {
    value: tf.add(tf.matMul(xt, tf.transpose(et)), b as tf.Tensor), // [N, V]
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [xs, es] = saved as [tf.Tensor2D, tf.Tensor2D];
      const dy2 = dy as tf.Tensor2D; // [N, V]
      const dx = tf.matMul(dy2, es); // [N, H]
      // dYᵀ·[X, 1] gives dE and, in its last column, db = Σ dY (no separate reduction of [N, V]).
      const [nRows, width] = xs.shape;
      const both = tf.matMul(tf.transpose(dy2), tf.concat([xs, tf.ones([nRows, 1])], 1)); // [V, H + 1]
      const de = tf.slice(both, [0, 0], [-1, width]); // [V, H]
      const db = tf.slice(both, [0, width], [-1, 1]).as1D(); // [V]
      return [dx, de, db];
    },
  };
});

/**
 * `y = x·Eᵀ + b` for `x: [N, H]`, a table `E: [V, H]` stored row-per-token and `b: [V]`: the tied
 * decoder of a masked-language-model head. The gradient of `E` is computed directly in its own
 * layout (`dE = dYᵀ·X`), which on WASM was faster than `Xᵀ·dY` followed by a transpose (K = N is
 * small and ragged there).
 */
export function linearTied(x: tf.Tensor, e: tf.Tensor, b: tf.Tensor): tf.Tensor {
  return linearTiedImpl(x, e, b);
}
