/**
 * Every hand-written gradient against `tf.grads` of the naive form, on cpu and wasm (tolerance:
 * 1e-4 relative + 1e-5 absolute, see helpers.ts). The naive forms use TF.js's own gradients, so
 * they run on cpu only where a kernel is missing on wasm (gather's gradient).
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { bmm, columnSum, linear, linearTied } from '../../../src/core/nn/linear.ts';
import { gatherRows } from '../../../src/core/nn/embedding.ts';
import { layerNorm } from '../../../src/core/nn/layer-norm.ts';
import { dropout, gelu, geluExact } from '../../../src/core/nn/activations.ts';
import { softmaxCrossEntropy } from '../../../src/core/nn/loss.ts';
import { Rng, randn } from '../../../src/core/rng.ts';
import { NODE_BACKENDS, checkNoLeaks, expectClose, useBackend, must } from '../helpers.ts';

/** Compares grads of sum(f(inputs)·probe) for the custom and naive forms. */
function compareGrads(
  custom: (...xs: tf.Tensor[]) => tf.Tensor,
  naive: (...xs: tf.Tensor[]) => tf.Tensor,
  inputs: tf.Tensor[],
  seed: number,
): void {
  tf.tidy(() => {
    const yShape = custom(...inputs).shape;
    const probe = randn(new Rng(seed), yShape, 1);
    const lossOf =
      (f: (...xs: tf.Tensor[]) => tf.Tensor) =>
      (...xs: tf.Tensor[]) =>
        tf.sum(tf.mul(f(...xs), probe));
    expectClose(custom(...inputs), naive(...inputs));
    const g1 = tf.grads(lossOf(custom))(inputs);
    const g2 = tf.grads(lossOf(naive))(inputs);
    g1.forEach((g, i) => {
      expectClose(g, must(g2[i]));
    });
  });
}

