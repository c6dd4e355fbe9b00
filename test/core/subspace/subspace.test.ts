import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Mlp } from '../../../src/core/models/mlp.ts';
import { softmaxCrossEntropy } from '../../../src/core/nn/loss.ts';
import { Rng } from '../../../src/core/rng.ts';
import { Adam } from '../../../src/core/train/adam.ts';
import {
  denseProjection,
  identityProjection,
  MAX_DENSE_ENTRIES,
  sparseProjection,
  SubspaceError,
  SubspaceModel,
  trainSubspace,
  type Projection,
} from '../../../src/core/subspace/index.ts';
import { checkNoLeaks, must, useBackend } from '../helpers.ts';

function columnNorm(p: Projection, j: number): number {
  const { values } = p.column(j);
  let s = 0;
  for (const v of values) s += v * v;
  return Math.sqrt(s);
}

/** Gram statistics of P: mean and variance of the off-diagonal column inner products. */
function offDiagonal(p: Projection): { mean: number; variance: number } {
  const cols = Array.from({ length: p.d }, (_, j) => {
    const dense = new Float64Array(p.D);
    const c = p.column(j);
    c.rows.forEach((r, k) => (dense[r] = must(c.values[k])));
    return dense;
  });
  const xs: number[] = [];
  for (let a = 0; a < p.d; a++)
    for (let b = a + 1; b < p.d; b++) {
      let s = 0;
      const ca = must(cols[a]);
      const cb = must(cols[b]);
      for (let r = 0; r < p.D; r++) s += must(ca[r]) * must(cb[r]);
      xs.push(s);
    }
  const mean = xs.reduce((x, y) => x + y, 0) / xs.length;
  return { mean, variance: xs.reduce((x, y) => x + (y - mean) ** 2, 0) / xs.length };
}

/** Share of the total squared mass of P that falls in each block. */
function blockShares(p: Projection, blocks: readonly number[]): number[] {
  const mass = blocks.map(() => 0);
  const starts = blocks.map((_, i) => blocks.slice(0, i).reduce((a, b) => a + b, 0));
  for (let j = 0; j < p.d; j++) {
    const c = p.column(j);
    c.rows.forEach((r, k) => {
      let b = blocks.length - 1;
      while (must(starts[b]) > r) b--;
      mass[b] = must(mass[b]) + must(c.values[k]) ** 2;
    });
  }
  return mass.map((m) => m / p.d);
}

