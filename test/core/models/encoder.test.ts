import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Encoder, EncoderConfigError, encoderConfig } from '../../../src/core/models/encoder.ts';
import { WeightsError } from '../../../src/core/models/types.ts';
import { Adam } from '../../../src/core/train/adam.ts';
import { trainToEnd } from '../../../src/core/train/loop.ts';
import { Rng } from '../../../src/core/rng.ts';
import {
  NODE_BACKENDS,
  checkNoLeaks,
  expectBitIdentical,
  expectClose,
  useBackend,
  must,
} from '../helpers.ts';

const micro = encoderConfig('micro');

/** A fixed MLM batch: random ids, 25% of positions masked to id 3, labels the original ids. */
function mlmBatch(seed: number, B: number, T: number, V: number) {
  const r = new Rng(seed);
  const orig = Array.from({ length: B * T }, () => 4 + r.int(V - 4));
  const positions: number[] = [];
  const masked = [...orig];
  for (let i = 0; i < B * T; i++) {
    if (r.next() < 0.25) {
      positions.push(i);
      masked[i] = 3;
    }
  }
  return {
    ids: tf.tensor2d(masked, [B, T], 'int32'),
    mask: tf.ones([B, T], 'int32'),
    positions: tf.tensor1d(positions, 'int32'),
    labels: tf.tensor1d(
      positions.map((p) => must(orig[p])),
      'int32',
    ),
  };
}

async function mlmLosses(seed: number, steps: number): Promise<number[]> {
  const enc = new Encoder(micro, { seed });
  const batch = mlmBatch(1, 4, 8, micro.vocabSize);
  const opt = new Adam({ learningRate: 1e-2 });
  const rng = new Rng(99);
  const losses = await trainToEnd({
    optimizer: opt,
    variables: enc.namedParameters().map((p) => p.variable),
    loss: () =>
      enc.mlmLoss(batch.ids, batch.mask, batch.positions, batch.labels, { training: true, rng }),
    steps,
  });
  opt.dispose();
  enc.dispose();
  tf.dispose(Object.values(batch));
  return losses;
}