for (const backend of NODE_BACKENDS) {
  describe(`nn ops on ${backend}`, () => {
    beforeAll(async () => {
      await useBackend(backend);
    });
    checkNoLeaks();

    it('linear (with and without bias, rank-3 input) matches tf.matMul gradients', () => {
      const r = new Rng(1);
      const x = randn(r, [2, 3, 5]);
      const w = randn(r, [5, 4]);
      const b = randn(r, [4]);
      compareGrads(
        (xx, ww, bb) => linear(xx, ww, bb),
        (xx, ww, bb) =>
          tf.add(tf.matMul(xx.reshape([-1, 5]), ww as tf.Tensor2D), bb).reshape([2, 3, 4]),
        [x, w, b],
        2,
      );
      compareGrads(
        (xx, ww) => linear(xx, ww),
        (xx, ww) => tf.matMul(xx.reshape([-1, 5]), ww as tf.Tensor2D).reshape([2, 3, 4]),
        [x, w],
        3,
      );
      tf.dispose([x, w, b]);
    });

    it('bmm and linearTied match tf.matMul gradients', () => {
      const r = new Rng(4);
      const a = randn(r, [2, 3, 4, 5]);
      const c = randn(r, [2, 3, 5, 6]);
      compareGrads(
        (p, q) => bmm(p, q),
        (p, q) => tf.matMul(p, q),
        [a, c],
        5,
      );
      const x = randn(r, [7, 5]);
      const e = randn(r, [11, 5]);
      const b = randn(r, [11]);
      compareGrads(
        (xx, ee, bb) => linearTied(xx, ee, bb),
        (xx, ee, bb) => tf.add(tf.matMul(xx as tf.Tensor2D, ee as tf.Tensor2D, false, true), bb),
        [x, e, b],
        6,
      );
      tf.dispose([a, c, x, e, b]);
    });

    it('columnSum (1ᵀ·x) equals tf.sum(x, 0)', () => {
      const x = randn(new Rng(12), [37, 5]);
      const a = columnSum(x as tf.Tensor2D);
      const b = tf.sum(x, 0);
      expectClose(a, b);
      tf.dispose([x, a, b]);
    });

    it('layerNorm matches the composed form and its autodiff', () => {
      const r = new Rng(7);
      const x = randn(r, [3, 4, 8], 2);
      const g = randn(r, [8]);
      const b = randn(r, [8]);
      const naive = (xx: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor): tf.Tensor => {
        const mean = tf.mean(xx, -1, true);
        const v = tf.mean(tf.square(tf.sub(xx, mean)), -1, true);
        return tf.add(tf.mul(tf.div(tf.sub(xx, mean), tf.sqrt(tf.add(v, 1e-5))), gg), bb);
      };
      compareGrads(
        (xx, gg, bb) => layerNorm(xx, gg, bb, 1e-5),
        (xx, gg, bb) => naive(xx, gg, bb),
        [x, g, b],
        8,
      );
      tf.dispose([x, g, b]);
    });

    it('gatherRows: forward equals tf.gather; gradient is a scatter-add that sums repeated ids', () => {
      const table = randn(new Rng(9), [6, 3]);
      const ids = tf.tensor2d(
        [
          [0, 2, 2],
          [5, 0, 2],
        ],
        [2, 3],
        'int32',
      );
      const out = gatherRows(table, ids);
      const ref = tf.gather(table, ids);
      expectClose(out, ref, 0, 0);
      const dy = randn(new Rng(10), [2, 3, 3]);
      const [g] = tf.grads((t: tf.Tensor) => tf.sum(tf.mul(gatherRows(t, ids), dy)))([table]);
      // Hand-derived: row r of the gradient is the sum of dy at every position whose id is r.
      const dyv = dy.arraySync() as number[][][];
      const idv = ids.arraySync();
      const expected = Array.from({ length: 6 }, () => [0, 0, 0]);
      idv.forEach((row, i) => {
        row.forEach((id, j) => {
          for (let k = 0; k < 3; k++)
            must(expected[id])[k] = (must(expected[id])[k] ?? 0) + (must(dyv[i])[j]?.[k] ?? 0);
        });
      });
      const exp = tf.tensor2d(expected);
      expectClose(must(g), exp);
      tf.dispose([table, ids, out, ref, dy, must(g), exp]);
    });

    it('softmaxCrossEntropy: value and gradient (softmax − onehot)/N', () => {
      const z = randn(new Rng(11), [5, 7], 3);
      const y = tf.tensor1d([0, 6, 3, 3, 1], 'int32');
      const loss = softmaxCrossEntropy(z, y);
      const ref = tf.tidy(() =>
        tf.mean(tf.sub(tf.logSumExp(z, 1), tf.sum(tf.mul(z, tf.oneHot(y, 7)), 1))),
      );
      expectClose(loss, ref);
      const [g] = tf.grads((zz: tf.Tensor) => softmaxCrossEntropy(zz, y))([z]);
      const gref = tf.tidy(() => tf.div(tf.sub(tf.softmax(z), tf.oneHot(y, 7)), 5));
      expectClose(must(g), gref);
      // A uniform guess scores ln C.
      const u = tf.tidy(() =>
        softmaxCrossEntropy(tf.zeros([3, 7]), tf.tensor1d([1, 2, 3], 'int32')),
      );
      expect(u.dataSync()[0]).toBeCloseTo(Math.log(7), 5);
      tf.dispose([z, y, loss, ref, must(g), gref, u]);
    });

    it("documents a TF.js 4.22 quirk: tf.oneHot(…, 'float32') (garbage on wasm) vs int32 + cast", () => {
      const y = tf.tensor1d([2, 0], 'int32');
      const viaCast = tf.tidy(() => tf.cast(tf.oneHot(y, 3), 'float32'));
      expect(Array.from(viaCast.dataSync())).toEqual([0, 0, 1, 1, 0, 0]);
      const direct = tf.oneHot(y, 3, 1, 0, 'float32');
      const ones = Array.from(direct.dataSync()).filter((v) => v === 1).length;
      // On wasm the kernel writes int32 bit patterns into the float buffer (1 reads as 1.4e-45).
      expect(ones).toBe(tf.getBackend() === 'wasm' ? 0 : 2); // if this fails, the bug is fixed
      tf.dispose([y, viaCast, direct]);
    });

    it('gelu (sigmoid form) is within 0.021 of the exact GELU, with matching autodiff', () => {
      const x = tf.linspace(-6, 6, 241);
      const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(gelu(x), geluExact(x)))).dataSync()[0] ?? 1);
      expect(diff).toBeLessThan(0.021);
      expect(diff).toBeGreaterThan(0.005); // it is an approximation, not the exact form
      x.dispose();
    });

    it('dropout: same rng seed ⇒ same mask; kept entries scaled by 1/(1−p); rate 0 is identity', () => {
      const x = tf.ones([1000]);
      const a = dropout(x, 0.25, new Rng(3));
      const b = dropout(x, 0.25, new Rng(3));
      const va = a.dataSync();
      expect(Array.from(va)).toEqual(Array.from(b.dataSync()));
      const kept = Array.from(va).filter((v) => v !== 0);
      expect(kept.every((v) => Math.abs(v - 1 / 0.75) < 1e-6)).toBe(true);
      expect(Math.abs(kept.length - 750)).toBeLessThan(60); // binomial sd ≈ 13.7
      expect(dropout(x, 0, new Rng(3))).toBe(x);
      expect(() => dropout(x, 1, new Rng(3))).toThrow(/rate = 1/);
      tf.dispose([x, a, b]);
    });
  });
}

describe('kernels the custom gradients rely on', () => {
  it('ScatterNd exists on every backend we target and UnsortedSegmentSum is missing on wasm', async () => {
    await import('@tensorflow/tfjs-backend-webgpu');
    for (const b of ['cpu', 'wasm', 'webgl', 'webgpu'])
      expect(tf.getKernel('ScatterNd', b), b).toBeDefined();
    expect(tf.getKernel('UnsortedSegmentSum', 'wasm')).toBeUndefined();
  });
});
