/**
 * Numerics behind the initialisation lesson (cpu and wasm): for every init scheme, the gradients
 * TF.js computes for A, B and the gate at initialisation match the closed form
 * `∂L/∂A = s·g·xᵀ·G·Bᵀ`, `∂L/∂B = s·g·(x·A)ᵀ·G`, `∂L/∂g = s·Σ (x·A·B) ⊙ G` (evaluated in float64 by
 * `loraGradients`, which never touches TF.js); the exact zeros each scheme predicts are exactly
 * zero; both-zero never moves; the no-op schemes start bit-identical to the base model.
 *
 * Tolerance: float32 gradients through sums of ≤ 5 terms against float64: 1e-4 relative + 1e-5
 * absolute (as helpers.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Encoder, encoderConfig } from '../../../src/core/models/encoder.ts';
import { Mlp } from '../../../src/core/models/mlp.ts';
import { getPeftModel } from '../../../src/core/lora/peft-model.ts';
import { loraScaling, type InitLoraWeights } from '../../../src/core/lora/config.ts';
import {
  InitExperimentError,
  initRunToEnd,
  loraFactorGroups,
  loraGradients,
  lossGrid,
  meanBand,
  outputChangeAtInit,
  regressionLoss,
} from '../../../src/experiments/initialisation/experiments.ts';
import {
  encoderSentimentTask,
  InitTaskError,
  mlpTeacherTask,
} from '../../../src/experiments/initialisation/tasks.ts';
import { Adam } from '../../../src/core/train/adam.ts';
import { WordTokenizer } from '../../../src/core/data/tokenizer.ts';
import type { SentimentExample } from '../../../src/core/data/sentiment.ts';
import { Rng } from '../../../src/core/rng.ts';
import {
  NODE_BACKENDS,
  checkNoLeaks,
  expectBitIdentical,
  must,
  useBackend,
} from '../../core/helpers.ts';

const SCHEMES: readonly InitLoraWeights[] = [
  true,
  'gaussian',
  'random-both',
  'zero-both',
  'a-zero-b-random',
  'gated',
];

function allZero(a: ArrayLike<number>): boolean {
  return Array.from(a).every((v) => v === 0);
}

function expectNear(got: ArrayLike<number>, want: ArrayLike<number>, what: string): void {
  expect(got.length, what).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const w = must(want[i]);
    const err = Math.abs(must(got[i]) - w) - 1e-4 * Math.abs(w);
    expect(err, `${what}[${String(i)}]: ${String(got[i])} vs ${String(w)}`).toBeLessThanOrEqual(
      1e-5,
    );
  }
}

describe('loraGradients (closed form, no TF.js)', () => {
  it('matches a hand-computed 1×1 case with and without a gate', () => {
    // x = 2, A = 3, B = 5, G = 7, s = 0.5: dA = s·x·G·B = 35, dB = s·(x·A)·G = 21.
    const base = { x: [2], a: [3], b: [5], g: [7], n: 1, dIn: 1, r: 1, dOut: 1, scaling: 0.5 };
    const plain = loraGradients({ ...base, gate: null });
    expect(Array.from(plain.dA)).toEqual([35]);
    expect(Array.from(plain.dB)).toEqual([21]);
    expect(plain.dGate).toBeNull();
    // With g = 0.25 both factor gradients shrink by g; dL/dg = s·(x·A·B)·G = 0.5·30·7 = 105.
    const gated = loraGradients({ ...base, gate: 0.25 });
    expect(Array.from(gated.dA)).toEqual([8.75]);
    expect(Array.from(gated.dB)).toEqual([5.25]);
    expect(gated.dGate).toBe(105);
  });

  it('names the field whose length does not fit its shape', () => {
    const bad = () =>
      loraGradients({
        x: [1, 2, 3],
        a: [1],
        b: [1],
        g: [1],
        n: 1,
        dIn: 1,
        r: 1,
        dOut: 1,
        scaling: 1,
        gate: null,
      });
    expect(bad).toThrow(InitExperimentError);
    expect(bad).toThrow(/^x = 3: must hold 1 numbers$/);
  });
});

describe('loss surface and statistics', () => {
  const xs = [-1.5, -0.5, 0.25, 1, 2];
  const noise = [0.1, -0.2, 0.05, 0.15, -0.1];
  const ys = xs.map((x, i) => 1.7 * x + must(noise[i]));
  const w0 = 0.4;
  const s = 2;
  const f = regressionLoss(xs, ys, w0, s);

  it('regressionLoss equals the direct mean of squared residuals', () => {
    for (const [a, b] of [
      [0, 0],
      [0.3, -1.2],
      [1.1, 0.7],
    ] as const) {
      const direct =
        xs.reduce((acc, x, i) => acc + (x * (w0 + s * a * b) - must(ys[i])) ** 2, 0) /
        (2 * xs.length);
      expect(f(a, b)).toBeCloseTo(direct, 12);
    }
  });

  it('the minimum lies on the hyperbola a·b = (w* − w0)/s and (0, 0) is a stationary point', () => {
    const wStar =
      xs.reduce((acc, x, i) => acc + x * must(ys[i]), 0) / xs.reduce((acc, x) => acc + x * x, 0);
    const c = (wStar - w0) / s;
    const onCurve = f(1, c);
    expect(f(2, c / 2)).toBeCloseTo(onCurve, 12);
    expect(f(1, c + 0.1)).toBeGreaterThan(onCurve);
    const h = 1e-6;
    const da = (f(h, 0) - f(-h, 0)) / (2 * h);
    const db = (f(0, h) - f(0, -h)) / (2 * h);
    expect(Math.abs(da)).toBeLessThan(1e-9);
    expect(Math.abs(db)).toBeLessThan(1e-9);
    const g = lossGrid(f, [-2, 2], [-1, 1], 5);
    expect(g.a).toEqual([-2, -1, 0, 1, 2]);
    expect(g.z).toHaveLength(5);
    expect(must(must(g.z[3])[1])).toBe(f(-1, 0.5));
  });

  it('meanBand gives the per-step mean, sample std, min and max', () => {
    const band = meanBand([
      [1, 10],
      [2, 10],
      [3, 10],
    ]);
    expect(band.mean).toEqual([2, 10]);
    expect(band.std).toEqual([1, 0]);
    expect(band.min).toEqual([1, 10]);
    expect(band.max).toEqual([3, 10]);
    expect(() => meanBand([[1], [1, 2]])).toThrow(InitExperimentError);
  });
});

for (const backend of NODE_BACKENDS) {
  describe(`init schemes on ${backend}`, () => {
    beforeAll(async () => {
      await useBackend(backend);
    });
    checkNoLeaks();

    for (const scheme of SCHEMES) {
      it(`${String(scheme)}: TF.js gradients at init equal the closed form`, async () => {
        const [n, dIn, dOut, r, alpha] = [4, 5, 3, 2, 4];
        const mlp = new Mlp({ sizes: [dIn, dOut], activation: 'relu', bias: false }, { seed: 5 });
        const peft = getPeftModel(
          mlp,
          {
            r,
            loraAlpha: alpha,
            targetModules: ['layers.0'],
            initLoraWeights: scheme,
            initScale: 0.5,
          },
          { seed: 9 },
        );
        const rng = new Rng(17);
        const xs = rng.normalArray(n * dIn);
        const ys = rng.normalArray(n * dOut);
        const x = tf.tensor2d(xs, [n, dIn]);
        const y = tf.tensor2d(ys, [n, dOut]);
        const f = peft.factors('layers.0');
        const vars = [f.a, f.b, ...(f.gate ? [f.gate] : [])];
        // L = ½·Σ (h − y)², so G = ∂L/∂h = h − y.
        const { value, grads } = tf.variableGrads(
          () => tf.mul(0.5, tf.sum(tf.square(tf.sub(peft.model.forward(x), y)))),
          vars,
        );
        const a = await f.a.data();
        const b = await f.b.data();
        const gate = f.gate ? must((await f.gate.data())[0]) : null;
        const weights = mlp.getWeights();
        const w0 = await must(weights['layers.0.weight']).data();
        tf.dispose(Object.values(weights));
        const s = loraScaling({ r, loraAlpha: alpha, useRslora: false });
        expect(f.scaling).toBe(s);
        const g = new Float64Array(n * dOut); // h − y in float64
        for (let i = 0; i < n; i++) {
          for (let o = 0; o < dOut; o++) {
            let h = 0;
            for (let j = 0; j < dIn; j++) h += must(xs[i * dIn + j]) * must(w0[j * dOut + o]);
            let low = 0;
            for (let k = 0; k < r; k++) {
              let xa = 0;
              for (let j = 0; j < dIn; j++) xa += must(xs[i * dIn + j]) * must(a[j * r + k]);
              low += xa * must(b[k * dOut + o]);
            }
            g[i * dOut + o] = h + s * (gate ?? 1) * low - must(ys[i * dOut + o]);
          }
        }
        const want = loraGradients({ x: xs, a, b, g, n, dIn, r, dOut, scaling: s, gate });
        const dA = await must(grads[f.a.name]).data();
        const dB = await must(grads[f.b.name]).data();
        expectNear(dA, want.dA, 'dA');
        expectNear(dB, want.dB, 'dB');
        const zeroB = allZero(b);
        const zeroA = allZero(a);
        // What each scheme predicts, exactly.
        expect(allZero(dA)).toBe(zeroB || gate === 0);
        expect(allZero(dB)).toBe(zeroA || gate === 0);
        if (scheme === true || scheme === 'gaussian') expect([zeroA, zeroB]).toEqual([false, true]);
        if (scheme === 'zero-both') expect([zeroA, zeroB]).toEqual([true, true]);
        if (scheme === 'a-zero-b-random') expect([zeroA, zeroB]).toEqual([true, false]);
        if (scheme === 'random-both') expect([zeroA, zeroB]).toEqual([false, false]);
        if (f.gate) {
          expect(scheme).toBe('gated');
          expect(gate).toBe(0);
          const dG = must((await must(grads[f.gate.name]).data())[0]);
          expectNear([dG], [must(want.dGate)], 'dGate');
          expect(dG).not.toBe(0);
        }
        tf.dispose([x, y, value, ...Object.values(grads)]);
        peft.dispose();
      });
    }

    it('zero-both: A and B stay exactly zero through 25 Adam steps', async () => {
      const mlp = new Mlp({ sizes: [6, 8, 2], activation: 'relu', bias: true }, { seed: 2 });
      const peft = getPeftModel(mlp, {
        r: 2,
        targetModules: ['layers.0', 'layers.1'],
        initLoraWeights: 'zero-both',
      });
      const x = tf.tensor2d(new Rng(3).normalArray(10 * 6), [10, 6]);
      const y = tf.tensor1d([0, 1, 1, 0, 1, 0, 0, 1, 1, 1], 'int32');
      const opt = new Adam({ learningRate: 0.1 });
      const groups = loraFactorGroups(peft);
      for (let t = 0; t < 25; t++) {
        const { loss, norms } = opt.stepWithNorms(
          () =>
            tf.losses.softmaxCrossEntropy(tf.oneHot(y, 2).cast('float32'), peft.model.forward(x)),
          peft.trainableVariables(),
          groups,
        );
        expect(Array.from(await norms.data())).toEqual([0, 0, 0]);
        tf.dispose([loss, norms]);
      }
      for (const v of [...groups.A, ...groups.B]) expect(allZero(await v.data())).toBe(true);
      tf.dispose([x, y]);
      opt.dispose();
      peft.dispose();
    });

    it('default init: the encoder’s output at step 0 equals the base model’s bit for bit', () => {
      const enc = new Encoder(
        encoderConfig('micro', { numLabels: 2, hiddenDropoutProb: 0, attentionDropoutProb: 0 }),
        { seed: 4 },
      );
      const rng = new Rng(8);
      const ids = tf.tensor2d(
        Array.from({ length: 12 }, () => 5 + rng.int(40)),
        [2, 6],
        'int32',
      );
      const mask = tf.ones([2, 6], 'int32');
      const base = enc.classify(ids, mask);
      const peft = getPeftModel(enc, { r: 4, targetModules: ['query', 'value'] }, { seed: 1 });
      const adapted = peft.model.classify(ids, mask);
      expectBitIdentical(adapted, base);
      tf.dispose([ids, mask, base, adapted]);
      peft.dispose();
    });

    it('runs on the MLP task: no-op schemes change nothing at step 0; B moves first, then A', async () => {
      const task = await mlpTeacherTask({ seed: 1, pretrainSteps: 20, batches: 3, batchSize: 16 });
      try {
        const settings = { r: 2, loraAlpha: 4, initScale: 0.3 } as const;
        for (const scheme of SCHEMES) {
          const change = await outputChangeAtInit(
            task,
            { ...settings, initLoraWeights: scheme },
            0,
          );
          if (scheme === 'random-both') expect(change).toBeGreaterThan(1e-3);
          else expect(change, String(scheme)).toBe(0);
        }
        const run = await initRunToEnd(task, {
          settings: { ...settings, initLoraWeights: true },
          seed: 0,
          steps: 3,
          learningRate: 1e-2,
        });
        expect(run.map((s) => s.step)).toEqual([0, 1, 2]);
        expect(must(run[0]).normA).toBe(0);
        expect(must(run[0]).normB).toBeGreaterThan(0);
        expect(must(run[1]).normA).toBeGreaterThan(0);
        const zero = await initRunToEnd(task, {
          settings: { ...settings, initLoraWeights: 'zero-both' },
          seed: 0,
          steps: 3,
          learningRate: 1e-2,
        });
        expect(zero.every((s) => s.normA === 0 && s.normB === 0)).toBe(true);
        // Same batches: both-zero's loss is the base model's loss, step by step.
        expect(must(zero[0]).loss).toBe(must(run[0]).loss);
        const gated = await initRunToEnd(task, {
          settings: { ...settings, initLoraWeights: 'gated' },
          seed: 0,
          steps: 2,
          learningRate: 1e-2,
        });
        expect([must(gated[0]).normA, must(gated[0]).normB]).toEqual([0, 0]);
        expect(must(gated[0]).normGate).toBeGreaterThan(0);
      } finally {
        task.dispose();
      }
    });

    it('the encoder sentiment task restores its classifier after each run', async () => {
      const words = ['good', 'bad', 'great', 'awful', 'fine', 'dull', 'fun', 'boring'];
      const tokenizer = new WordTokenizer(['<s>', '<pad>', '</s>', '<unk>', '<mask>', ...words]);
      const rng = new Rng(6);
      const examples: SentimentExample[] = Array.from({ length: 24 }, () => {
        const w = Array.from({ length: 3 }, () => must(words[rng.int(words.length)]));
        const pos = w.filter((x) => ['good', 'great', 'fine', 'fun'].includes(x)).length;
        return { text: w.join(' '), label: pos >= 2 ? 1 : 0, source: 'yelp' };
      });
      const encoder = new Encoder(
        encoderConfig('micro', {
          vocabSize: tokenizer.size,
          numLabels: 2,
          hiddenDropoutProb: 0,
          attentionDropoutProb: 0,
        }),
        { seed: 3 },
      );
      await expect(
        encoderSentimentTask({
          encoder,
          tokenizer,
          examples,
          maxLen: 6,
          batchSize: 8,
          batches: 9,
          seed: 0,
        }),
      ).rejects.toThrow(InitTaskError);
      const task = await encoderSentimentTask({
        encoder,
        tokenizer,
        examples,
        maxLen: 6,
        batchSize: 8,
        batches: 2,
        seed: 0,
      });
      expect(task.modulesToSave).toEqual(['classifier']);
      try {
        const before = task.probe();
        const run = await initRunToEnd(task, {
          settings: { r: 2, loraAlpha: 4, initLoraWeights: true },
          seed: 1,
          steps: 3,
          learningRate: 0.05,
        });
        expect(run.every((s) => Number.isFinite(s.loss))).toBe(true);
        expect(must(run[0]).normA).toBe(0);
        const after = task.probe();
        expectBitIdentical(after, before);
        tf.dispose([before, after]);
      } finally {
        task.dispose();
      }
    });

    it('headSteps fits the classifier on the frozen encoder, then freezes it', async () => {
      const words = ['good', 'bad', 'great', 'awful', 'fine', 'dull'];
      const tokenizer = new WordTokenizer(['<s>', '<pad>', '</s>', '<unk>', '<mask>', ...words]);
      const rng = new Rng(2);
      const examples: SentimentExample[] = Array.from({ length: 64 }, () => {
        const w = must(words[rng.int(words.length)]);
        return { text: w, label: ['good', 'great', 'fine'].includes(w) ? 1 : 0, source: 'imdb' };
      });
      const config = encoderConfig('micro', {
        vocabSize: tokenizer.size,
        numLabels: 2,
        hiddenDropoutProb: 0,
        attentionDropoutProb: 0,
      });
      const opts = { tokenizer, examples, maxLen: 4, batchSize: 8, batches: 2, seed: 0 };
      const cold = await encoderSentimentTask({
        ...opts,
        encoder: new Encoder(config, { seed: 5 }),
      });
      const warm = await encoderSentimentTask({
        ...opts,
        encoder: new Encoder(config, { seed: 5 }),
        headSteps: 40,
        headLearningRate: 0.05,
      });
      try {
        const lossOf = async (t: typeof cold) => {
          const l = t.loss(0);
          const v = must((await l.data())[0]);
          l.dispose();
          return v;
        };
        expect(cold.modulesToSave).toEqual(['classifier']);
        expect(warm.modulesToSave).toEqual([]);
        // Same seed, so only the fitting can have moved the head.
        const [w0, w1] = [cold.model.getWeights(), warm.model.getWeights()];
        const moved = tf.tidy(() =>
          must(
            tf
              .max(
                tf.abs(
                  tf.sub(
                    must(w0['classifier.out_proj.weight']),
                    must(w1['classifier.out_proj.weight']),
                  ),
                ),
              )
              .dataSync()[0],
          ),
        );
        const encoderSame = tf.tidy(() =>
          must(
            tf
              .max(
                tf.abs(
                  tf.sub(
                    must(w0['roberta.encoder.layer.0.attention.self.query.weight']),
                    must(w1['roberta.encoder.layer.0.attention.self.query.weight']),
                  ),
                ),
              )
              .dataSync()[0],
          ),
        );
        tf.dispose([...Object.values(w0), ...Object.values(w1)]);
        expect(moved).toBeGreaterThan(1e-3);
        expect(encoderSame).toBe(0);
        const run = await initRunToEnd(warm, {
          settings: { r: 2, loraAlpha: 4, initLoraWeights: 'zero-both' },
          seed: 0,
          steps: 2,
          learningRate: 0.05,
        });
        // Head frozen and both factors zero: nothing trains, the loss is the base model's.
        expect(must(run[0]).loss).toBe(await lossOf(warm));
      } finally {
        cold.dispose();
        warm.dispose();
      }
    });
  });
}
