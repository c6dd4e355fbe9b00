/**
 * PiSSA (`initLoraWeights: 'pissa'`): A and B are the top-r singular triplets of W0 (checked
 * against a matrix built with known singular vectors and values), the base becomes the residual so
 * the model starts unchanged, merging gives residual + s·A·B, and the adapter saves and loads as
 * PEFT does (plain: re-derived from the original base on load; converted: a rank-2r LoRA on W0).
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Mlp } from '../../../src/core/models/mlp.ts';
import { Encoder, encoderConfig } from '../../../src/core/models/encoder.ts';
import { getPeftModel, getPeftModelAsync, PeftModel } from '../../../src/core/lora/peft-model.ts';
import { LoraConfigError } from '../../../src/core/lora/config.ts';
import { AdapterLoadError } from '../../../src/core/lora/errors.ts';
import {
  loadAdapter,
  loadAdapterAsync,
  parseAdapterConfig,
  saveAdapter,
} from '../../../src/core/lora/io.ts';
import { loadPissaLinalg, pissaInit } from '../../../src/core/lora/pissa.ts';
import { decodeSafetensors } from '../../../src/core/io/safetensors.ts';
import { randn, Rng } from '../../../src/core/rng.ts';
import { checkNoLeaks, expectBitIdentical, expectClose, must } from '../helpers.ts';

/** n random orthonormal columns in ℝ^d (Gram–Schmidt), row-major d × n, float64. */
function orthonormal(d: number, n: number, rng: Rng): Float64Array {
  const cols: Float64Array[] = [];
  while (cols.length < n) {
    const v = Float64Array.from({ length: d }, () => rng.normal());
    for (const c of cols) {
      let dot = 0;
      for (let i = 0; i < d; i++) dot += must(v[i]) * must(c[i]);
      for (let i = 0; i < d; i++) v[i] = must(v[i]) - dot * must(c[i]);
    }
    const norm = Math.hypot(...v);
    cols.push(v.map((x) => x / norm));
  }
  const out = new Float64Array(d * n);
  cols.forEach((c, j) => {
    for (let i = 0; i < d; i++) out[i * n + j] = must(c[i]);
  });
  return out;
}

/** U·diag(s)·Vᵀ restricted to the triplets in `keep`, row-major rows × cols. */
function compose(
  U: Float64Array,
  V: Float64Array,
  s: readonly number[],
  rows: number,
  cols: number,
  keep: readonly number[],
): Float64Array {
  const k = s.length;
  const out = new Float64Array(rows * cols);
  for (const t of keep)
    for (let i = 0; i < rows; i++)
      for (let j = 0; j < cols; j++)
        out[i * cols + j] =
          must(out[i * cols + j]) + must(U[i * k + t]) * must(s[t]) * must(V[j * k + t]);
  return out;
}

function mlp(seed = 1): Mlp {
  return new Mlp({ sizes: [6, 8, 5], activation: 'tanh', bias: true }, { seed });
}

function perturb(peft: PeftModel, seed: number): void {
  const rng = new Rng(seed);
  for (const v of peft.trainableVariables())
    tf.tidy(() => {
      v.assign(tf.add(v, tf.mul(randn(rng, v.shape), 0.2)));
    });
}