describe('Encoder structure', () => {
  checkNoLeaks();

  it('uses Hugging Face RoBERTa parameter names and closed-form sizes', () => {
    const enc = new Encoder(micro, { seed: 0 });
    const params = enc.namedParameters();
    const names = params.map((p) => p.name);
    const H = micro.hiddenSize;
    const I = micro.intermediateSize;
    expect(names).toContain('roberta.embeddings.word_embeddings.weight');
    expect(names).toContain('roberta.encoder.layer.1.attention.self.query.weight');
    expect(names).toContain('roberta.encoder.layer.0.attention.output.LayerNorm.bias');
    expect(names).toContain('classifier.out_proj.weight');
    expect(names).toContain('lm_head.layer_norm.weight');
    expect(names).toContain('lm_head.bias');
    expect(new Set(names).size).toBe(names.length);
    expect([...enc.linearModules().keys()]).toContain(
      'roberta.encoder.layer.0.attention.self.value',
    );
    expect(enc.param('roberta.encoder.layer.0.intermediate.dense.weight').shape).toEqual([H, I]);
    const total = params.reduce((a, p) => a + p.variable.size, 0);
    const perLayer = 4 * (H * H + H) + (H * I + I) + (I * H + H) + 2 * 2 * H;
    const emb = (micro.vocabSize + micro.maxPositionEmbeddings + micro.typeVocabSize) * H + 2 * H;
    const cls = H * H + H + H * micro.numLabels + micro.numLabels;
    const lm = H * H + H + 2 * H + micro.vocabSize;
    expect(total).toBe(emb + micro.numHiddenLayers * perLayer + cls + lm);
    enc.dispose();
  });

  it('same seed ⇒ identical weights; padding row of word embeddings is zero', () => {
    const a = new Encoder(micro, { seed: 5 });
    const b = new Encoder(micro, { seed: 5 });
    const wa = a.getWeights();
    const wb = b.getWeights();
    for (const k of Object.keys(wa)) expectBitIdentical(must(wa[k]), must(wb[k]));
    const row = tf.tidy(() =>
      tf
        .abs(must(wa['roberta.embeddings.word_embeddings.weight']).gather([micro.padTokenId]))
        .sum(),
    );
    expect(row.dataSync()[0]).toBe(0);
    tf.dispose([...Object.values(wa), ...Object.values(wb), row]);
    a.dispose();
    b.dispose();
  });

  it('setWeights round-trips, and a wrong shape or name throws and changes nothing', () => {
    const a = new Encoder(micro, { seed: 1 });
    const b = new Encoder(micro, { seed: 2 });
    const wa = a.getWeights();
    const before = b.getWeights();
    const bad = { ...wa, 'classifier.dense.bias': tf.zeros([micro.hiddenSize + 1]) };
    expect(() => b.setWeights(bad)).toThrow(WeightsError);
    expect(() => b.setWeights(bad)).toThrow(/classifier\.dense\.bias = \[17\]/);
    const extra = { ...wa, 'nonsense.weight': tf.zeros([1]) };
    expect(() => b.setWeights(extra)).toThrow(/unexpected = nonsense\.weight/);
    for (const k of Object.keys(before)) expectBitIdentical(b.param(k), must(before[k]));
    const rep = b.setWeights(extra, { strict: false });
    expect(rep.unexpected).toEqual(['nonsense.weight']);
    for (const k of Object.keys(wa)) expectBitIdentical(b.param(k), must(wa[k]));
    tf.dispose([
      ...Object.values(wa),
      ...Object.values(before),
      bad['classifier.dense.bias'],
      extra['nonsense.weight'],
    ]);
    a.dispose();
    b.dispose();
  });

  it('rejects bad configs and inputs with typed errors naming the field', () => {
    expect(() => encoderConfig('micro', { numAttentionHeads: 3 })).toThrow(EncoderConfigError);
    expect(() => encoderConfig('micro', { numAttentionHeads: 3 })).toThrow(/numAttentionHeads = 3/);
    expect(() => encoderConfig('micro', { hiddenDropoutProb: 1 })).toThrow(/hiddenDropoutProb = 1/);
    expect(() => encoderConfig('micro', { vocabSize: 0 })).toThrow(/vocabSize = 0/);
    const enc = new Encoder(micro, { seed: 0 });
    const ids = tf.zeros([1, 17], 'int32');
    const mask = tf.ones([1, 17]);
    expect(() => enc.encode(ids, mask)).toThrow(/inputIds\.shape\[1\] = 17/);
    tf.dispose([ids, mask]);
    enc.dispose();
  });
});

