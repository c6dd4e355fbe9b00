/**
 * The QLoRA lesson's experiment at test sizes: LoRA on a quantised base trains exactly as LoRA on a
 * float base that holds the dequantised weights (same losses, same accuracy), so the lesson's
 * comparison measures quantisation and nothing else; a run is a function of its seed; the base's
 * codes never change; the encoder is left without an adapter; bad options are refused by name.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Encoder, encoderConfig } from '../../../src/core/models/encoder.ts';
import {
  blockLinearNames,
  dequantize,
  QuantizedLinear,
  quantize,
} from '../../../src/core/quant/index.ts';
import {
  QloraError,
  QUANT_BASES,
  prepareBase,
  qloraRun,
  qloraRunToEnd,
  quantOptionsOf,
  VARIANTS,
} from '../../../src/experiments/qlora/index.ts';
import { checkNoLeaks, useBackend } from '../../core/helpers.ts';
import { separableRows } from '../fixtures.ts';

const config = encoderConfig('micro', {
  numLabels: 2,
  hiddenDropoutProb: 0,
  attentionDropoutProb: 0,
});
const train = separableRows(1, 64, 8);
const test = separableRows(3, 32, 8);
const run = { train, test, steps: 12, batchSize: 16, learningRate: 1e-2, r: 2 } as const;

/** Every loss of a run, and its result. */
async function losses(encoder: Encoder, seed: number): Promise<{ l: number[]; acc: number }> {
  const it = qloraRun({ ...run, encoder, seed });
  const l: number[] = [];
  for (;;) {
    const x = await it.next();
    if (x.done === true) return { l, acc: x.value.accuracy };
    l.push(x.value.loss);
  }
}

describe('QLoRA experiment', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });
  checkNoLeaks();

  it('on an NF4 base, LoRA trains exactly as on a float base holding the dequantised weights', async () => {
    const q = new Encoder(config, { seed: 4 });
    const twin = new Encoder(config, { seed: 4 });
    const float = new Encoder(config, { seed: 4 });
    const opts = quantOptionsOf('nf4-dq');
    if (!opts) throw new Error('nf4-dq has options');
    for (const name of blockLinearNames(twin)) {
      const v = twin.linear(name).weight;
      const back = dequantize(quantize(await v.data<'float32'>(), opts, v.shape));
      tf.tidy(() => {
        v.assign(tf.tensor(back, v.shape));
      });
    }
    const report = await prepareBase(q, 'nf4-dq');
    expect(report?.matrices).toHaveLength(6 * config.numHiddenLayers);
    const [a, b, c] = [await losses(q, 7), await losses(twin, 7), await losses(float, 7)];
    expect(a.l).toHaveLength(run.steps);
    for (const [i, x] of a.l.entries()) expect(x).toBeCloseTo(b.l[i] ?? NaN, 5);
    expect(a.acc).toBe(b.acc);
    // The float32 base is a different start: its losses differ (the comparison is not vacuous).
    expect(Math.max(...a.l.map((x, i) => Math.abs(x - (c.l[i] ?? NaN))))).toBeGreaterThan(1e-6);
    // It learnt the task.
    expect(a.l.at(-1)).toBeLessThan(a.l[0] ?? 0);
    for (const e of [q, twin, float]) e.dispose();
  });

  it('is a function of its seed, keeps the codes, and leaves no adapter behind', async () => {
    const enc = new Encoder(config, { seed: 5 });
    await prepareBase(enc, 'int8');
    const lin = enc.linear('roberta.encoder.layer.0.attention.self.value');
    if (!(lin instanceof QuantizedLinear)) throw new Error('value was not quantised');
    const codes = lin.quantized.codes.slice();
    const flags = enc.namedParameters().map((p) => p.trainable);
    const first = await qloraRunToEnd({ ...run, encoder: enc, seed: 3 });
    expect(lin.hook).toBeNull();
    expect(enc.namedParameters().map((p) => p.trainable)).toEqual(flags);
    expect(lin.quantized.codes).toEqual(codes);
    // LoRA r=2 on six [H, H]/[H, I]/[I, H] modules per layer, plus the classifier.
    const H = config.hiddenSize;
    const I = config.intermediateSize;
    const classifier = H * H + H + H * 2 + 2;
    const perLayer = 2 * (4 * (H + H) + (H + I) + (I + H));
    expect(first.trainable).toBe(config.numHiddenLayers * perLayer + classifier);
    const again = new Encoder(config, { seed: 5 });
    await prepareBase(again, 'int8');
    const second = await qloraRunToEnd({ ...run, encoder: again, seed: 3 });
    expect(second.finalLoss).toBe(first.finalLoss);
    expect(second.accuracy).toBe(first.accuracy);
    enc.dispose();
    again.dispose();
  });

  it('float32 changes nothing; bad options are refused naming the field', async () => {
    const enc = new Encoder(config, { seed: 6 });
    const names = enc.namedParameters().map((p) => p.name);
    expect(await prepareBase(enc, 'float32')).toBeNull();
    expect(enc.namedParameters().map((p) => p.name)).toEqual(names);
    await expect(prepareBase(enc, 'fp4' as never)).rejects.toThrow(/base = "fp4"/);
    expect(QUANT_BASES).toEqual(['float32', 'int8', 'nf4', 'nf4-dq']);
    for (const [field, bad] of [
      ['steps', { steps: 0 }],
      ['batchSize', { batchSize: 1000 }],
      ['r', { r: 1.5 }],
      ['learningRate', { learningRate: -1 }],
    ] as const) {
      await expect(qloraRunToEnd({ ...run, ...bad, encoder: enc, seed: 0 })).rejects.toThrow(
        new RegExp(`^${field} = `),
      );
    }
    await expect(qloraRunToEnd({ ...run, steps: 0, encoder: enc, seed: 0 })).rejects.toBeInstanceOf(
      QloraError,
    );
    enc.dispose();
  });
});

describe('variants', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });
  checkNoLeaks();

  it('each variant trains; plain LoRA is the default; DoRA adds one magnitude per output', async () => {
    const results = new Map<string, Awaited<ReturnType<typeof qloraRunToEnd>>>();
    for (const variant of [...VARIANTS, undefined]) {
      const enc = new Encoder(config, { seed: 9 });
      const x = await qloraRunToEnd({
        ...run,
        encoder: enc,
        seed: 1,
        ...(variant ? { variant } : {}),
      });
      expect(Number.isFinite(x.finalLoss), String(variant)).toBe(true);
      results.set(variant ?? 'default', x);
      enc.dispose();
    }
    const get = (k: string) => {
      const x = results.get(k);
      if (!x) throw new Error(k);
      return x;
    };
    expect(get('default').finalLoss).toBe(get('lora').finalLoss);
    for (const v of ['rslora', 'loraplus', 'dora', 'pissa'])
      expect(get(v).finalLoss, v).not.toBe(get('lora').finalLoss);
    // DoRA: one magnitude per output unit of each of the six adapted modules per layer.
    const H = config.hiddenSize;
    const I = config.intermediateSize;
    const magnitudes = config.numHiddenLayers * (4 * H + I + H);
    expect(get('dora').trainable).toBe(get('lora').trainable + magnitudes);
    for (const v of ['rslora', 'loraplus', 'pissa'])
      expect(get(v).trainable).toBe(get('lora').trainable);
    const enc = new Encoder(config, { seed: 9 });
    await expect(
      qloraRunToEnd({ ...run, encoder: enc, seed: 1, variant: 'vera' as never }),
    ).rejects.toThrow(/^variant = "vera"/);
    enc.dispose();
  });
});
