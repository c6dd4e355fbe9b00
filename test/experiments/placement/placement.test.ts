/**
 * Adapter placement (src/experiments/placement): the serial bottleneck adapter, the serial / parallel /
 * merged latency stack, the "what to tune" selections and the module/layer/rank runs.
 * Tolerances: merged vs parallel differ by float32 rounding of x·(W + ΔW) against x·W + x·A·B
 * (sums over d ≤ 32 terms of O(1) values): 1e-4 relative + 1e-5 absolute, as in helpers.ts.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { summarizeParams } from '../../../src/core/accounting.ts';
import {
  BottleneckAdapter,
  LatencyStack,
  PlacementError,
  SerialAdapterHook,
  architectureRows,
  groupCounts,
  latencyStats,
  layerIndices,
  layerwiseRates,
  measureLatencyToEnd,
  placementGrid,
  placementRunToEnd,
  placementTargets,
  quantileSorted,
  settingLabel,
  moduleLabel,
  layersLabel,
  taskBasedRows,
} from '../../../src/experiments/placement/index.ts';
import { getPeftModel } from '../../../src/core/lora/peft-model.ts';
import { accountingRows } from '../../../src/core/models/spec-rows.ts';
import { MODEL_SPECS } from '../../../src/core/models/specs.ts';
import { Encoder, encoderConfig } from '../../../src/core/models/encoder.ts';
import { Rng, randn } from '../../../src/core/rng.ts';
import {
  NODE_BACKENDS,
  checkNoLeaks,
  expectBitIdentical,
  expectClose,
  must,
  useBackend,
} from '../../core/helpers.ts';

const micro = encoderConfig('micro', { hiddenDropoutProb: 0, attentionDropoutProb: 0 });

function tokens(seed: number, B: number, T: number): { ids: tf.Tensor2D; mask: tf.Tensor2D } {
  const rng = new Rng(seed);
  const ids = Array.from({ length: B * T }, () => 3 + rng.int(micro.vocabSize - 3));
  return {
    ids: tf.tensor2d(ids, [B, T], 'int32'),
    mask: tf.tensor2d(new Int32Array(B * T).fill(1), [B, T], 'int32'),
  };
}

function encodedRows(seed: number, n: number, T: number) {
  const rng = new Rng(seed);
  const ids = new Int32Array(n * T);
  const mask = new Int32Array(n * T).fill(1);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = rng.int(2);
    for (let t = 0; t < T; t++) ids[i * T + t] = 3 + ((labels[i] ?? 0) * 20 + rng.int(20));
  }
  return { n, maxLen: T, ids, mask, labels };
}

for (const backend of NODE_BACKENDS) {
  describe(`adapter placement numerics (${backend})`, () => {
    beforeAll(async () => {
      await useBackend(backend);
    });
    checkNoLeaks();

    it('a zero-initialised bottleneck adapter is exactly the identity; its count is 2dm + m + d', () => {
      const ad = new BottleneckAdapter({ dModel: 12, bottleneck: 3, seed: 4 });
      const h = randn(new Rng(1), [2, 5, 12]);
      const y = ad.forward(h);
      expectBitIdentical(y, h);
      expect(ad.parameterCount).toBe(2 * 12 * 3 + 3 + 12);
      expect(ad.variables().reduce((a, v) => a + v.size, 0)).toBe(ad.parameterCount);
      tf.dispose([h, y]);
      ad.dispose();
    });

    it('the bottleneck adapter computes h + relu(h·Wd + bd)·Wu + bu (checked by hand in JS)', async () => {
      const d = 4;
      const m = 2;
      const ad = new BottleneckAdapter({
        dModel: d,
        bottleneck: m,
        upInit: 'near-identity',
        initStd: 0.5,
        seed: 9,
      });
      tf.tidy(() => {
        ad.downBias.assign(tf.tensor1d([0.1, -0.2]));
        ad.upBias.assign(tf.tensor1d([0.01, 0.02, 0.03, 0.04]));
      });
      const h = randn(new Rng(2), [3, d]);
      const y = ad.forward(h);
      const [H, Wd, bd, Wu, bu, Y] = await Promise.all(
        [h, ad.down, ad.downBias, ad.up, ad.upBias, y].map((t) => t.data()),
      );
      for (let i = 0; i < 3; i++) {
        const z = Array.from({ length: m }, (_, k) => {
          let s = must(bd)[k] ?? 0;
          for (let j = 0; j < d; j++) s += (must(H)[i * d + j] ?? 0) * (must(Wd)[j * m + k] ?? 0);
          return Math.max(0, s);
        });
        for (let j = 0; j < d; j++) {
          let s = (must(H)[i * d + j] ?? 0) + (must(bu)[j] ?? 0);
          for (let k = 0; k < m; k++) s += (z[k] ?? 0) * (must(Wu)[k * d + j] ?? 0);
          expect(must(Y)[i * d + j]).toBeCloseTo(s, 5);
        }
      }
      tf.dispose([h, y]);
      ad.dispose();
    });

    it('zero-initialised serial adapters and LoRA on an encoder leave its output unchanged', () => {
      const enc = new Encoder(micro, { seed: 3 });
      const { ids, mask } = tokens(5, 2, 6);
      const base = enc.encode(ids, mask);
      const adapters = ['attention.output.dense', 'output.dense'].flatMap((p) =>
        [0, 1].map((l) => {
          const lin = enc.linear(`roberta.encoder.layer.${l}.${p}`);
          const ad = new BottleneckAdapter({ dModel: lin.outFeatures, bottleneck: 4, seed: l });
          lin.hook = new SerialAdapterHook(ad);
          return { lin, ad };
        }),
      );
      const serial = enc.encode(ids, mask);
      expectBitIdentical(serial, base);
      // A non-zero up-projection does change the output (the check above can fail). Not a
      // constant row: LayerNorm would remove a shift that is the same in every column.
      const first = must(adapters[0]);
      tf.tidy(() => {
        first.ad.up.assign(randn(new Rng(8), first.ad.up.shape, 1));
      });
      const changed = enc.encode(ids, mask);
      expect(tf.tidy(() => tf.max(tf.abs(tf.sub(changed, base))).arraySync())).toBeGreaterThan(
        1e-4,
      );
      for (const { lin, ad } of adapters) {
        lin.hook = null;
        ad.dispose();
      }
      const peft = getPeftModel(enc, {
        r: 4,
        targetModules: placementTargets(['query', 'ffn-down'], 'all', 2),
      });
      const lora = enc.encode(ids, mask);
      expectBitIdentical(lora, base);
      peft.dispose();
      tf.dispose([ids, mask, base, serial, changed, lora]);
    });

    it('merged LoRA equals parallel LoRA; serial and parallel differ from base; counts are closed forms', () => {
      const stack = new LatencyStack({
        width: 32,
        layers: 3,
        rank: 4,
        bottleneck: 8,
        scaling: 2,
        seed: 1,
      });
      const x = randn(new Rng(7), [2, 5, 32]);
      const out = Object.fromEntries(
        (['base', 'serial', 'parallel', 'merged'] as const).map((v) => [v, stack.forward(v, x)]),
      );
      expectClose(must(out.merged), must(out.parallel), 1e-4, 1e-5);
      const diff = (a: string, b: string): number =>
        tf.tidy(() => tf.max(tf.abs(tf.sub(must(out[a]), must(out[b])))).arraySync() as number);
      expect(diff('parallel', 'base')).toBeGreaterThan(1e-3);
      expect(diff('serial', 'base')).toBeGreaterThan(1e-3);
      expect(stack.extraParameters('parallel')).toBe(3 * 4 * (32 + 32));
      expect(stack.extraParameters('serial')).toBe(3 * (2 * 32 * 8 + 8 + 32));
      expect(stack.extraParameters('merged')).toBe(0);
      expect(stack.macsPerToken('merged')).toBe(stack.macsPerToken('base'));
      expect(stack.macsPerToken('parallel') - stack.macsPerToken('base')).toBe(3 * 2 * 32 * 4);
      tf.dispose([x, ...Object.values(out)]);
      stack.dispose();
    });

    it('measureLatency times every variant at every batch size, the requested number of times', async () => {
      const stack = new LatencyStack({ width: 16, layers: 2, rank: 2, bottleneck: 4 });
      const series = await measureLatencyToEnd({
        stack,
        batchSizes: [1, 4],
        seqLen: 3,
        repeats: 5,
        warmup: 1,
      });
      expect(series.map((s) => `${s.batchSize}:${s.variant}`)).toEqual([
        '1:base',
        '1:serial',
        '1:parallel',
        '1:merged',
        '4:base',
        '4:serial',
        '4:parallel',
        '4:merged',
      ]);
      for (const s of series) {
        expect(s.samples).toHaveLength(5);
        expect(s.samples.every((ms) => ms >= 0 && Number.isFinite(ms))).toBe(true);
        expect(s.stats.min).toBeLessThanOrEqual(s.stats.median);
        expect(s.stats.median).toBeLessThanOrEqual(s.stats.max);
      }
      await expect(
        measureLatencyToEnd({ stack, batchSizes: [0], seqLen: 3, repeats: 1 }),
      ).rejects.toThrow(PlacementError);
      stack.dispose();
    });

    it('placementRun: classifier only moves only the classifier; LoRA is removed afterwards', async () => {
      const enc = new Encoder({ ...micro, numLabels: 2 }, { seed: 11 });
      const train = encodedRows(1, 32, 6);
      const test = encodedRows(2, 16, 6);
      const before = enc.getWeights();
      const c = await placementRunToEnd({
        encoder: enc,
        train,
        test,
        setting: { kind: 'classifier' },
        seed: 0,
        steps: 3,
        batchSize: 8,
        learningRate: 1e-2,
      });
      const after = enc.getWeights();
      for (const [name, t] of Object.entries(before)) {
        const same = tf.tidy(() => tf.all(tf.equal(t, must(after[name]))).arraySync() === 1);
        expect(same, name).toBe(!name.startsWith('classifier.'));
      }
      const headCount = enc
        .namedParameters()
        .filter((p) => p.name.startsWith('classifier.'))
        .reduce((a, p) => a + p.variable.size, 0);
      const total = enc.namedParameters().reduce((a, p) => a + p.variable.size, 0);
      expect(c.trainable).toBe(headCount);
      expect(c.percent).toBeCloseTo((100 * headCount) / total, 10);
      expect(c.accuracy).toBeGreaterThanOrEqual(0);
      expect(c.accuracy).toBeLessThanOrEqual(1);
      tf.dispose([...Object.values(before), ...Object.values(after)]);

      const flags = enc.namedParameters().map((p) => p.variable.trainable);
      const r = 2;
      const l = await placementRunToEnd({
        encoder: enc,
        train,
        test,
        setting: { kind: 'lora', modules: ['query', 'ffn-up'], layers: 'upper', r },
        seed: 0,
        steps: 2,
        batchSize: 8,
        learningRate: 1e-2,
      });
      const H = micro.hiddenSize;
      expect(l.trainable).toBe(headCount + r * (H + H) + r * (H + micro.intermediateSize));
      expect(l.all).toBe(total + r * (H + H) + r * (H + micro.intermediateSize));
      expect([...enc.linearModules().values()].every((m) => m.hook === null)).toBe(true);
      expect(enc.namedParameters().map((p) => p.variable.trainable)).toEqual(flags);
      const f = await placementRunToEnd({
        encoder: enc,
        train,
        test,
        setting: { kind: 'full' },
        seed: 0,
        steps: 1,
        batchSize: 8,
        learningRate: 1e-3,
      });
      expect(f.percent).toBe(100);
      enc.dispose();
    });
  });
}

describe('what to tune (counts by name, closed forms on RoBERTa-base)', () => {
  const rows = accountingRows(MODEL_SPECS['roberta-base']);
  const H = 768;
  const I = 3072;
  const L = 12;

  it('groups add up to closed forms and to the whole model', () => {
    const g = groupCounts(rows);
    expect(g.layerNorm).toBe((1 + 2 * L) * 2 * H);
    expect(g.attention).toBe(L * 4 * (H * H + H));
    expect(g.ffn).toBe(L * (H * I + I + I * H + H));
    expect(g.embeddings).toBe(50265 * H + 514 * H + 1 * H);
    expect(g.head).toBe(H * H + H + H * 2 + 2);
    expect(g.other).toBe(0);
    expect(Object.values(g).reduce((a, b) => a + b, 0)).toBe(124_647_170);
  });

  it('task-based: topLayers k trains the head and k layers', () => {
    const perLayer = 4 * (H * H + H) + (H * I + I + I * H + H) + 2 * 2 * H;
    const head = H * H + H + H * 2 + 2;
    for (const k of [0, 1, 6, 12])
      expect(summarizeParams(taskBasedRows(rows, k)).trainable).toBe(head + k * perLayer);
    expect(() => taskBasedRows(rows, 13)).toThrow(/topLayers = 13/);
  });

  it('architecture-based: LayerNorms only, and an unknown group throws naming it', () => {
    expect(summarizeParams(architectureRows(rows, ['layerNorm'])).trainable).toBe(25 * 2 * H);
    expect(() => architectureRows(rows, ['bias' as never])).toThrow(/groups = "bias"/);
  });

  it('layer-wise rates: base·decay^(L−i); decay 1 is uniform', () => {
    const t = layerwiseRates(rows, 1e-3, 0.5);
    expect(t[0]).toEqual({ part: 'head', count: H * H + H + 2 * H + 2, learningRate: 1e-3 });
    expect(t[1]?.part).toBe('layer 11');
    expect(t[1]?.learningRate).toBeCloseTo(5e-4, 12);
    expect(t[12]?.learningRate).toBeCloseTo(1e-3 * 0.5 ** 12, 15);
    expect(t[13]?.part).toBe('embeddings');
    expect(t.reduce((a, r) => a + r.count, 0)).toBe(124_647_170);
    expect(layerwiseRates(rows, 1e-3, 1).every((r) => r.learningRate === 1e-3)).toBe(true);
    expect(() => layerwiseRates(rows, 1e-3, 0)).toThrow(PlacementError);
  });

  it('targets: single modules, layer halves, and the LoRA count r·(dIn + dOut) per target', () => {
    expect(layerIndices('upper', 12)).toEqual([6, 7, 8, 9, 10, 11]);
    expect(layerIndices('lower', 2)).toEqual([0]);
    expect(layerIndices('upper', 2)).toEqual([1]);
    const spec = MODEL_SPECS['roberta-base'];
    const extra = (re: RegExp, r: number): number =>
      summarizeParams(accountingRows(spec, { r, targetModules: re })).trainable;
    expect(extra(placementTargets(['ffn-down'], 'all', L), 8)).toBe(L * 8 * (I + H));
    expect(extra(placementTargets(['attention-output'], 'all', L), 8)).toBe(L * 8 * (H + H));
    expect(extra(placementTargets(['query', 'value'], 'lower', L), 2)).toBe(6 * 2 * 2 * 2 * H);
    expect(() => placementTargets([], 'all', L)).toThrow(/modules/);
  });

  it('the grid has every setting once; quantiles are numpy-style', () => {
    const grid = placementGrid();
    const labels = grid.map((s) => settingLabel(s));
    expect(new Set(labels).size).toBe(labels.length);
    // The Japanese edition's labels name every setting apart too, and say what the English say.
    const ja = grid.map((s) => settingLabel(s, 'ja'));
    expect(new Set(ja).size).toBe(ja.length);
    expect(settingLabel({ kind: 'classifier' }, 'ja')).toBe('分類器のみ');
    expect(settingLabel({ kind: 'full' }, 'ja')).toBe('フルファインチューニング');
    const lora = { kind: 'lora', r: 8, modules: ['query', 'ffn-down'], layers: 'upper' } as const;
    expect(settingLabel(lora)).toBe('LoRA r=8 query+ffn-down, upper layers');
    expect(settingLabel(lora, 'ja')).toBe('LoRA r=8、query+FFNの下方射影、上半分の層');
    expect([moduleLabel('ffn-down'), moduleLabel('ffn-down', 'ja')]).toEqual([
      'ffn-down',
      'FFNの下方射影',
    ]);
    expect([layersLabel('lower'), layersLabel('lower', 'ja')]).toEqual([
      'lower layers',
      '下半分の層',
    ]);
    expect(grid).toHaveLength(1 + 6 + 1 + 2 + 4 + 1);
    expect(quantileSorted([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantileSorted([1, 2, 3, 4, 5], 0.25)).toBe(2);
    const s = latencyStats([5, 1, 4, 2, 3]);
    expect([s.median, s.q1, s.q3, s.min, s.max, s.mean]).toEqual([3, 2, 4, 1, 5, 3]);
    expect(() => latencyStats([])).toThrow(PlacementError);
  });
});