describe('projections', () => {
  const blocks = [1200, 40, 400, 10, 30, 3];
  const D = blocks.reduce((a, b) => a + b, 0);

  it('every column has unit length (dense and sparse), accumulated in float64', () => {
    const dense = denseProjection(D, 40, new Rng(1));
    const sparse = sparseProjection(blocks, 40, new Rng(1));
    for (let j = 0; j < 40; j++) {
      expect(columnNorm(dense, j)).toBeCloseTo(1, 6);
      expect(columnNorm(sparse, j)).toBeCloseTo(1, 6);
    }
  });

  it('sparse: each block of size n holds about √n non-zeros per column, all of one magnitude', () => {
    const d = 400;
    const p = sparseProjection(blocks, d, new Rng(2));
    const count = blocks.map(() => 0);
    const starts = blocks.map((_, i) => blocks.slice(0, i).reduce((a, b) => a + b, 0));
    for (let j = 0; j < d; j++) {
      const c = p.column(j);
      const mags = new Set<number>();
      c.rows.forEach((r, k) => {
        let b = blocks.length - 1;
        while (must(starts[b]) > r) b--;
        count[b] = must(count[b]) + 1;
        // within a block the entries are ±n^¼·s for one column scale s
        mags.add(
          Math.round((Math.abs(must(c.values[k])) / Math.sqrt(Math.sqrt(blocks[b] ?? 1))) * 1e5),
        );
      });
      expect(mags.size).toBe(1);
    }
    blocks.forEach((n, b) => {
      const perColumn = must(count[b]) / d;
      // Binomial(n, 1/√n) per column: mean √n, sd < n^¼; 400 columns ⇒ the average is within 5 sd/20.
      expect(Math.abs(perColumn - Math.sqrt(n))).toBeLessThan(
        0.25 * Math.sqrt(Math.sqrt(n)) + 0.05,
      );
    });
  });

  it('dense and sparse agree in distribution: near-orthogonal columns, block shares n/D', () => {
    const d = 60;
    const dense = denseProjection(D, d, new Rng(3));
    const sparse = sparseProjection(blocks, d, new Rng(3));
    for (const p of [dense, sparse]) {
      const { mean, variance } = offDiagonal(p);
      // For independent random unit vectors in ℝ^D the inner product has mean 0 and variance ≈ 1/D.
      expect(Math.abs(mean)).toBeLessThan(3 * Math.sqrt(1 / D / ((d * (d - 1)) / 2)) * 3);
      expect(variance * D).toBeGreaterThan(0.75);
      expect(variance * D).toBeLessThan(1.3);
      const shares = blockShares(p, blocks);
      // the two big blocks carry ~n/D of each column's squared length
      expect(must(shares[0])).toBeCloseTo(1200 / D, 1);
      expect(must(shares[2])).toBeCloseTo(400 / D, 1);
    }
  });

  it('apply and applyTranspose are adjoint and match the explicit matrix', () => {
    const p = sparseProjection([50, 7, 20], 9, new Rng(4));
    const rng = new Rng(5);
    const v = Float64Array.from(rng.normalArray(9));
    const g = rng.normalArray(77);
    const base = rng.normalArray(77);
    const pv = p.apply(v, new Float32Array(77), base);
    const ptg = p.applyTranspose(g, new Float64Array(9));
    // explicit: column by column
    const ref = Float64Array.from(base);
    for (let j = 0; j < 9; j++) {
      const c = p.column(j);
      c.rows.forEach((r, k) => (ref[r] = must(ref[r]) + must(c.values[k]) * must(v[j])));
    }
    ref.forEach((x, i) => {
      expect(must(pv[i])).toBeCloseTo(x, 5);
    });
    let lhs = 0;
    let rhs = 0;
    for (let i = 0; i < 77; i++) lhs += (must(pv[i]) - must(base[i])) * must(g[i]);
    for (let j = 0; j < 9; j++) rhs += must(v[j]) * must(ptg[j]);
    expect(lhs).toBeCloseTo(rhs, 4);
  });

  it('refuses bad sizes with a typed error naming the field', () => {
    expect(() => denseProjection(10, 0, new Rng(0))).toThrow(SubspaceError);
    expect(() => sparseProjection([10, -1], 3, new Rng(0))).toThrow(/blocks\[1\]/);
    expect(() => denseProjection(MAX_DENSE_ENTRIES, 2, new Rng(0))).toThrow(/use 'sparse'/);
    const err = (() => {
      try {
        denseProjection(4, 1.5, new Rng(0));
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(SubspaceError);
    expect((err as SubspaceError).field).toBe('d');
  });
});

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`SubspaceModel on ${backend}`, () => {
    beforeAll(async () => {
      await useBackend(backend);
    });
    checkNoLeaks();

    const sizes = [5, 4, 3];
    const x = (): tf.Tensor2D => tf.tensor2d(new Rng(9).normalArray(6 * 5), [6, 5]);
    const y = (): tf.Tensor1D => tf.tensor1d([0, 1, 2, 1, 0, 2], 'int32');

    it('θd = 0 gives θ0 exactly: weights and outputs bit-identical', async () => {
      const mlp = new Mlp({ sizes, activation: 'relu', bias: true }, { seed: 3 });
      const xs = x();
      const before = mlp.forward(xs);
      const w0 = mlp.getWeights();
      const sub = await SubspaceModel.create(mlp, { d: 4, projection: 'dense', seed: 1 });
      sub.setThetaD(new Float64Array(4));
      const after = mlp.forward(xs);
      expect(Array.from(await after.data())).toEqual(Array.from(await before.data()));
      for (const p of mlp.namedParameters())
        expect(Array.from(await p.variable.data())).toEqual(
          Array.from(await must(w0[p.name]).data()),
        );
      // moving θd moves the outputs; reset() comes back exactly
      sub.setThetaD([1, 0, 0, 0]);
      const moved = mlp.forward(xs);
      expect(Array.from(await moved.data())).not.toEqual(Array.from(await before.data()));
      sub.reset();
      const back = mlp.forward(xs);
      expect(Array.from(await back.data())).toEqual(Array.from(await before.data()));
      tf.dispose([xs, before, after, moved, back, ...Object.values(w0)]);
      mlp.dispose();
    });

    it('∇θd equals Pᵀ·∇θ and TF.js autodiff through θ0 + P·θd (dense P as a tensor)', async () => {
      const mlp = new Mlp({ sizes, activation: 'relu', bias: true }, { seed: 4 });
      const sub = await SubspaceModel.create(mlp, { d: 7, projection: 'dense', seed: 2 });
      const thetaD = Float64Array.from(new Rng(6).normalArray(7, 0.3));
      sub.setThetaD(thetaD);
      const xs = x();
      const ys = y();
      const ours = await sub.lossAndGradient(() => softmaxCrossEntropy(mlp.forward(xs), ys));
      // Reference: a functional forward of the same MLP on θ = θ0 + P·θd, differentiated by TF.js.
      const D = sub.D;
      const pMat = new Float32Array(D * 7); // [D, d] row-major
      for (let j = 0; j < 7; j++) {
        const c = sub.projection.column(j);
        c.rows.forEach((r, k) => (pMat[r * 7 + j] = must(c.values[k])));
      }
      const P = tf.tensor2d(pMat, [D, 7]);
      const theta0 = tf.tensor1d(sub.theta0);
      const f = (td: tf.Tensor): tf.Scalar => {
        const theta = tf.add(theta0, tf.matMul(P, td.reshape([7, 1])).reshape([D]));
        const part = (name: string): tf.Tensor => {
          const e = must(sub.layout.entries.find((q) => q.name === name));
          return theta.slice(e.offset, e.size).reshape(e.shape as number[]);
        };
        const h = tf.relu(tf.add(tf.matMul(xs, part('layers.0.weight')), part('layers.0.bias')));
        const z = tf.add(tf.matMul(h, part('layers.1.weight')), part('layers.1.bias'));
        return tf.losses.softmaxCrossEntropy<tf.Tensor, tf.Scalar>(tf.oneHot(ys, 3).toFloat(), z);
      };
      const td = tf.tensor1d(Float32Array.from(thetaD));
      const { value, grad } = tf.valueAndGrad(f)(td);
      const refGrad = await grad.data();
      expect(ours.loss).toBeCloseTo(must((await value.data())[0]), 5);
      ours.grad.forEach((g, j) => {
        expect(Math.abs(g - must(refGrad[j]))).toBeLessThan(1e-5 + 1e-4 * Math.abs(g));
      });
      expect(Math.max(...Array.from(ours.grad, Math.abs))).toBeGreaterThan(1e-3); // not trivially 0
      tf.dispose([P, theta0, td, value, grad, xs, ys]);
      mlp.dispose();
    });

    it('with P = I (d = D), subspace training equals ordinary Adam training', async () => {
      const a = new Mlp({ sizes, activation: 'tanh', bias: true }, { seed: 7 });
      const b = new Mlp({ sizes, activation: 'tanh', bias: true }, { seed: 7 });
      const D = a.namedParameters().reduce((s, p) => s + p.variable.size, 0);
      const sub = await SubspaceModel.create(a, { d: D, customProjection: identityProjection(D) });
      const xs = x();
      const ys = y();
      const lossA: number[] = [];
      for await (const s of trainSubspace({
        model: sub,
        loss: () => softmaxCrossEntropy(a.forward(xs), ys),
        steps: 25,
        learningRate: 0.02,
      }))
        lossA.push(s.loss);
      const opt = new Adam({ learningRate: 0.02 });
      const lossB: number[] = [];
      const vars = b.namedParameters().map((p) => p.variable);
      for (let i = 0; i < 25; i++) {
        const l = opt.step(() => softmaxCrossEntropy(b.forward(xs), ys), vars);
        lossB.push(must((await l.data())[0]));
        l.dispose();
      }
      opt.dispose();
      expect(must(lossA[24])).toBeLessThan(must(lossA[0]) * 0.7); // it trains
      lossA.forEach((l, i) => {
        expect(l).toBeCloseTo(must(lossB[i]), 4);
      });
      const pa = a.namedParameters();
      for (const [k, p] of b.namedParameters().entries()) {
        const wa = await must(pa[k]).variable.data();
        const wb = await p.variable.data();
        wa.forEach((w, i) => {
          expect(Math.abs(w - must(wb[i]))).toBeLessThan(1e-4);
        });
      }
      tf.dispose([xs, ys]);
      a.dispose();
      b.dispose();
    });

    it('training is stoppable and tensor memory does not grow with steps', async () => {
      const mlp = new Mlp({ sizes, activation: 'relu', bias: true }, { seed: 1 });
      const sub = await SubspaceModel.create(mlp, { d: 3, seed: 1 });
      const xs = x();
      const ys = y();
      const counts: number[] = [];
      const ac = new AbortController();
      let steps = 0;
      for await (const s of trainSubspace({
        model: sub,
        loss: () => softmaxCrossEntropy(mlp.forward(xs), ys),
        steps: 100,
        learningRate: 0.01,
        signal: ac.signal,
      })) {
        steps = s.step + 1;
        counts.push(tf.memory().numTensors);
        if (s.step === 9) ac.abort();
      }
      expect(steps).toBe(10);
      expect(new Set(counts).size).toBe(1);
      tf.dispose([xs, ys]);
      mlp.dispose();
    });
  });
}
