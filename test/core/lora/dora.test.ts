/**
 * DoRA (`useDora`, PEFT's `use_dora`): the model is unchanged at creation, the magnitude starts at
 * W0's column norms (our weight is [dIn, dOut]: one norm per output column, as PEFT's dim=1 norm of
 * its [out, in] weight), the norm is a constant in backpropagation (PEFT's detach), a step moves m,
 * merging is exact and unmerging restores W0, and the adapter saves and loads under PEFT's keys.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Mlp } from '../../../src/core/models/mlp.ts';
import { Encoder, encoderConfig } from '../../../src/core/models/encoder.ts';
import { getPeftModel, PeftModel } from '../../../src/core/lora/peft-model.ts';
import { LoraConfigError, type InitLoraWeights } from '../../../src/core/lora/config.ts';
import { AdapterStateError } from '../../../src/core/lora/errors.ts';
import { loadAdapter, saveAdapter } from '../../../src/core/lora/io.ts';
import { decodeSafetensors } from '../../../src/core/io/safetensors.ts';
import { accountingRows } from '../../../src/core/models/spec-rows.ts';
import { summarizeParams } from '../../../src/core/accounting.ts';
import { Adam } from '../../../src/core/train/adam.ts';
import { randn, Rng } from '../../../src/core/rng.ts';
import { dropout } from '../../../src/core/nn/activations.ts';
import {
  checkNoLeaks,
  expectBitIdentical,
  expectClose,
  must,
  NODE_BACKENDS,
  useBackend,
} from '../helpers.ts';

const SIZES = [5, 7, 4];

function mlp(seed = 1): Mlp {
  return new Mlp({ sizes: SIZES, activation: 'tanh', bias: true }, { seed });
}

/** Column norms of a row-major [rows, cols] matrix, in float64. */
function columnNorms(w: ArrayLike<number>, rows: number, cols: number): number[] {
  return Array.from({ length: cols }, (_, j) => {
    let s = 0;
    for (let i = 0; i < rows; i++) s += must(w[i * cols + j]) ** 2;
    return Math.sqrt(s);
  });
}

/** Perturbs every trainable adapter variable so that the adapter does something. */
function perturb(peft: PeftModel, seed: number): void {
  const rng = new Rng(seed);
  for (const v of peft.trainableVariables())
    tf.tidy(() => {
      v.assign(tf.add(v, tf.mul(randn(rng, v.shape), 0.3)));
    });
}

