/**
 * The frozen-encoder read-outs of the pretraining evaluation (scripts/lib/features.ts): the taps
 * are the embedding output and each layer's output, checked against an independent float64
 * computation (embeddings), against `Encoder.encode` (last layer), and by which weights each tap
 * depends on (layer 1's tap must not see layer 2).
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Encoder, encoderConfig } from '../../../src/core/models/encoder.ts';
import { Rng } from '../../../src/core/rng.ts';
import { LayerTaps, sentenceFeatures } from '../../../scripts/lib/features.ts';
import { checkNoLeaks, expectBitIdentical, expectClose, must } from '../../core/helpers.ts';

checkNoLeaks();

const cfg = encoderConfig('micro', { numLabels: 0, mlmHead: false });

function batch(): { ids: tf.Tensor2D; mask: tf.Tensor2D; idsArr: number[]; maskArr: number[] } {
  const r = new Rng(3);
  const B = 3;
  const T = 6;
  const lens = [6, 4, 2];
  const idsArr: number[] = [];
  const maskArr: number[] = [];
  for (let b = 0; b < B; b++)
    for (let t = 0; t < T; t++) {
      const on = t < (lens[b] ?? 0);
      idsArr.push(on ? 4 + r.int(cfg.vocabSize - 4) : cfg.padTokenId);
      maskArr.push(on ? 1 : 0);
    }
  return {
    ids: tf.tensor2d(idsArr, [B, T], 'int32'),
    mask: tf.tensor2d(maskArr, [B, T], 'int32'),
    idsArr,
    maskArr,
  };
}

/** A non-trivial LayerNorm so the embedding check is not just a centring. */
function perturbLayerNorm(enc: Encoder): void {
  const r = new Rng(9);
  for (const n of ['roberta.embeddings.LayerNorm.weight', 'roberta.embeddings.LayerNorm.bias']) {
    const p = enc.param(n);
    const t = tf.tensor1d(Array.from({ length: p.size }, () => r.normal()));
    p.assign(t);
    t.dispose();
  }
}

describe('LayerTaps and sentence read-outs', () => {
  it('tap 0 is LayerNorm(word + position + type) computed in float64; the last tap is encode()', async () => {
    const enc = new Encoder(cfg, { seed: 1 });
    perturbLayerNorm(enc);
    const taps = new LayerTaps(enc);
    const { ids, mask, idsArr } = batch();
    const states = taps.states(ids, mask);
    expect(states).toHaveLength(cfg.numHiddenLayers + 1);
    const H = cfg.hiddenSize;
    const W = await enc.param('roberta.embeddings.word_embeddings.weight').data();
    const P = await enc.param('roberta.embeddings.position_embeddings.weight').data();
    const Y = await enc.param('roberta.embeddings.token_type_embeddings.weight').data();
    const g = await enc.param('roberta.embeddings.LayerNorm.weight').data();
    const be = await enc.param('roberta.embeddings.LayerNorm.bias').data();
    const T = ids.shape[1];
    const want: number[] = [];
    idsArr.forEach((id, i) => {
      const t = i % T;
      const x = Array.from(
        { length: H },
        (_, k) => (W[id * H + k] ?? 0) + (P[(cfg.padTokenId + 1 + t) * H + k] ?? 0) + (Y[k] ?? 0),
      );
      const mu = x.reduce((s, v) => s + v, 0) / H;
      const va = x.reduce((s, v) => s + (v - mu) ** 2, 0) / H;
      for (let k = 0; k < H; k++)
        want.push(
          (((x[k] ?? 0) - mu) / Math.sqrt(va + cfg.layerNormEps)) * (g[k] ?? 0) + (be[k] ?? 0),
        );
    });
    const wantT = tf.tensor3d(want, [ids.shape[0], T, H]);
    expectClose(must(states[0]), wantT, 1e-4, 1e-5);
    const full = enc.encode(ids, mask);
    expectBitIdentical(must(states.at(-1)), full);
    tf.dispose([...states, wantT, full, ids, mask]);
    taps.dispose();
    enc.dispose();
  });

  it('the tap after layer 1 ignores layer 2’s weights and changes with layer 1’s', async () => {
    const enc = new Encoder(cfg, { seed: 1 });
    const { ids, mask } = batch();
    const before = new LayerTaps(enc);
    const s0 = before.states(ids, mask);
    before.dispose();
    const bump = (name: string): void => {
      const p = enc.param(name);
      const t = tf.tidy(() => tf.add(p, tf.randomNormal(p.shape, 0, 0.5, 'float32', 7))); // a constant shift would vanish after LayerNorm
      p.assign(t);
      t.dispose();
    };
    bump('roberta.encoder.layer.1.intermediate.dense.weight');
    const after2 = new LayerTaps(enc);
    const s2 = after2.states(ids, mask);
    after2.dispose();
    expectBitIdentical(must(s2[1]), must(s0[1]));
    const d2 = tf.tidy(() => tf.max(tf.abs(tf.sub(must(s2[2]), must(s0[2])))));
    expect((await d2.data())[0]).toBeGreaterThan(1e-3);
    bump('roberta.encoder.layer.0.intermediate.dense.weight');
    const after1 = new LayerTaps(enc);
    const s1 = after1.states(ids, mask);
    after1.dispose();
    const d1 = tf.tidy(() => tf.max(tf.abs(tf.sub(must(s1[1]), must(s0[1])))));
    expect((await d1.data())[0]).toBeGreaterThan(1e-3);
    tf.dispose([...s0, ...s1, ...s2, d1, d2, ids, mask]);
    enc.dispose();
  });

  it('read-outs are masked token means (padding ignored) of the last state or of all states', async () => {
    const enc = new Encoder(cfg, { seed: 2 });
    const taps = new LayerTaps(enc);
    const { ids, mask, maskArr } = batch();
    const states = taps.states(ids, mask);
    const arrs = await Promise.all(states.map((s) => s.data()));
    const [B, T] = ids.shape;
    const H = cfg.hiddenSize;
    const mean = (pick: (i: number) => number): number[] => {
      const out: number[] = [];
      for (let b = 0; b < B; b++)
        for (let k = 0; k < H; k++) {
          let s = 0;
          let n = 0;
          for (let t = 0; t < T; t++)
            if (maskArr[b * T + t] === 1) {
              s += pick((b * T + t) * H + k);
              n++;
            }
          out.push(s / n);
        }
      return out;
    };
    const last = sentenceFeatures(taps, 'last', ids, mask);
    const all = sentenceFeatures(taps, 'all-layers', ids, mask);
    const wantLast = tf.tensor2d(
      mean((i) => arrs.at(-1)?.[i] ?? 0),
      [B, H],
    );
    const wantAll = tf.tensor2d(
      mean((i) => arrs.reduce((s, a) => s + (a[i] ?? 0), 0) / arrs.length),
      [B, H],
    );
    expectClose(last, wantLast, 1e-5, 1e-6);
    expectClose(all, wantAll, 1e-5, 1e-6);
    tf.dispose([...states, last, all, wantLast, wantAll, ids, mask]);
    taps.dispose();
    enc.dispose();
  });
});
