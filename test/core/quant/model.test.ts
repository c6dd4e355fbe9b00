/**
 * A whole quantised base (QLoRA's setting): every block linear layer of the encoder becomes a
 * QuantizedLinear. The quantised encoder computes exactly what a float encoder holding the
 * dequantised weights computes; the float block weights leave the parameter list; LoRA trains on
 * it through its float32 factors while the codes never change; the report's bytes and errors are
 * those of the stored tensors; bad requests change nothing.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Encoder, encoderConfig } from '../../../src/core/models/encoder.ts';
import { getPeftModel } from '../../../src/core/lora/peft-model.ts';
import { softmaxCrossEntropy } from '../../../src/core/nn/index.ts';
import {
  blockLinearNames,
  dequantize,
  dequantizedWeight,
  QuantError,
  QuantizedLinear,
  quantize,
  quantizeEncoderBase,
} from '../../../src/core/quant/index.ts';
import { checkNoLeaks, expectClose, must } from '../helpers.ts';

const micro = encoderConfig('micro', {
  hiddenDropoutProb: 0,
  attentionDropoutProb: 0,
  numLabels: 2,
});
const ids = (): tf.Tensor =>
  tf.tensor2d(
    [
      [0, 5, 9, 5, 2],
      [0, 7, 3, 2, 1],
    ],
    [2, 5],
    'int32',
  );
const mask = (): tf.Tensor =>
  tf.tensor2d(
    [
      [1, 1, 1, 1, 1],
      [1, 1, 1, 1, 0],
    ],
    [2, 5],
    'int32',
  );

function logits(enc: Encoder): tf.Tensor {
  const [i, m] = [ids(), mask()];
  const out = enc.classify(i, m);
  tf.dispose([i, m]);
  return out;
}

/** The contextual vectors (LayerNorm'ed, so of order 1, unlike a fresh classifier's logits). */
function hidden(enc: Encoder): tf.Tensor {
  const [i, m] = [ids(), mask()];
  const out = enc.encode(i, m);
  tf.dispose([i, m]);
  return out;
}

async function scalar(t: tf.Tensor): Promise<number> {
  const v = (await t.data())[0] ?? NaN;
  t.dispose();
  return v;
}

