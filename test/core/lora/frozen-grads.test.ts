/**
 * Frozen weights cost no weight gradient: `linear` and `gatherRows` return zeros for an input that
 * is a `tf.Variable` with `trainable = false` (a base weight under LoRA), and the gradients of
 * everything else are exactly what they are when nothing is frozen (the same matmuls run, so the
 * same float32 results, bit for bit). Closed forms: for L = Σ (xW + b)², with Y = xW + b,
 * ∂L/∂W = xᵀ·2Y, ∂L/∂b = Σ_rows 2Y, ∂L/∂x = 2Y·Wᵀ; a frozen input's is reported as 0.
 * Tolerance against the closed form: the same float32 products summed in another order, 1e-5
 * relative to the largest entry.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { gatherRows, linear, softmaxCrossEntropy } from '../../../src/core/nn/index.ts';
import { Encoder, encoderConfig } from '../../../src/core/models/encoder.ts';
import { getPeftModel } from '../../../src/core/lora/peft-model.ts';
import { Rng } from '../../../src/core/rng.ts';
import { checkNoLeaks, expectBitIdentical, must, NODE_BACKENDS, useBackend } from '../helpers.ts';

const rand = (rng: Rng, shape: number[]) =>
  tf.tensor(
    Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal()),
    shape,
  );

/** |got − want| ≤ 1e-5 · max(1, max |want|), entry by entry. */
function expectCloseTo(got: tf.Tensor, want: tf.Tensor): void {
  expect(got.shape).toEqual(want.shape);
  const g = got.dataSync();
  const w = want.dataSync();
  const scale = Math.max(1, ...Array.from(w as Float32Array, Math.abs));
  w.forEach((v, i) => {
    expect(Math.abs((g[i] ?? NaN) - v)).toBeLessThanOrEqual(1e-5 * scale);
  });
}

const variable = (rng: Rng, shape: number[], name: string) => {
  const t = rand(rng, shape);
  const v = tf.variable(t, true, name);
  t.dispose();
  return v;
};

for (const backend of NODE_BACKENDS) {
  describe(`frozen variables on ${backend}`, () => {
    checkNoLeaks();

    it('linear: a frozen weight (and bias) gets a zero gradient; x and trainable ones are unchanged', async () => {
      await useBackend(backend);
      const rng = new Rng(5);
      const x = rand(rng, [6, 4]);
      const w = variable(rng, [4, 3], 'fg-w');
      const b = variable(rng, [3], 'fg-b');
      // tf.grads asks for every input's gradient, frozen or not (tf.variableGrads would skip them).
      const grads = tf.grads((xi, wi, bi) => tf.sum<tf.Scalar>(tf.square(linear(xi, wi, bi))));
      try {
        const [dx, dw, db] = grads([x, w, b]);
        w.trainable = false;
        const [dxW, dwW, dbW] = grads([x, w, b]);
        b.trainable = false;
        const [dxB, dwB, dbB] = grads([x, w, b]);
        const all = [dx, dw, db, dxW, dwW, dbW, dxB, dwB, dbB].map((t) => must(t));
        // Everything trainable: the closed forms.
        const ref = tf.tidy(() => {
          const y2 = tf.mul(tf.add(tf.matMul(x, w), b), 2);
          return [tf.matMul(y2, w, false, true), tf.matMul(x, y2, true, false), tf.sum(y2, 0)];
        });
        [dx, dw, db].forEach((got, i) => {
          expectCloseTo(must(got), must(ref[i]));
        });
        tf.dispose(ref);
        const zero = (t: tf.Tensor) => Array.from(t.dataSync()).every((v) => v === 0);
        expectBitIdentical(must(dxW), must(dx));
        expectBitIdentical(must(dxB), must(dx));
        expect(zero(must(dw))).toBe(false);
        expect(zero(must(dwW))).toBe(true);
        expect(zero(must(dwB))).toBe(true);
        expect(zero(must(dbB))).toBe(true);
        // A trainable bias under a frozen weight: Σ dY, as when everything trains.
        const want = Array.from(must(db).dataSync());
        Array.from(must(dbW).dataSync()).forEach((v, i) => {
          const ref = want[i] ?? NaN;
          expect(Math.abs(v - ref)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(ref)));
        });
        tf.dispose(all);
      } finally {
        tf.dispose([x, w, b]);
      }
    });

    it('gatherRows: a frozen table gets a zero gradient, a trainable one the scatter-add', async () => {
      await useBackend(backend);
      const table = variable(new Rng(6), [5, 2], 'fg-table');
      const ids = tf.tensor1d([1, 3, 1], 'int32');
      const scale = tf.tensor1d([1, 2]);
      const grad = tf.grad((t) => tf.sum<tf.Scalar>(tf.mul(gatherRows(t, ids), scale)));
      try {
        const live = grad(table);
        // Row 1 picked twice, row 3 once: d/dtable = count(row) · [1, 2].
        expect(Array.from(live.dataSync())).toEqual([0, 0, 2, 4, 0, 0, 1, 2, 0, 0]);
        table.trainable = false;
        const frozen = grad(table);
        expect(Array.from(frozen.dataSync())).toEqual(new Array<number>(10).fill(0));
        tf.dispose([live, frozen]);
      } finally {
        tf.dispose([table, ids, scale]);
      }
    });

    it('a LoRA step: loss and adapter gradients bit-identical whether the base is frozen or not', async () => {
      await useBackend(backend);
      const model = new Encoder(
        encoderConfig('tiny', {
          vocabSize: 40,
          maxPositionEmbeddings: 12,
          hiddenSize: 16,
          intermediateSize: 32,
          numAttentionHeads: 2,
          numLabels: 2,
          mlmHead: false,
        }),
        { seed: 3 },
      );
      const peft = getPeftModel(
        model,
        {
          r: 2,
          loraAlpha: 4,
          targetModules: ['query', 'attention.output.dense'],
          modulesToSave: ['classifier'],
          initLoraWeights: 'gaussian',
        },
        { seed: 4 },
      );
      const rng = new Rng(9);
      const ids = tf.tensor2d(
        Int32Array.from({ length: 4 * 8 }, () => 3 + rng.int(37)),
        [4, 8],
        'int32',
      );
      const mask = tf.ones([4, 8], 'int32');
      const labels = tf.tensor1d([0, 1, 1, 0], 'int32');
      const vars = peft.trainableVariables();
      const step = () =>
        tf.variableGrads(
          () => softmaxCrossEntropy(peft.model.classify(ids, mask, { training: false }), labels),
          vars,
        );
      const base = model.namedParameters().filter((p) => !p.variable.trainable);
      try {
        expect(base.length).toBeGreaterThan(0);
        const frozenRun = step(); // base frozen: no weight gradients computed for it
        for (const p of base) p.variable.trainable = true;
        const liveRun = step(); // as before the change: every weight gradient computed
        for (const p of base) p.variable.trainable = false;
        expectBitIdentical(frozenRun.value, liveRun.value);
        for (const v of vars)
          expectBitIdentical(must(frozenRun.grads[v.name]), must(liveRun.grads[v.name]));
        expect(
          Array.from(must(frozenRun.grads[must(vars[0]).name]).dataSync()).some((x) => x !== 0),
        ).toBe(true);
        for (const r of [frozenRun, liveRun]) tf.dispose([r.value, ...Object.values(r.grads)]);
      } finally {
        tf.dispose([ids, mask, labels]);
        peft.dispose();
      }
    });
  });
}