for (const backend of NODE_BACKENDS) {
  describe(`Encoder numerics on ${backend}`, () => {
    beforeAll(async () => {
      await useBackend(backend);
    });
    checkNoLeaks();

    it('padding: real positions ignore what the padded positions hold', () => {
      const enc = new Encoder(micro, { seed: 3 });
      const ids1 = tf.tensor2d([[0, 5, 6, 7, 1, 1]], [1, 6], 'int32');
      const ids2 = tf.tensor2d([[0, 5, 6, 7, 9, 22]], [1, 6], 'int32');
      const mask = tf.tensor2d([[1, 1, 1, 1, 0, 0]], [1, 6], 'int32');
      const h1 = tf.tidy(() => enc.encode(ids1, mask).slice([0, 0, 0], [1, 4, micro.hiddenSize]));
      const h2 = tf.tidy(() => enc.encode(ids2, mask).slice([0, 0, 0], [1, 4, micro.hiddenSize]));
      expectClose(h1, h2, 0, 1e-6);
      const logits = enc.classify(ids1, mask);
      expect(logits.shape).toEqual([1, micro.numLabels]);
      tf.dispose([ids1, ids2, mask, h1, h2, logits]);
      enc.dispose();
    });

    it("classifierPooling 'mean': the head reads the masked mean of the last layer, and padding changes nothing", () => {
      const cfg = encoderConfig('micro', {
        classifierPooling: 'mean',
        hiddenDropoutProb: 0,
        attentionDropoutProb: 0,
      });
      const enc = new Encoder(cfg, { seed: 4 });
      const first = new Encoder({ ...cfg, classifierPooling: 'first' }, { seed: 4 });
      // The same sentence padded to 4 and to 7 tokens (different junk in the padding).
      const idsShort = tf.tensor2d([[0, 5, 6, 2]], [1, 4], 'int32');
      const maskShort = tf.tensor2d([[1, 1, 1, 1]], [1, 4], 'int32');
      const idsLong = tf.tensor2d([[0, 5, 6, 2, 1, 9, 17]], [1, 7], 'int32');
      const maskLong = tf.tensor2d([[1, 1, 1, 1, 0, 0, 0]], [1, 7], 'int32');
      const a = enc.classify(idsShort, maskShort);
      const b = enc.classify(idsLong, maskLong);
      expectClose(b, a, 0, 1e-5);
      // By hand: mean of the four real vectors, then dense → tanh → out_proj.
      const manual = tf.tidy(() => {
        const h = enc.encode(idsShort, maskShort); // [1, 4, H]
        const pooled = tf.mean(h, 1); // [1, H]
        const w = (n: string) => enc.param(n);
        const z = tf.tanh(
          tf.add(tf.matMul(pooled, w('classifier.dense.weight')), w('classifier.dense.bias')),
        );
        return tf.add(tf.matMul(z, w('classifier.out_proj.weight')), w('classifier.out_proj.bias'));
      });
      expectClose(a, manual, 1e-5, 1e-6);
      // Same weights, other pooling: other logits.
      const c = first.classify(idsShort, maskShort);
      const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(a, c))).dataSync()[0] ?? 0);
      expect(diff).toBeGreaterThan(1e-6);
      expect(() => encoderConfig('micro', { classifierPooling: 'max' as never })).toThrow(
        /classifierPooling = max/,
      );
      tf.dispose([idsShort, maskShort, idsLong, maskLong, a, b, manual, c]);
      enc.dispose();
      first.dispose();
    });

    it('eval mode is deterministic; training mode applies dropout from the rng', () => {
      const enc = new Encoder(micro, { seed: 3 });
      const b = mlmBatch(2, 2, 6, micro.vocabSize);
      const e1 = enc.encode(b.ids, b.mask);
      const e2 = enc.encode(b.ids, b.mask);
      expectBitIdentical(e1, e2);
      const t1 = enc.encode(b.ids, b.mask, { training: true, rng: new Rng(1) });
      const t2 = enc.encode(b.ids, b.mask, { training: true, rng: new Rng(1) });
      const t3 = enc.encode(b.ids, b.mask, { training: true, rng: new Rng(2) });
      expectBitIdentical(t1, t2);
      const d = tf.tidy(() => tf.max(tf.abs(tf.sub(t1, t3))).dataSync()[0] ?? 0);
      expect(d).toBeGreaterThan(1e-3);
      tf.dispose([e1, e2, t1, t2, t3, ...Object.values(b)]);
      enc.dispose();
    });

    it('an MLM step reduces the loss on a repeated batch, and the same seed gives the same losses', async () => {
      const a = await mlmLosses(7, 25);
      const b = await mlmLosses(7, 25);
      expect(a).toEqual(b);
      // Starts near ln(vocab) = ln 50 ≈ 3.91 (initialisation std 0.02 gives near-uniform logits).
      expect(Math.abs((a[0] ?? 0) - Math.log(micro.vocabSize))).toBeLessThan(0.3);
      expect(a[a.length - 1] ?? 99).toBeLessThan((a[0] ?? 0) * 0.7);
    });
  });
}