describe('quantizeEncoderBase', () => {
  checkNoLeaks();

  it('computes what a float encoder holding dequant(quant(W)) computes, for NF4 (double-quantised) and int8', async () => {
    for (const opts of [
      { kind: 'nf4', blockSize: 64, doubleQuant: true },
      { kind: 'int8', blockSize: 64 },
    ] as const) {
      const q = new Encoder(micro, { seed: 7 });
      const twin = new Encoder(micro, { seed: 7 });
      const float = hidden(q);
      // The twin: same weights, each block matrix replaced by its quantise → dequantise round trip.
      for (const name of blockLinearNames(twin)) {
        const v = twin.linear(name).weight;
        const back = dequantize(quantize(await v.data<'float32'>(), opts, v.shape));
        tf.tidy(() => {
          v.assign(tf.tensor(back, v.shape));
        });
      }
      await quantizeEncoderBase(q, opts);
      const [a, b] = [hidden(q), hidden(twin)];
      expectClose(a, b, 1e-6, 1e-6);
      const [la, lb] = [logits(q), logits(twin)];
      expectClose(la, lb, 1e-4, 1e-6);
      // …and quantising did change the function (the checks above are not vacuous).
      expect(await scalar(tf.tidy(() => tf.max(tf.abs(tf.sub(a, float)))))).toBeGreaterThan(5e-5);
      tf.dispose([a, b, la, lb, float]);
      q.dispose();
      twin.dispose();
    }
  });

  it('replaces the block linears only; their float weights leave the parameters, biases stay', async () => {
    const enc = new Encoder(micro, { seed: 1 });
    const before = enc.namedParameters().map((p) => p.name);
    const names = blockLinearNames(enc);
    expect(names).toHaveLength(6 * micro.numHiddenLayers);
    await quantizeEncoderBase(enc, { kind: 'nf4' });
    const after = enc.namedParameters().map((p) => p.name);
    expect(after).toEqual(before.filter((n) => !names.some((m) => n === `${m}.weight`)));
    for (const n of names) {
      expect(enc.linear(n)).toBeInstanceOf(QuantizedLinear);
      expect(after).toContain(`${n}.bias`);
    }
    expect(enc.linear('classifier.dense')).not.toBeInstanceOf(QuantizedLinear);
    enc.dispose();
  });

  it("reports each matrix's stored bytes and its reconstruction error from the real tensors", async () => {
    const int8 = new Encoder(micro, { seed: 3 });
    const nf4 = new Encoder(micro, { seed: 3 });
    const r8 = await quantizeEncoderBase(int8, { kind: 'int8', blockSize: 64 });
    const r4 = await quantizeEncoderBase(nf4, { kind: 'nf4', blockSize: 64 });
    for (const [i, m] of r4.matrices.entries()) {
      const n = m.shape[0] * m.shape[1];
      expect(m.floatBytes).toBe(4 * n);
      // NF4: half a byte per value plus one float32 constant per 64 values.
      expect(m.bytes.total).toBe(n / 2 + 4 * Math.ceil(n / 64));
      expect(must(r8.matrices[i]).bytes.total).toBe(n + 4 * Math.ceil(n / 64));
      // 256 levels beat 16 on the same weights.
      expect(must(r8.matrices[i]).relativeError).toBeLessThan(m.relativeError);
      // The error is measured, not assumed: recompute it from the stored codes.
      const w = dequantizedWeight(nf4, m.name);
      const ref = new Encoder(micro, { seed: 3 });
      const [got, orig] = [await w.data(), await ref.linear(m.name).weight.data()];
      let e2 = 0;
      let n2 = 0;
      for (let k = 0; k < n; k++) {
        e2 += ((orig[k] ?? 0) - (got[k] ?? 0)) ** 2;
        n2 += (orig[k] ?? 0) ** 2;
      }
      expect(m.relativeError).toBeCloseTo(Math.sqrt(e2 / n2), 6);
      w.dispose();
      ref.dispose();
    }
    expect(r4.quantizedBytes).toBe(r4.matrices.reduce((s, m) => s + m.bytes.total, 0));
    expect(r4.quantizedBytes / r4.floatBytes).toBeLessThan(0.16);
    int8.dispose();
    nf4.dispose();
  });

  it('LoRA trains on the quantised base: the adapters move, the codes and biases do not', async () => {
    const enc = new Encoder(micro, { seed: 5 });
    await quantizeEncoderBase(enc, { kind: 'nf4', doubleQuant: true });
    const peft = getPeftModel(
      enc,
      { r: 2, loraAlpha: 4, targetModules: ['query', 'value'], modulesToSave: ['classifier'] },
      { seed: 1 },
    );
    const q = enc.linear('roberta.encoder.layer.0.attention.self.query');
    if (!(q instanceof QuantizedLinear)) throw new Error('query was not quantised');
    const codes = q.quantized.codes.slice();
    const bias = must(q.bias);
    const biasBefore = await bias.data();
    expect(bias.trainable).toBe(false);
    const trainable = enc.namedParameters().filter((p) => p.trainable);
    expect(trainable.every((p) => p.name.startsWith('classifier.'))).toBe(true);
    const labels = tf.tensor1d([1, 0], 'int32');
    const opt = tf.train.adam(0.05);
    const loss = (): tf.Scalar => tf.tidy(() => softmaxCrossEntropy(logits(enc), labels));
    const first = await scalar(loss());
    for (let s = 0; s < 20; s++) {
      const cost = opt.minimize(loss, true);
      cost?.dispose();
    }
    const last = await scalar(loss());
    expect(last).toBeLessThan(first);
    const f = peft.factors('roberta.encoder.layer.0.attention.self.query');
    expect(await scalar(tf.tidy(() => tf.max(tf.abs(f.b))))).toBeGreaterThan(0);
    expect(q.quantized.codes).toEqual(codes);
    expect(await bias.data()).toEqual(biasBefore);
    labels.dispose();
    opt.dispose();
    peft.dispose();
    enc.dispose();
  });

  it('merging an adapter into a quantised layer is refused by name, and nothing changes', async () => {
    const enc = new Encoder(micro, { seed: 8 });
    await quantizeEncoderBase(enc, { kind: 'nf4' });
    const peft = getPeftModel(enc, { r: 2, loraAlpha: 4, targetModules: ['query'] });
    const before = hidden(enc);
    await expect(peft.merge()).rejects.toThrow(
      /module = roberta\.encoder\.layer\.0\.attention\.self\.query: holds no float weight/,
    );
    await expect(peft.mergeAndUnload()).rejects.toThrow(/quantised base layer/);
    expect(peft.mergedAdapters).toEqual([]);
    const after = hidden(enc);
    expectClose(after, before, 0, 0);
    tf.dispose([before, after]);
    peft.dispose();
    enc.dispose();
  });

  it('refuses bad options and a second quantisation, changing nothing', async () => {
    const enc = new Encoder(micro, { seed: 2 });
    const names = enc.namedParameters().map((p) => p.name);
    await expect(quantizeEncoderBase(enc, { kind: 'nf4', blockSize: 0 })).rejects.toThrow(
      /blockSize = 0/,
    );
    expect(enc.namedParameters().map((p) => p.name)).toEqual(names);
    await quantizeEncoderBase(enc, { kind: 'int8' });
    await expect(quantizeEncoderBase(enc, { kind: 'int8' })).rejects.toBeInstanceOf(QuantError);
    enc.dispose();
  });

  it('replaceLinear refuses a module of another shape, naming it', () => {
    const enc = new Encoder(micro, { seed: 2 });
    const name = 'roberta.encoder.layer.0.attention.self.query';
    const other = enc.linear('roberta.encoder.layer.0.intermediate.dense');
    expect(() => {
      enc.replaceLinear(name, other);
    }).toThrow(new RegExp(`${name.replaceAll('.', '\\.')} replacement shape`));
    enc.dispose();
  });
});