describe('PiSSA', () => {
  checkNoLeaks();

  it('A, B are the top-r singular triplets: s·A·B = U_r·S_r·V_rᵀ, AᵀA = BBᵀ = S_r/s, residual = the rest', async () => {
    const dIn = 7;
    const dOut = 5;
    const sv = [9, 4, 2, 1, 0.5];
    const rng = new Rng(3);
    const U = orthonormal(dIn, 5, rng);
    const V = orthonormal(dOut, 5, rng);
    const W = compose(U, V, sv, dIn, dOut, [0, 1, 2, 3, 4]);
    const lib = await loadPissaLinalg();
    for (const [r, s] of [
      [2, 0.5],
      [3, 2],
    ] as const) {
      const p = pissaInit(lib, W, dIn, dOut, r, s);
      p.singularValues.forEach((v, i) => {
        expect(v).toBeCloseTo(must(sv[i]), 10);
      });
      const top = compose(
        U,
        V,
        sv,
        dIn,
        dOut,
        Array.from({ length: r }, (_, i) => i),
      );
      for (let i = 0; i < dIn; i++)
        for (let j = 0; j < dOut; j++) {
          let ab = 0;
          for (let t = 0; t < r; t++) ab += must(p.a[i * r + t]) * must(p.b[t * dOut + j]);
          expect(s * ab).toBeCloseTo(must(top[i * dOut + j]), 5);
          expect(must(p.residual[i * dOut + j])).toBeCloseTo(
            must(W[i * dOut + j]) - must(top[i * dOut + j]),
            5,
          );
        }
      // A = U_r·√(S_r/s): orthogonal columns with squared norms σ/s; B = √(S_r/s)·V_rᵀ likewise.
      for (let t = 0; t < r; t++)
        for (let u = 0; u < r; u++) {
          let ata = 0;
          let bbt = 0;
          for (let i = 0; i < dIn; i++) ata += must(p.a[i * r + t]) * must(p.a[i * r + u]);
          for (let j = 0; j < dOut; j++) bbt += must(p.b[t * dOut + j]) * must(p.b[u * dOut + j]);
          const want = t === u ? must(sv[t]) / s : 0;
          expect(ata).toBeCloseTo(want, 5);
          expect(bbt).toBeCloseTo(want, 5);
        }
    }
  });

  it('starts at the base model (base = residual, + s·A·B), with and without rsLoRA and DoRA', async () => {
    for (const extra of [{}, { useRslora: true }, { useDora: true }]) {
      const m = mlp(2);
      const x = randn(new Rng(5), [4, 6]);
      const base = m.forward(x);
      const w0 = must(m.linearModules().get('layers.0')).weight.clone();
      const peft = await getPeftModelAsync(m, {
        r: 3,
        loraAlpha: 5,
        targetModules: ['layers.0', 'layers.1'],
        initLoraWeights: 'pissa',
        ...extra,
      });
      const out = peft.model.forward(x);
      expectClose(out, base, 1e-5, 1e-6);
      // The base now holds the residual: disabling the adapter gives a different model.
      const wres = must(m.linearModules().get('layers.0')).weight;
      const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(wres, w0))).dataSync()[0]);
      expect(diff).toBeGreaterThan(0.01);
      const delta = peft.getDeltaWeight('layers.0');
      if (!('useDora' in extra)) {
        const sum = tf.add(wres, delta);
        expectClose(sum, w0, 1e-5, 1e-6);
        sum.dispose();
      }
      tf.dispose([x, base, out, w0, delta]);
      peft.dispose();
    }
  });

  it('merge gives residual + s·A·B (= W0 at init) and equals the adapter model after training', async () => {
    const m = mlp(4);
    const x = randn(new Rng(6), [5, 6]);
    const peft = await getPeftModelAsync(m, {
      r: 2,
      loraAlpha: 4,
      targetModules: ['layers.1'],
      initLoraWeights: 'pissa',
    });
    perturb(peft, 8);
    const lin = must(m.linearModules().get('layers.1'));
    const res = lin.weight.clone();
    const f = peft.factors('layers.1');
    const want = tf.tidy(() => tf.add(res, tf.mul(tf.matMul(f.a, f.b), f.scaling)));
    const adapted = peft.model.forward(x);
    await peft.merge();
    expectClose(lin.weight, want, 1e-6, 1e-7);
    const merged = peft.model.forward(x);
    expectClose(merged, adapted, 1e-5, 1e-6);
    peft.unmerge();
    expectClose(lin.weight, res, 1e-6, 1e-7);
    tf.dispose([x, res, want, adapted, merged]);
    peft.dispose();
  });

  it('refuses clearly: the sync API, a second adapter, embedding tables', async () => {
    const m = mlp();
    const before = m.namedParameters().map((p) => p.variable.dataSync().slice());
    const cfg = { r: 2, targetModules: ['layers.0'], initLoraWeights: 'pissa' as const };
    expect(() => getPeftModel(m, cfg)).toThrow(
      /^initLoraWeights = "pissa": needs an SVD .*addAdapterAsync/,
    );
    const plain = getPeftModel(m, { r: 2, targetModules: ['layers.0'] });
    await expect(plain.addAdapterAsync('p', cfg)).rejects.toThrow(
      /^initLoraWeights = "pissa": must be the model's only adapter/,
    );
    plain.unload();
    m.namedParameters().forEach((p, i) => {
      expect(p.variable.dataSync()).toEqual(before[i]);
    });
    const peft = await getPeftModelAsync(m, cfg);
    expect(() => {
      peft.addAdapter('second', { r: 2, targetModules: ['layers.1'] });
    }).toThrow(LoraConfigError);
    expect(() => {
      peft.addAdapter('second', { r: 2, targetModules: ['layers.1'] });
    }).toThrow(/adapterName = "second": cannot be added next to the PiSSA adapter "default"/);
    peft.dispose();
    const enc = new Encoder(encoderConfig('micro'), { seed: 1 });
    await expect(
      getPeftModelAsync(enc, {
        r: 2,
        targetModules: ['word_embeddings'],
        initLoraWeights: 'pissa',
      }),
    ).rejects.toThrow(/^initLoraWeights = "pissa": is supported on linear layers only/);
    enc.dispose();
  });

  it('saves as PEFT does and loads back: plain (re-derived from W0) and converted to rank-2r LoRA', async () => {
    const cfg = encoderConfig('micro', { hiddenDropoutProb: 0, attentionDropoutProb: 0 });
    const ids = tf.tensor2d([[0, 5, 6, 7, 8, 2]], [1, 6], 'int32');
    const mask = tf.onesLike(ids);
    for (const useRslora of [false, true]) {
      const peft = await getPeftModelAsync(new Encoder(cfg, { seed: 1 }), {
        r: 2,
        loraAlpha: 3,
        useRslora,
        targetModules: ['query', 'value'],
        modulesToSave: ['classifier'],
        initLoraWeights: 'pissa',
      });
      const initial = await saveAdapter(peft);
      perturb(peft, 30);
      const want = peft.model.classify(ids, mask);
      // Plain: PEFT's file (init "pissa"); loading re-runs PiSSA on the original base, then sets A, B.
      const plainFiles = await saveAdapter(peft);
      expect(parseAdapterConfig(plainFiles.adapterConfigJson).initLoraWeights).toBe('pissa');
      const fresh = new PeftModel(new Encoder(cfg, { seed: 1 }));
      expect(() => {
        loadAdapter(fresh, plainFiles);
      }).toThrow(AdapterLoadError);
      expect(() => {
        loadAdapter(fresh, plainFiles);
      }).toThrow(/^init_lora_weights = pissa: .*loadAdapterAsync/);
      await loadAdapterAsync(fresh, plainFiles);
      const got = fresh.model.classify(ids, mask);
      expectBitIdentical(got, want); // same SVD of the same W0, same A and B
      // Converted: a plain LoRA adapter of rank 2r on W0 (PEFT's path_initial_model_for_weight_conversion).
      const conv = await saveAdapter(peft, 'default', { pissaInitial: initial });
      const json = JSON.parse(conv.adapterConfigJson) as Record<string, unknown>;
      expect(json).toMatchObject({ r: 4, init_lora_weights: true, use_rslora: useRslora });
      expect(json.lora_alpha).toBeCloseTo(useRslora ? 3 * Math.SQRT2 : 6, 12);
      const { tensors } = decodeSafetensors(conv.adapterModelSafetensors);
      const q = 'base_model.model.roberta.encoder.layer.0.attention.self.query';
      expect(must(tensors[`${q}.lora_A.weight`]).shape).toEqual([4, cfg.hiddenSize]);
      expect(must(tensors[`${q}.lora_B.weight`]).shape).toEqual([cfg.hiddenSize, 4]);
      const onW0 = new PeftModel(new Encoder(cfg, { seed: 1 }));
      loadAdapter(onW0, conv);
      const got2 = onW0.model.classify(ids, mask);
      expectClose(got2, want, 1e-4, 1e-5);
      // A non-PiSSA adapter has nothing to convert.
      const lora = getPeftModel(new Encoder(cfg, { seed: 1 }), { r: 2, targetModules: ['query'] });
      await expect(saveAdapter(lora, 'default', { pissaInitial: initial })).rejects.toThrow(
        /^pissaInitial = init true: only an adapter made with initLoraWeights 'pissa'/,
      );
      tf.dispose([want, got, got2]);
      for (const p of [peft, fresh, onW0, lora]) p.dispose();
    }
    tf.dispose([ids, mask]);
  });
});

describe('PiSSA on a page: the SVDs do not hold the thread', () => {
  it('hands the event loop back between the SVDs of several large weights', async () => {
    // Four 256 × 256 weights: their SVDs take well over one 30-ms slice together, so a timer set
    // before the init must fire during it (it could not if the loop never returned to the loop).
    const m = new Mlp(
      { sizes: [256, 256, 256, 256, 256], activation: 'tanh', bias: true },
      { seed: 3 },
    );
    let ticks = 0;
    let running = true;
    const tick = (): void => {
      ticks++;
      if (running) setTimeout(tick, 0);
    };
    setTimeout(tick, 0);
    const t0 = performance.now();
    const peft = await getPeftModelAsync(m, {
      r: 4,
      loraAlpha: 8,
      targetModules: ['layers.0', 'layers.1', 'layers.2', 'layers.3'],
      initLoraWeights: 'pissa',
    });
    const ms = performance.now() - t0;
    running = false;
    expect(ms).toBeGreaterThan(30); // otherwise the check below says nothing
    expect(ticks).toBeGreaterThan(0);
    peft.dispose();
  });
});
