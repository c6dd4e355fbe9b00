/**
 * LoRA numerics (cpu and wasm). Tolerances: merged vs unmerged forward and unmerge vs W0 differ by
 * float32 rounding of W + ΔW − ΔW (|W| ≤ ~1, so ≤ a few ulps ≈ 1e-6); we allow 1e-5 absolute.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Encoder, encoderConfig } from '../../../src/core/models/encoder.ts';
import { Mlp } from '../../../src/core/models/mlp.ts';
import { getPeftModel, PeftModel } from '../../../src/core/lora/peft-model.ts';
import { LoraConfigError, loraScaling } from '../../../src/core/lora/config.ts';
import { AdapterStateError, LoraMergeError } from '../../../src/core/lora/errors.ts';
import { kaimingUniformBound } from '../../../src/core/lora/init.ts';
import { dropout } from '../../../src/core/nn/activations.ts';
import { ShapeError } from '../../../src/core/nn/module.ts';
import { softmaxCrossEntropy } from '../../../src/core/nn/loss.ts';
import { Adam } from '../../../src/core/train/adam.ts';
import { trainLoop, trainToEnd } from '../../../src/core/train/loop.ts';
import { Rng, randn } from '../../../src/core/rng.ts';
import { summarizeParams } from '../../../src/core/accounting.ts';
import {
  NODE_BACKENDS,
  checkNoLeaks,
  expectBitIdentical,
  expectClose,
  must,
  useBackend,
} from '../helpers.ts';

const micro = encoderConfig('micro', { hiddenDropoutProb: 0, attentionDropoutProb: 0 });

function batch(seed: number, B = 2, T = 6) {
  const r = new Rng(seed);
  return {
    ids: tf.tensor2d(
      Array.from({ length: B * T }, () => 4 + r.int(micro.vocabSize - 4)),
      [B, T],
      'int32',
    ),
    mask: tf.ones([B, T], 'int32'),
  };
}

function snapshot(m: { getWeights(): Record<string, tf.Tensor> }): Record<string, tf.Tensor> {
  return m.getWeights();
}

function expectSameWeights(
  m: { param?: unknown; getWeights(): Record<string, tf.Tensor> },
  snap: Record<string, tf.Tensor>,
): void {
  const now = m.getWeights();
  for (const k of Object.keys(snap)) expectBitIdentical(must(now[k]), must(snap[k]));
  tf.dispose(Object.values(now));
}

for (const backend of NODE_BACKENDS) {
  describe(`LoRA on ${backend}`, () => {
    beforeAll(async () => {
      await useBackend(backend);
    });
    checkNoLeaks();

    it('starts equal to the base model exactly for every init with B = 0 or a zero gate', () => {
      for (const init of [true, 'gaussian', 'zero-both', 'a-zero-b-random', 'gated'] as const) {
        const enc = new Encoder(micro, { seed: 1 });
        const { ids, mask } = batch(2);
        const base = enc.classify(ids, mask);
        const peft = getPeftModel(enc, {
          r: 4,
          loraAlpha: 8,
          targetModules: ['query', 'value', 'dense'],
          initLoraWeights: init,
        });
        const adapted = peft.model.classify(ids, mask);
        expectBitIdentical(adapted, base);
        tf.dispose([base, adapted, ids, mask]);
        peft.dispose();
      }
      // …but not for random-both.
      const enc = new Encoder(micro, { seed: 1 });
      const { ids, mask } = batch(2);
      const base = enc.classify(ids, mask);
      const peft = getPeftModel(enc, {
        r: 4,
        targetModules: ['value', 'dense'],
        initLoraWeights: 'random-both',
        initScale: 0.5,
      });
      const adapted = peft.model.classify(ids, mask);
      const d = tf.tidy(() => tf.max(tf.abs(tf.sub(adapted, base))).dataSync()[0] ?? 0);
      expect(d).toBeGreaterThan(1e-4);
      tf.dispose([base, adapted, ids, mask]);
      peft.dispose();
    });

    it('gradient at init: hand-derived dB = s·(xA)ᵀc, dA = 0 (default); both zero (zero-both)', () => {
      // One linear layer y = x·W + b + s·x·A·B, loss L = Σ y ⊙ c.
      const mlp = new Mlp({ sizes: [3, 2], activation: 'relu', bias: true }, { seed: 3 });
      const peft = getPeftModel(mlp, { r: 2, loraAlpha: 3, targetModules: ['layers.0'] });
      const s = 3 / 2;
      expect(peft.factors('layers.0').scaling).toBe(s);
      const x = tf.tensor2d([[0.5, -1, 2]]);
      const c = tf.tensor2d([[1, -2]]);
      const f = peft.factors('layers.0');
      const { value, grads } = tf.variableGrads(
        () => tf.sum(tf.mul(peft.model.forward(x), c)),
        [f.a, f.b],
      );
      const gA = must(grads[f.a.name]);
      const gB = must(grads[f.b.name]);
      expect(Array.from(gA.dataSync()).every((v) => v === 0)).toBe(true);
      const xa = tf.matMul(x, f.a); // [1, r]
      const expected = tf.tidy(() => tf.mul(tf.matMul(tf.transpose(xa), c), s)); // [r, dOut]
      expectClose(gB, expected, 1e-5, 1e-6);
      expect(Array.from(gB.dataSync()).some((v) => v !== 0)).toBe(true);
      // A is Kaiming-uniform within ±1/√dIn.
      const bound = kaimingUniformBound(3);
      expect(Array.from(f.a.dataSync()).every((v) => Math.abs(v) <= bound)).toBe(true);
      tf.dispose([x, c, value, gA, gB, xa, expected]);
      peft.dispose();

      const mlp2 = new Mlp({ sizes: [3, 2], activation: 'relu', bias: true }, { seed: 3 });
      const p2 = getPeftModel(mlp2, {
        r: 2,
        targetModules: ['layers.0'],
        initLoraWeights: 'zero-both',
      });
      const f2 = p2.factors('layers.0');
      const x2 = tf.tensor2d([[0.5, -1, 2]]);
      const g2 = tf.variableGrads(() => tf.sum(p2.model.forward(x2)), [f2.a, f2.b]);
      for (const g of Object.values(g2.grads))
        expect(Array.from(g.dataSync()).every((v) => v === 0)).toBe(true);
      tf.dispose([x2, g2.value, ...Object.values(g2.grads)]);
      p2.dispose();
    });

    it('a-zero-b-random: A gets the gradient, B none; gated: only the gate does', () => {
      const x = tf.tensor2d([[0.5, -1, 2, 1]]);
      const m1 = getPeftModel(
        new Mlp({ sizes: [4, 3], activation: 'relu', bias: true }, { seed: 4 }),
        {
          r: 2,
          targetModules: ['layers.0'],
          initLoraWeights: 'a-zero-b-random',
          initScale: 0.5,
        },
      );
      const f1 = m1.factors('layers.0');
      const g1 = tf.variableGrads(() => tf.sum(m1.model.forward(x)), [f1.a, f1.b]);
      expect(Array.from(must(g1.grads[f1.a.name]).dataSync()).some((v) => v !== 0)).toBe(true);
      expect(Array.from(must(g1.grads[f1.b.name]).dataSync()).every((v) => v === 0)).toBe(true);
      const m2 = getPeftModel(
        new Mlp({ sizes: [4, 3], activation: 'relu', bias: true }, { seed: 4 }),
        {
          r: 2,
          targetModules: ['layers.0'],
          initLoraWeights: 'gated',
          initScale: 0.5,
        },
      );
      const f2 = m2.factors('layers.0');
      const gate = must(f2.gate);
      const g2 = tf.variableGrads(() => tf.sum(m2.model.forward(x)), [f2.a, f2.b, gate]);
      expect(Array.from(must(g2.grads[f2.a.name]).dataSync()).every((v) => v === 0)).toBe(true);
      expect(Array.from(must(g2.grads[f2.b.name]).dataSync()).every((v) => v === 0)).toBe(true);
      expect(Math.abs(must(g2.grads[gate.name]).dataSync()[0] ?? 0)).toBeGreaterThan(0);
      tf.dispose([x, g1.value, g2.value, ...Object.values(g1.grads), ...Object.values(g2.grads)]);
      m1.dispose();
      m2.dispose();
    });

    it('gradient norms per step: default ⇒ ‖∇A‖ = 0 then both move; zero-both ⇒ zero forever, A and B stay 0', async () => {
      const x = randn(new Rng(5), [8, 4]);
      const yT = randn(new Rng(6), [8, 3]);
      for (const init of [true, 'zero-both'] as const) {
        const mlp = new Mlp({ sizes: [4, 3], activation: 'relu', bias: true }, { seed: 1 });
        const peft = getPeftModel(mlp, {
          r: 2,
          targetModules: ['layers.0'],
          initLoraWeights: init,
        });
        const f = peft.factors('layers.0');
        const opt = new Adam({ learningRate: 0.05 });
        const seen: Record<string, number>[] = [];
        for await (const s of trainLoop({
          optimizer: opt,
          variables: () => peft.trainableVariables(),
          loss: () => tf.mean(tf.square(tf.sub(peft.model.forward(x), yT))),
          gradNormGroups: { A: [f.a], B: [f.b] },
          steps: 5,
        })) {
          seen.push(must(s.gradNorms));
        }
        if (init === true) {
          expect(must(seen[0]).A).toBe(0);
          expect(must(seen[0]).B).toBeGreaterThan(0);
          expect(must(seen[1]).A).toBeGreaterThan(0); // B moved, so A now gets a gradient
        } else {
          expect(seen.every((n) => n.A === 0 && n.B === 0)).toBe(true);
          expect(Array.from(f.a.dataSync()).every((v) => v === 0)).toBe(true);
          expect(Array.from(f.b.dataSync()).every((v) => v === 0)).toBe(true);
        }
        opt.dispose();
        peft.dispose();
      }
      tf.dispose([x, yT]);
    });

    it('scaling is loraAlpha/r, or loraAlpha/√r with useRslora', () => {
      expect(loraScaling({ r: 8, loraAlpha: 16, useRslora: false })).toBe(2);
      expect(loraScaling({ r: 16, loraAlpha: 16, useRslora: true })).toBe(4);
      const p = getPeftModel(new Mlp({ sizes: [8, 8], activation: 'relu', bias: false }), {
        r: 4,
        loraAlpha: 6,
        useRslora: true,
        targetModules: ['layers.0'],
      });
      expect(p.factors('layers.0').scaling).toBe(3);
      p.dispose();
    });

    it('merge ≈ unmerged forward; unmerge restores W0; mergeAndUnload equals the adapted model', async () => {
      const enc = new Encoder(micro, { seed: 5 });
      const w0 = enc.param('roberta.encoder.layer.0.attention.self.query.weight').clone();
      const peft = getPeftModel(enc, {
        r: 2,
        loraAlpha: 4,
        targetModules: ['query', 'value'],
        initLoraWeights: 'random-both',
        initScale: 0.3,
      });
      const { ids, mask } = batch(6);
      const adapted = peft.model.classify(ids, mask);
      await peft.merge();
      expect(peft.mergedAdapters).toEqual(['default']);
      const merged = peft.model.classify(ids, mask);
      expectClose(merged, adapted, 0, 1e-5);
      const wMerged = enc.param('roberta.encoder.layer.0.attention.self.query.weight');
      const delta = peft.getDeltaWeight('roberta.encoder.layer.0.attention.self.query');
      const sum = tf.add(w0, delta);
      expectClose(wMerged, sum, 0, 1e-6);
      expect(() => {
        peft.setAdapter('default');
      }).not.toThrow();
      peft.unmerge();
      expectClose(enc.param('roberta.encoder.layer.0.attention.self.query.weight'), w0, 0, 1e-6);
      const plain = await peft.mergeAndUnload();
      expect(plain).toBe(enc);
      expect([...plain.linearModules().values()].every((l) => l.hook === null)).toBe(true);
      expect(plain.namedParameters().every((p) => p.trainable)).toBe(true);
      const out = plain.classify(ids, mask);
      expectClose(out, adapted, 0, 1e-5);
      expect(() => {
        peft.setAdapter('default');
      }).toThrow(AdapterStateError);
      tf.dispose([w0, adapted, merged, delta, sum, out, ids, mask]);
      plain.dispose();
    });

    it('merge is deterministic (same config and seed: same weights), refuses NaN without changes, and leaks no tensor', async () => {
      const make = () => new Mlp({ sizes: [5, 4, 3], activation: 'tanh', bias: true }, { seed: 3 });
      const cfg = {
        r: 2,
        targetModules: ['layers.0', 'layers.1'],
        initLoraWeights: 'random-both' as const,
        initScale: 0.5,
      };
      const syncModel = make();
      const asyncModel = make();
      const p1 = getPeftModel(syncModel, cfg);
      const p2 = getPeftModel(asyncModel, cfg);
      await p1.merge();
      const before = tf.memory().numTensors;
      await p2.merge();
      expect(tf.memory().numTensors).toBe(before);
      expect(p2.mergedAdapters).toEqual(['default']);
      const w1 = syncModel.getWeights();
      const w2 = asyncModel.getWeights();
      for (const k of Object.keys(w1)) expectBitIdentical(must(w2[k]), must(w1[k]));
      tf.dispose([...Object.values(w1), ...Object.values(w2)]);
      // A non-finite ΔW: the async path refuses too and leaves the weights as they were.
      const bad = make();
      const p3 = getPeftModel(bad, cfg);
      const snap = snapshot(bad);
      tf.tidy(() => {
        p3.factors('layers.0').a.assign(tf.fill(p3.factors('layers.0').a.shape, Number.NaN));
      });
      await expect(p3.merge()).rejects.toThrow(/deltaWeight = layers\.0/);
      expect(p3.mergedAdapters).toEqual([]);
      expectSameWeights(bad, snap);
      tf.dispose(Object.values(snap));
      p1.dispose();
      p2.dispose();
      p3.dispose();
    });

    it('merge refuses NaN/Inf in ΔW and changes nothing', async () => {
      const mlp = new Mlp({ sizes: [4, 4, 2], activation: 'tanh', bias: true }, { seed: 1 });
      const peft = getPeftModel(mlp, { r: 2, targetModules: ['layers.0', 'layers.1'] });
      const snap = snapshot(mlp);
      tf.tidy(() => {
        peft.factors('layers.1').b.assign(
          tf.tensor2d([
            [Number.NaN, 0],
            [0, 0],
          ]),
        );
      });
      await expect(peft.merge()).rejects.toThrow(LoraMergeError);
      await expect(peft.merge()).rejects.toThrow(/deltaWeight = layers\.1/);
      expect(peft.mergedAdapters).toEqual([]);
      expectSameWeights(mlp, snap);
      tf.tidy(() => {
        peft.factors('layers.1').b.assign(
          tf.tensor2d([
            [Number.POSITIVE_INFINITY, 0],
            [0, 0],
          ]),
        );
      });
      await expect(peft.mergeAndUnload()).rejects.toThrow(LoraMergeError);
      expectSameWeights(mlp, snap);
      tf.dispose(Object.values(snap));
      peft.dispose();
    });

    it('several adapters: switching changes the output and switching back restores it exactly; disable = base', async () => {
      const enc = new Encoder(micro, { seed: 7 });
      const { ids, mask } = batch(8);
      const base = enc.classify(ids, mask);
      const wq = enc.param('roberta.encoder.layer.0.attention.self.query.weight');
      const peft = getPeftModel(
        enc,
        { r: 2, targetModules: ['query'], initLoraWeights: 'random-both', initScale: 0.5 },
        { adapterName: 'a', seed: 1 },
      );
      peft.addAdapter(
        'b',
        {
          r: 3,
          targetModules: ['value', 'key'],
          initLoraWeights: 'random-both',
          initScale: 0.5,
          modulesToSave: ['classifier'],
        },
        { seed: 2 },
      );
      expect(peft.activeAdapter).toBe('a');
      const outA = peft.model.classify(ids, mask);
      peft.setAdapter('b');
      expect(enc.param('roberta.encoder.layer.0.attention.self.query.weight')).toBe(wq); // same variable, no copy
      const outB = peft.model.classify(ids, mask);
      const dAB = tf.tidy(() => tf.max(tf.abs(tf.sub(outA, outB))).dataSync()[0] ?? 0);
      expect(dAB).toBeGreaterThan(1e-4);
      // trainable: b's factors and the classifier; a's factors frozen; base frozen.
      const rows = peft.parameterRows();
      const trainable = rows.filter((r) => r.trainable === 1).map((r) => r.name);
      expect(trainable.some((n) => n.includes('.lora_A.b.'))).toBe(true);
      expect(trainable.some((n) => n.includes('.lora_A.a.'))).toBe(false);
      expect(trainable).toContain('classifier.dense.weight');
      expect(trainable).not.toContain('roberta.encoder.layer.0.attention.self.query.weight');
      peft.setAdapter('a');
      const outA2 = peft.model.classify(ids, mask);
      expectBitIdentical(outA2, outA);
      peft.disableAdapters();
      const off = peft.model.classify(ids, mask);
      expectBitIdentical(off, base);
      await expect(peft.merge()).rejects.toThrow(/adaptersDisabled = true/);
      peft.enableAdapters();
      peft.deleteAdapter('a');
      expect(peft.activeAdapter).toBe('b');
      expect(peft.adapterNames).toEqual(['b']);
      expect(enc.linear('roberta.encoder.layer.0.attention.self.query').hook).toBeNull();
      expect(() => {
        peft.setAdapter('a');
      }).toThrow(/adapter = "a": no such adapter/);
      expect(() => {
        peft.addAdapter('b', { targetModules: ['query'] });
      }).toThrow(LoraConfigError);
      tf.dispose([base, outA, outB, outA2, off, ids, mask]);
      peft.dispose();
    });

    it('parameter counts equal r·(dIn + dOut) per adapted layer', () => {
      const enc = new Encoder(micro, { seed: 0 });
      const before = summarizeParams(
        enc.namedParameters().map((p) => ({ name: p.name, trainable: 1, count: p.variable.size })),
      );
      const r = 3;
      const peft = getPeftModel(enc, {
        r,
        targetModules: ['query', 'value', 'intermediate.dense'],
      });
      const H = micro.hiddenSize;
      const I = micro.intermediateSize;
      const perLayer = r * (H + H) * 2 + r * (H + I);
      const s = summarizeParams(peft.parameterRows());
      expect(s.trainable).toBe(micro.numHiddenLayers * perLayer);
      expect(s.all).toBe(before.all + s.trainable);
      peft.dispose();
    });

    it('LoRA dropout acts on the adapter path only (exact, replaying the rng)', () => {
      const mlp = new Mlp({ sizes: [6, 5], activation: 'relu', bias: true }, { seed: 2 });
      const peft = getPeftModel(mlp, {
        r: 2,
        loraAlpha: 2,
        loraDropout: 0.5,
        targetModules: ['layers.0'],
        initLoraWeights: 'random-both',
        initScale: 0.5,
      });
      const x = randn(new Rng(3), [4, 6]);
      const yTrain = peft.model.forward(x, { training: true, rng: new Rng(9) });
      const f = peft.factors('layers.0');
      const expected = tf.tidy(() => {
        const base = tf.add(
          tf.matMul(x, must(mlp.namedParameters()[0]).variable),
          must(mlp.namedParameters()[1]).variable,
        );
        const xd = dropout(x, 0.5, new Rng(9));
        return tf.add(base, tf.mul(tf.matMul(tf.matMul(xd, f.a), f.b), f.scaling));
      });
      expectClose(yTrain, expected, 1e-5, 1e-6);
      tf.dispose([x, yTrain, expected]);
      peft.dispose();
    });

    it('training: frozen weights stay bit-identical, loss falls, same seed ⇒ same losses', async () => {
      async function run(): Promise<{ losses: number[]; frozenSame: boolean }> {
        const enc = new Encoder(micro, { seed: 11 });
        const { ids, mask } = batch(12, 8, 6);
        const labels = tf.tensor1d([0, 1, 1, 0, 1, 0, 0, 1], 'int32');
        const peft = getPeftModel(enc, {
          r: 4,
          loraAlpha: 8,
          targetModules: ['query', 'value'],
          modulesToSave: ['classifier'],
        });
        const frozenBefore = enc
          .param('roberta.encoder.layer.1.attention.self.query.weight')
          .clone();
        const embBefore = enc.param('roberta.embeddings.word_embeddings.weight').clone();
        const opt = new Adam({ learningRate: 1e-2 });
        const losses = await trainToEnd({
          optimizer: opt,
          variables: () => peft.trainableVariables(),
          loss: () =>
            softmaxCrossEntropy(
              peft.model.classify(ids, mask, { training: true, rng: new Rng(1) }),
              labels,
            ),
          steps: 30,
        });
        const same =
          tf.tidy(
            () =>
              tf
                .all(
                  tf.equal(
                    frozenBefore,
                    enc.param('roberta.encoder.layer.1.attention.self.query.weight'),
                  ),
                )
                .dataSync()[0] === 1,
          ) &&
          tf.tidy(
            () =>
              tf
                .all(tf.equal(embBefore, enc.param('roberta.embeddings.word_embeddings.weight')))
                .dataSync()[0] === 1,
          );
        expect(opt.stateSize).toBe(peft.trainableVariables().length);
        tf.dispose([ids, mask, labels, frozenBefore, embBefore]);
        opt.dispose();
        peft.dispose();
        return { losses, frozenSame: same };
      }
      const a = await run();
      const b = await run();
      expect(a.frozenSame).toBe(true);
      expect(a.losses).toEqual(b.losses);
      expect(must(a.losses.at(-1))).toBeLessThan(must(a.losses[0]) * 0.5);
    });
  });
}

describe('PeftModel validation', () => {
  checkNoLeaks();

  it('target matching: exact or dotted suffix for lists, whole-name match for regexes; none ⇒ typed error, model untouched', () => {
    const enc = new Encoder(micro, { seed: 0 });
    const mk = (t: string[] | RegExp | string) =>
      new PeftModel(enc).planFor({ r: 1, targetModules: t }).targets.map((x) => x.name);
    expect(mk(['query'])).toEqual([
      'roberta.encoder.layer.0.attention.self.query',
      'roberta.encoder.layer.1.attention.self.query',
    ]);
    expect(mk(['layer.1.attention.self.query'])).toEqual([
      'roberta.encoder.layer.1.attention.self.query',
    ]);
    expect(() => mk(['uery'])).toThrow(LoraConfigError);
    expect(mk(/.*layer\.0\.attention\.self\.(query|value)/)).toEqual([
      'roberta.encoder.layer.0.attention.self.query',
      'roberta.encoder.layer.0.attention.self.value',
    ]);
    expect(() => mk('query')).toThrow(/targetModules = "query": matches no linear module/);
    expect(mk('.*\\.dense')).toContain('classifier.dense');
    const snap = enc.getWeights();
    const flags = enc.namedParameters().map((p) => p.trainable);
    expect(() => getPeftModel(enc, { r: 2, targetModules: ['nope'] })).toThrow(LoraConfigError);
    expect(() =>
      getPeftModel(enc, { r: 2, targetModules: ['query'], modulesToSave: ['nope'] }),
    ).toThrow(/modulesToSave = "nope"/);
    expect(() => getPeftModel(enc, { r: 17, targetModules: ['query'] })).toThrow(
      /r = 17: exceeds min\(dIn, dOut\) = 16/,
    );
    expect([...enc.linearModules().values()].every((l) => l.hook === null)).toBe(true);
    expect(enc.namedParameters().map((p) => p.trainable)).toEqual(flags);
    const now = enc.getWeights();
    for (const k of Object.keys(snap)) expectBitIdentical(must(now[k]), must(snap[k]));
    tf.dispose([...Object.values(snap), ...Object.values(now)]);
    enc.dispose();
  });

  it('an input of the wrong width throws ShapeError naming the layer and the shape', () => {
    const peft = getPeftModel(new Mlp({ sizes: [4, 3], activation: 'relu', bias: true }), {
      r: 1,
      targetModules: ['layers.0'],
    });
    const x = tf.zeros([2, 5]);
    expect(() => peft.model.forward(x)).toThrow(ShapeError);
    expect(() => peft.model.forward(x)).toThrow(
      /layers\.0 input shape = \[2, 5\]: last axis must be 4/,
    );
    x.dispose();
    peft.dispose();
  });

  it('bad config fields throw LoraConfigError naming field and value', () => {
    const mlp = new Mlp({ sizes: [4, 4], activation: 'relu', bias: true });
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ r: 0 }, /^r = 0/],
      [{ r: 1.5 }, /^r = 1\.5/],
      [{ r: -2 }, /^r = -2/],
      [{ loraAlpha: Number.NaN }, /^loraAlpha = NaN/],
      [{ loraAlpha: -1 }, /^loraAlpha = -1/],
      [{ loraDropout: 1 }, /^loraDropout = 1/],
      [{ initLoraWeights: 'pissa' }, /^initLoraWeights = "pissa"/],
      [{ targetModules: [] }, /^targetModules = \[\]/],
    ];
    for (const [fields, re] of bad) {
      expect(() => getPeftModel(mlp, { targetModules: ['layers.0'], ...fields })).toThrow(re);
    }
    expect([...mlp.linearModules().values()].every((l) => l.hook === null)).toBe(true);
    mlp.dispose();
  });
});