for (const backend of NODE_BACKENDS)
  describe(`DoRA on ${backend}`, () => {
    beforeAll(async () => {
      await useBackend(backend);
    });
    checkNoLeaks();

    it('starts at the base model (bit for bit with B = 0) for every init with B = 0', () => {
      for (const init of [true, 'gaussian', 'zero-both'] as InitLoraWeights[]) {
        for (const useRslora of [false, true]) {
          const m = mlp(3);
          const x = randn(new Rng(9), [6, 5]);
          const base = m.forward(x);
          const peft = getPeftModel(m, {
            r: 2,
            loraAlpha: 3,
            useRslora,
            targetModules: ['layers.0', 'layers.1'],
            initLoraWeights: init,
            useDora: true,
          });
          const out = peft.model.forward(x);
          expectBitIdentical(out, base);
          tf.dispose([x, base, out]);
          peft.dispose();
        }
      }
    });

    it('with both factors random it starts where plain LoRA starts (m = ‖W0 + s·A·B‖)', () => {
      const x = randn(new Rng(2), [4, 5]);
      const cfg = {
        r: 2,
        loraAlpha: 4,
        targetModules: ['layers.0'],
        initLoraWeights: 'random-both' as const,
        initScale: 0.5,
      };
      const lora = getPeftModel(mlp(), cfg, { seed: 7 });
      const dora = getPeftModel(mlp(), { ...cfg, useDora: true }, { seed: 7 });
      const a = lora.model.forward(x);
      const b = dora.model.forward(x);
      expectClose(b, a, 1e-5, 1e-6);
      tf.dispose([x, a, b]);
      lora.dispose();
      dora.dispose();
    });

    it('the magnitude is W0’s column norms ([dOut], one per output unit), trainable, counted', () => {
      const m = mlp();
      const w0 = m.linearModules().get('layers.0')?.weight.dataSync() ?? new Float32Array();
      const peft = getPeftModel(m, { r: 2, targetModules: ['layers.0'], useDora: true });
      const f = peft.factors('layers.0');
      const mag = must(f.magnitude);
      expect(mag.shape).toEqual([7]);
      const want = columnNorms(w0, 5, 7);
      Array.from(mag.dataSync()).forEach((v, j) => {
        expect(v).toBeCloseTo(must(want[j]), 6);
      });
      const names = peft.namedParameters().filter((p) => p.trainable);
      expect(names.map((p) => p.name)).toEqual([
        'layers.0.lora_A.default.weight',
        'layers.0.lora_B.default.weight',
        'layers.0.lora_magnitude_vector.default.weight',
      ]);
      const trainable = summarizeParams(peft.parameterRows()).trainable;
      expect(trainable).toBe(2 * (5 + 7) + 7);
      // The shape-only accounting agrees with the live model.
      const spec = {
        parameters: m.namedParameters().map((p) => ({ name: p.name, shape: p.variable.shape })),
        linearModules: [...m.linearModules().values()].map((l) => ({
          name: l.name,
          inFeatures: l.inFeatures,
          outFeatures: l.outFeatures,
        })),
      };
      const rows = accountingRows(spec as never, {
        r: 2,
        targetModules: ['layers.0'],
        useDora: true,
      });
      expect(summarizeParams(rows).trainable).toBe(trainable);
      peft.dispose();
    });

    it('the norm is a constant in backprop (PEFT’s detach); m gets a gradient and one step moves it', () => {
      const m = mlp(4);
      const peft = getPeftModel(
        m,
        {
          r: 2,
          loraAlpha: 2,
          targetModules: ['layers.0'],
          initLoraWeights: 'random-both',
          initScale: 0.4,
          useDora: true,
        },
        { seed: 5 },
      );
      perturb(peft, 11);
      const x = randn(new Rng(3), [6, 5]);
      const target = randn(new Rng(4), [6, 4]);
      const lin = must(m.linearModules().get('layers.0'));
      const f = peft.factors('layers.0');
      const a = f.a;
      const b = f.b;
      const mag = must(f.magnitude);
      const hook = lin.hook;
      const loss = (): tf.Scalar => tf.mean(tf.square(tf.sub(peft.model.forward(x), target)));
      const got = tf.variableGrads(loss, [a, b, mag]);
      // Reference: the same function with the norm computed once outside the tape (a constant).
      const norm = tf.tidy(() =>
        tf.norm(tf.add(lin.weight, tf.mul(tf.matMul(a, b), f.scaling)), 'euclidean', 0),
      );
      const naive = (): tf.Scalar =>
        tf.tidy(() => {
          const w = tf.mul(
            tf.add(lin.weight, tf.mul(tf.matMul(a, b), f.scaling)),
            tf.div(mag, norm),
          );
          lin.hook = null; // the plain layer with the DoRA weight written out
          try {
            const h = tf.tanh(tf.add(tf.matMul(x, w), must(lin.bias)));
            const l1 = must(m.linearModules().get('layers.1'));
            const y = tf.add(tf.matMul(h, l1.weight), must(l1.bias));
            return tf.mean(tf.square(tf.sub(y, target)));
          } finally {
            lin.hook = hook;
          }
        });
      const want = tf.variableGrads(naive, [a, b, mag]);
      expectClose(got.value, want.value, 1e-5, 1e-6);
      for (const v of [a, b, mag]) expectClose(must(got.grads[v.name]), must(want.grads[v.name]));
      const gm = must(got.grads[mag.name]).dataSync();
      expect(Math.max(...Array.from(gm, Math.abs))).toBeGreaterThan(1e-4);
      tf.dispose([
        got.value,
        want.value,
        norm,
        ...Object.values(got.grads),
        ...Object.values(want.grads),
      ]);
      // One Adam step moves m (first step: |Δ| = lr wherever the gradient is non-zero).
      const before = mag.dataSync().slice();
      const opt = new Adam({ learningRate: 0.01 });
      opt.step(loss, peft.trainableVariables()).dispose();
      const after = mag.dataSync();
      const moved = Array.from(after).map((v, i) => Math.abs(v - must(before[i])));
      expect(Math.max(...moved)).toBeCloseTo(0.01, 5);
      opt.dispose();
      tf.dispose([x, target]);
      peft.dispose();
    });

    it('merge is exact (merged output = adapter output), unmerge restores W0 bit for bit', async () => {
      const m = mlp(6);
      const x = randn(new Rng(8), [5, 5]);
      const peft = getPeftModel(
        m,
        { r: 3, loraAlpha: 6, targetModules: ['layers.0', 'layers.1'], useDora: true },
        { seed: 2 },
      );
      perturb(peft, 12);
      const w0 = m.linearModules().get('layers.1')?.weight.clone() ?? tf.scalar(0);
      const adapted = peft.model.forward(x);
      // ΔW is the whole change: W0 + ΔW is m ⊙ V/‖V‖, V = W0 + s·A·B.
      const f = peft.factors('layers.1');
      const delta = peft.getDeltaWeight('layers.1');
      const v = tf.tidy(() => tf.add(w0, tf.mul(tf.matMul(f.a, f.b), f.scaling)));
      const want = tf.tidy(() => tf.mul(v, tf.div(must(f.magnitude), tf.norm(v, 'euclidean', 0))));
      const sum = tf.add(w0, delta);
      expectClose(sum, want, 1e-5, 1e-6);
      await peft.merge();
      const merged = peft.model.forward(x);
      expectClose(merged, adapted, 1e-5, 1e-6);
      const mergedW = m.linearModules().get('layers.1')?.weight ?? tf.scalar(0);
      expectClose(mergedW, want, 1e-6, 1e-7);
      peft.unmerge();
      expectBitIdentical(m.linearModules().get('layers.1')?.weight ?? tf.scalar(0), w0);
      const again = peft.model.forward(x);
      expectBitIdentical(again, adapted);
      const plain = await peft.mergeAndUnload();
      const out = plain.forward(x);
      expectClose(out, adapted, 1e-5, 1e-6);
      tf.dispose([x, w0, adapted, delta, v, want, sum, merged, again, out]);
      plain.dispose();
    });

    it('with dropout, as PEFT: x·W0 + b + (g − 1)·(x̃·W0) + g·s·x̃·A·B, x̃ = dropout(x) (replaying the rng)', () => {
      const m = new Mlp({ sizes: [6, 5], activation: 'relu', bias: true }, { seed: 2 });
      const peft = getPeftModel(m, {
        r: 2,
        loraAlpha: 2,
        loraDropout: 0.5,
        targetModules: ['layers.0'],
        initLoraWeights: 'random-both',
        initScale: 0.5,
        useDora: true,
      });
      perturb(peft, 4);
      const x = randn(new Rng(3), [4, 6]);
      const got = peft.model.forward(x, { training: true, rng: new Rng(9) });
      const lin = must(m.linearModules().get('layers.0'));
      const f = peft.factors('layers.0');
      const want = tf.tidy(() => {
        const v = tf.add(lin.weight, tf.mul(tf.matMul(f.a, f.b), f.scaling));
        const g = tf.div(must(f.magnitude), tf.norm(v, 'euclidean', 0));
        const xd = dropout(x, 0.5, new Rng(9));
        const base = tf.add(tf.matMul(x, lin.weight), must(lin.bias));
        const corr = tf.add(
          tf.mul(tf.sub(g, 1), tf.matMul(xd, lin.weight)),
          tf.mul(g, tf.mul(tf.matMul(tf.matMul(xd, f.a), f.b), f.scaling)),
        );
        return tf.add(base, corr); // one layer: the logits, no activation
      });
      expectClose(got, want, 1e-5, 1e-6);
      // Evaluation (no dropout) is the merged weight's output: x·(g ⊙ V) + b.
      const evalOut = peft.model.forward(x);
      const merged = tf.tidy(() => {
        const v = tf.add(lin.weight, tf.mul(tf.matMul(f.a, f.b), f.scaling));
        const w = tf.mul(v, tf.div(must(f.magnitude), tf.norm(v, 'euclidean', 0)));
        return tf.add(tf.matMul(x, w), must(lin.bias));
      });
      expectClose(evalOut, merged, 1e-5, 1e-6);
      tf.dispose([x, got, want, evalOut, merged]);
      peft.dispose();
    });

    it('merging two LoRA adapters of one layer at once adds both ΔW (the plain path is a sum)', async () => {
      const m = mlp(7);
      const w0 = must(m.linearModules().get('layers.0')).weight.clone();
      const cfg = {
        r: 2,
        targetModules: ['layers.0'],
        initLoraWeights: 'random-both' as const,
        initScale: 0.3,
      };
      const peft = getPeftModel(m, cfg, { seed: 1 });
      peft.addAdapter('two', cfg, { seed: 2 });
      const d1 = peft.getDeltaWeight('layers.0', 'default');
      const d2 = peft.getDeltaWeight('layers.0', 'two');
      const want = tf.tidy(() => tf.add(tf.add(w0, d1), d2));
      await peft.merge(['default', 'two']);
      expectBitIdentical(must(m.linearModules().get('layers.0')).weight, want);
      peft.unmerge();
      expectClose(must(m.linearModules().get('layers.0')).weight, w0, 1e-6, 1e-7);
      tf.dispose([w0, d1, d2, want]);
      peft.dispose();
    });

    it('a DoRA adapter merges alone', async () => {
      const peft = getPeftModel(mlp(), { r: 2, targetModules: ['layers.0'], useDora: true });
      peft.addAdapter('other', { r: 2, targetModules: ['layers.0'] });
      await expect(peft.merge(['default', 'other'])).rejects.toThrow(AdapterStateError);
      await expect(peft.merge(['default', 'other'])).rejects.toThrow(/adapter = "default".*DoRA/);
      await peft.merge(['other']);
      await expect(peft.merge(['default'])).rejects.toThrow(/DoRA adapter: merge it alone/);
      peft.unmerge();
      peft.dispose();
    });

    it('saves and loads under PEFT’s names (use_dora, lora_magnitude_vector [dOut]) exactly', async () => {
      const cfg = encoderConfig('micro', { hiddenDropoutProb: 0, attentionDropoutProb: 0 });
      const enc = new Encoder(cfg, { seed: 1 });
      const peft = getPeftModel(enc, {
        r: 2,
        loraAlpha: 4,
        targetModules: ['query', 'value'],
        useDora: true,
        useRslora: true,
      });
      perturb(peft, 21);
      const files = await saveAdapter(peft);
      const json = JSON.parse(files.adapterConfigJson) as Record<string, unknown>;
      expect(json.use_dora).toBe(true);
      expect(json.use_rslora).toBe(true);
      const { tensors } = decodeSafetensors(files.adapterModelSafetensors);
      const key =
        'base_model.model.roberta.encoder.layer.0.attention.self.query.lora_magnitude_vector';
      expect(must(tensors[key]).shape).toEqual([cfg.hiddenSize]);
      const saved = must(tensors[key]).data;
      const live = peft.factors('roberta.encoder.layer.0.attention.self.query').magnitude;
      expect(Array.from(saved)).toEqual(Array.from(must(live).dataSync()));
      const ids = tf.tensor2d([[0, 5, 6, 7, 2]], [1, 5], 'int32');
      const mask = tf.onesLike(ids);
      const want = peft.model.classify(ids, mask);
      const fresh = new PeftModel(new Encoder(cfg, { seed: 1 }));
      loadAdapter(fresh, files);
      expect(fresh.getConfig().useDora).toBe(true);
      const got = fresh.model.classify(ids, mask);
      expectBitIdentical(got, want);
      // A file that says use_dora but lacks a magnitude is refused before anything changes.
      const noMag = Object.fromEntries(
        Object.entries(tensors).filter(([k]) => !k.endsWith('lora_magnitude_vector')),
      );
      const { encodeSafetensors } = await import('../../../src/core/io/safetensors.ts');
      const other = new PeftModel(new Encoder(cfg, { seed: 1 }));
      expect(() => {
        loadAdapter(other, {
          adapterConfigJson: files.adapterConfigJson,
          adapterModelSafetensors: encodeSafetensors(noMag),
        });
      }).toThrow(/lora_magnitude_vector = missing/);
      expect(other.adapterNames).toEqual([]);
      tf.dispose([ids, mask, want, got]);
      peft.dispose();
      fresh.dispose();
      other.dispose();
    });

    it('bad values and combinations throw LoraConfigError naming the field', () => {
      const bad: [Record<string, unknown>, RegExp][] = [
        [{ useDora: 'yes' }, /^useDora = "yes": must be a boolean/],
        [{ useDora: 1 }, /^useDora = 1: must be a boolean/],
        [{ useDora: true, initLoraWeights: 'gated' }, /^useDora = true: cannot be combined.*gated/],
      ];
      for (const [extra, msg] of bad) {
        const m = mlp();
        const before = m.namedParameters().map((p) => p.variable.dataSync().slice());
        expect(() => getPeftModel(m, { r: 2, targetModules: ['layers.0'], ...extra })).toThrow(msg);
        expect(() => getPeftModel(m, { r: 2, targetModules: ['layers.0'], ...extra })).toThrow(
          LoraConfigError,
        );
        expect(m.linearModules().get('layers.0')?.hook).toBeNull();
        m.namedParameters().forEach((p, i) => {
          expect(p.variable.dataSync()).toEqual(before[i]);
        });
        m.dispose();
      }
      const enc = new Encoder(encoderConfig('micro'), { seed: 1 });
      expect(() =>
        getPeftModel(enc, { r: 2, targetModules: ['word_embeddings'], useDora: true }),
      ).toThrow(/^useDora = true: is supported on linear layers only/);
      enc.dispose();
    });
  });
