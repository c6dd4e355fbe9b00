/**
 * QLoRA's frozen quantised linear: the base output is x·dequant(W) + b, LoRA runs on it through the
 * core's own LoraLinear with float32 factors, its gradients match LoRA on the dequantised float
 * layer, and no gradient or tensor is made for the quantised weight.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { LoraLinear, type AdapterState } from '../../../src/core/lora/layer.ts';
import { Linear } from '../../../src/core/nn/module.ts';
import {
  dequantize,
  QuantError,
  QuantizedLinear,
  quantize,
  quantizedBytes,
} from '../../../src/core/quant/index.ts';
import { randn, Rng } from '../../../src/core/rng.ts';
import {
  checkNoLeaks,
  expectBitIdentical,
  expectClose,
  must,
  NODE_BACKENDS,
  useBackend,
} from '../helpers.ts';

const [D_IN, D_OUT, R] = [64, 48, 4];

/** A float layer with a bias, and that bias (typed non-null). */
function floatLinear(seed: number): { lin: Linear; bias: tf.Variable } {
  const rng = new Rng(seed);
  const w = tf.tidy(() => tf.variable(randn(rng, [D_IN, D_OUT], 0.05), false));
  const bias = tf.tidy(() => tf.variable(randn(rng, [D_OUT], 0.1), false));
  return { lin: new Linear('layer.0.q_proj', w, bias), bias };
}

function attachLora(lin: Linear, seed: number): LoraLinear {
  const state: AdapterState = { active: 'default', disabled: false, merged: new Set() };
  const hook = new LoraLinear(lin, state);
  const rng = new Rng(seed);
  hook.adapters.set('default', {
    a: tf.tidy(() => tf.variable(randn(rng, [D_IN, R], 0.1))),
    b: tf.tidy(() => tf.variable(randn(rng, [R, D_OUT], 0.1))),
    gate: null,
    scaling: 2,
    dropout: 0,
  });
  lin.hook = hook;
  return hook;
}

for (const backend of NODE_BACKENDS) {
  describe(`QuantizedLinear (${backend})`, () => {
    beforeAll(async () => {
      await useBackend(backend);
    });
    checkNoLeaks();

    it('base forward equals a float Linear holding the dequantised weight, for nf4 and int8', async () => {
      const { lin, bias } = floatLinear(1);
      for (const kind of ['nf4', 'int8'] as const) {
        const q = await QuantizedLinear.fromLinear(lin, { kind, doubleQuant: true });
        const ref = q.toLinear();
        const x = randn(new Rng(2), [3, 5, D_IN]);
        const y = q.baseForward(x);
        const yRef = ref.baseForward(x);
        expect(y.shape).toEqual([3, 5, D_OUT]);
        expectBitIdentical(y, yRef);
        // and it differs from the float32 base by the quantisation error only
        const yFloat = lin.baseForward(x);
        const gap = tf.tidy(() => must(tf.max(tf.abs(tf.sub(y, yFloat))).dataSync()[0]));
        expect(gap).toBeGreaterThan(0);
        expect(gap).toBeLessThan(kind === 'nf4' ? 0.2 : 0.02);
        tf.dispose([x, y, yRef, yFloat]);
        ref.weight.dispose();
        q.dispose();
      }
      tf.dispose([lin.weight, bias]);
    });

    it('LoRA on the quantised base: same output and adapter gradients as on its float copy', async () => {
      const { lin, bias } = floatLinear(3);
      const q = await QuantizedLinear.fromLinear(lin, { kind: 'nf4' });
      const ref = q.toLinear();
      const hq = attachLora(q, 4);
      const hr = attachLora(ref, 4);
      const x = randn(new Rng(5), [7, D_IN]);
      const target = randn(new Rng(6), [7, D_OUT]);
      const loss = (l: Linear) => () =>
        tf.mean<tf.Scalar>(tf.square(tf.sub(l.apply(x, { training: true }), target)));
      const fq = tf.variableGrads(loss(q));
      const fr = tf.variableGrads(loss(ref));
      expectClose(fq.value, fr.value, 1e-5, 1e-6);
      const aq = must(hq.adapters.get('default'));
      const ar = must(hr.adapters.get('default'));
      // Only the adapter's factors get gradients: nothing for the quantised base.
      expect(Object.keys(fq.grads).sort()).toEqual([aq.a.name, aq.b.name].sort());
      expectClose(must(fq.grads[aq.a.name]), must(fr.grads[ar.a.name]));
      expectClose(must(fq.grads[aq.b.name]), must(fr.grads[ar.b.name]));
      tf.dispose([
        fq.value,
        fr.value,
        ...Object.values(fq.grads),
        ...Object.values(fr.grads),
        x,
        target,
      ]);
      hq.remove('default');
      hr.remove('default');
      q.dispose();
      ref.weight.dispose();
      tf.dispose([lin.weight, bias]);
    });

    it('the input gradient is dY·dequant(W)ᵀ and a trainable bias gets Σ dY', async () => {
      const { lin, bias } = floatLinear(7);
      bias.trainable = true;
      const q = await QuantizedLinear.fromLinear(lin, { kind: 'int8' });
      const ref = q.toLinear();
      const x = randn(new Rng(8), [4, D_IN]);
      const f = (l: Linear) => (xi: tf.Tensor) => tf.sum(tf.sin(l.baseForward(xi)));
      const gq = must(tf.grads(f(q))([x])[0]);
      const gr = must(tf.grads(f(ref))([x])[0]);
      expectClose(gq, gr);
      const vq = tf.variableGrads(() => f(q)(x) as tf.Scalar);
      const vr = tf.variableGrads(() => f(ref)(x) as tf.Scalar);
      const bname = bias.name;
      expectClose(must(vq.grads[bname]), must(vr.grads[bname]));
      tf.dispose([
        gq,
        gr,
        x,
        vq.value,
        vr.value,
        ...Object.values(vq.grads),
        ...Object.values(vr.grads),
      ]);
      q.dispose();
      ref.weight.dispose();
      tf.dispose([lin.weight, bias]);
    });
  });
}

describe('QuantizedLinear storage and errors', () => {
  checkNoLeaks();

  it('holds the packed bytes, not a float weight', () => {
    const x = new Rng(9).normalArray(D_IN * D_OUT, 0.05);
    const qt = quantize(x, { kind: 'nf4', doubleQuant: true }, [D_IN, D_OUT]);
    const q = new QuantizedLinear('w', qt, null);
    expect(q.weight.size).toBe(0);
    expect([q.inFeatures, q.outFeatures]).toEqual([D_IN, D_OUT]);
    expect(quantizedBytes(q.quantized).codes).toBe((D_IN * D_OUT) / 2);
    expect(Array.from(dequantize(q.quantized))).toEqual(Array.from(dequantize(qt)));
    q.dispose();
  });

  it('refuses a weight that is not 2-D and an input of the wrong width', () => {
    const flat = quantize(new Float32Array(8), { kind: 'int8' });
    expect(() => new QuantizedLinear('w', flat, null)).toThrow(QuantError);
    expect(() => new QuantizedLinear('w', flat, null)).toThrow(
      /shape = \[8\]: a linear weight is \[dIn, dOut\]/,
    );
    const q = new QuantizedLinear(
      'w',
      quantize(new Float32Array(8), { kind: 'int8' }, [4, 2]),
      null,
    );
    const x = tf.zeros([2, 3]);
    expect(() => q.baseForward(x)).toThrow(/w input shape = \[2, 3\]: last axis must be 4/);
    x.dispose();
    q.dispose();
  });
});
