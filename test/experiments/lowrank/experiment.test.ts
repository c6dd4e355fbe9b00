/**
 * The low-rank lesson's experiment (src/experiments/lowrank) at test sizes, on a random micro
 * encoder with an MLM head: full fine-tuning and LoRA through the core's loop, ΔW read back, the
 * spectra against a same-norm Gaussian, the truncation sweep (rank k = the full update gives the
 * fine-tuned model back; the encoder is left as found), the update breakdown, φ and the MLM score.
 * Every test checks that no tensor leaks.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Encoder, encoderConfig } from '../../../src/core/models/encoder.ts';
import { encoderAccuracy } from '../../../src/core/train/evaluate.ts';
import { WordTokenizer } from '../../../src/core/data/tokenizer.ts';
import {
  ALL_LINEARS,
  LowRankError,
  fineTune,
  fineTuneToEnd,
  frobenius,
  linearModules,
  methodLabel,
  runNameLabel,
  mlmBatches,
  moduleDeltas,
  moduleSpectra,
  overlapGrid,
  parameterGroup,
  svd,
  truncationSweep,
  updateBreakdown,
} from '../../../src/experiments/lowrank/index.ts';
import { separableRows } from '../fixtures.ts';
import { checkNoLeaks, useBackend } from '../../core/helpers.ts';

const config = encoderConfig('micro', {
  numLabels: 2,
  mlmHead: true,
  hiddenDropoutProb: 0,
  attentionDropoutProb: 0,
});

const rows = separableRows;

const train = rows(1, 64, 8);
const validation = rows(2, 32, 8);
const test = rows(3, 32, 8);
const make = (seed: number) => new Encoder(config, { seed });

beforeAll(async () => {
  await useBackend('cpu');
});

describe('linear modules', () => {
  it('names the six modules of every layer, and the LoRA regex matches exactly them', () => {
    const mods = linearModules(2);
    expect(mods).toHaveLength(12);
    expect(mods[0]?.weight).toBe('roberta.encoder.layer.0.attention.self.query.weight');
    expect(mods[11]?.module).toBe('roberta.encoder.layer.1.output.dense');
    const enc = make(0);
    try {
      const names = enc.namedParameters().map((p) => p.name.replace(/\.weight$|\.bias$/, ''));
      const matched = [...new Set(names.filter((n) => ALL_LINEARS.test(n)))];
      expect(matched.sort()).toEqual(mods.map((m) => m.module).sort());
    } finally {
      enc.dispose();
    }
  });

  it('labels methods and groups parameters', () => {
    expect(methodLabel({ kind: 'full' })).toBe('full fine-tuning');
    expect(methodLabel({ kind: 'lora', r: 8 })).toBe('LoRA r=8');
    expect(methodLabel({ kind: 'full' }, 'ja')).toBe('フルファインチューニング');
    expect(methodLabel({ kind: 'lora', r: 8 }, 'ja')).toBe('LoRA r=8');
    expect(methodLabel({ kind: 'subspace', d: 12 }, 'ja')).toBe('ランダムな部分空間 d=12');
    expect(runNameLabel('full fine-tuning seed 0', 'ja')).toBe('フルファインチューニング、シード0');
    expect(runNameLabel('LoRA r=64 seed 12', 'ja')).toBe('LoRA r=64、シード12');
    expect(runNameLabel('random subspace d=53634', 'ja')).toBe('ランダムな部分空間 d=53634');
    expect(runNameLabel('full fine-tuning seed 0')).toBe('full fine-tuning seed 0');
    expect(parameterGroup('roberta.embeddings.word_embeddings.weight')).toBe('word embeddings');
    expect(parameterGroup('roberta.encoder.layer.0.attention.self.query.weight')).toBe(
      'linear weights',
    );
    expect(parameterGroup('roberta.encoder.layer.0.output.LayerNorm.bias')).toBe('LayerNorms');
    expect(parameterGroup('classifier.out_proj.bias')).toBe('classifier head');
  });
});

describe('fine-tuning and ΔW', () => {
  checkNoLeaks();

  it('full fine-tuning: ΔW is after − before, every module moved, the MLM head never trains', async () => {
    const enc = make(1);
    const head = enc
      .namedParameters()
      .filter((p) => p.name.startsWith('lm_head.'))
      .map((p) => p.variable.clone());
    const mlm = mlmBatches(new WordTokenizer(vocab()), texts(), 10, 0, 8);
    const run = await fineTuneToEnd({
      encoder: enc,
      train,
      validation,
      test,
      mlm,
      method: { kind: 'full' },
      seed: 0,
      steps: 6,
      batchSize: 16,
      learningRate: 1e-2,
    });
    try {
      expect(run.steps).toBe(6);
      expect(run.stopped).toBe(false);
      expect(run.accuracy.test).toBe(await encoderAccuracy(enc, test));
      expect(run.mlm?.before.positions).toBeGreaterThan(0);
      expect(run.mlm?.after.loss).not.toBe(run.mlm?.before.loss);
      const after = enc.namedParameters().filter((p) => p.name.startsWith('lm_head.'));
      for (const [i, p] of after.entries()) {
        const was = head[i];
        if (!was) throw new Error('missing head copy');
        expect(
          tf.tidy(() => tf.max(tf.abs(tf.sub(p.variable, was))).dataSync()[0]),
          p.name,
        ).toBe(0);
      }
      const deltas = await moduleDeltas(enc, run);
      expect(deltas).toHaveLength(linearModules(config.numHiddenLayers).length);
      for (const d of deltas) expect(frobenius(d.dW), d.module.module).toBeGreaterThan(0);
      const { spectra, svds } = await moduleSpectra(deltas, 0);
      for (const s of spectra) {
        expect(s.random.frobenius).toBeCloseTo(s.delta.frobenius, 9);
        expect(s.delta.s).toHaveLength(Math.min(s.rows, s.cols));
        expect(s.delta.share['1']).toBeLessThanOrEqual(1);
      }
      // Truncation at the full rank gives the fine-tuned model back, and the sweep restores it.
      const k = config.hiddenSize;
      const points = await truncationSweep({
        encoder: enc,
        run,
        deltas,
        svds,
        ranks: [0, 1, k],
        rest: ['tuned', 'pretrained'],
        validation,
        test,
      });
      expect(points).toHaveLength(6);
      const full = points.find((p) => p.rest === 'tuned' && p.r === k);
      expect(full?.test).toBe(run.accuracy.test);
      expect(await encoderAccuracy(enc, test)).toBe(run.accuracy.test);
      const breakdown = await updateBreakdown(enc, run);
      const shares = breakdown.groups.reduce((a, g) => a + g.share, 0);
      expect(shares).toBeCloseTo(1, 9);
      expect(breakdown.groups.find((g) => g.group === 'MLM head')?.deltaSq).toBe(0);
      expect(breakdown.wordEmbeddings.rows).toBe(config.vocabSize);
      // Only the words the training rows use can move (ids 5…44, plus <s>-less rows here).
      expect(breakdown.wordEmbeddings.rowsChanged).toBeLessThanOrEqual(40);
    } finally {
      tf.dispose(head);
      run.dispose();
      enc.dispose();
    }
  });

  it('LoRA: ΔW has rank ≤ r, the base weights are unchanged afterwards, φ of a run with itself is 1', async () => {
    const enc = make(2);
    const w0 = enc
      .namedParameters()
      .filter((p) => p.name.endsWith('attention.self.query.weight'))
      .map((p) => p.variable.clone());
    const run = await fineTuneToEnd({
      encoder: enc,
      train,
      validation,
      test,
      method: { kind: 'lora', r: 2 },
      seed: 0,
      steps: 5,
      batchSize: 16,
      learningRate: 1e-2,
    });
    try {
      expect(run.mlm).toBeNull();
      const names = enc
        .namedParameters()
        .filter((p) => p.name.endsWith('attention.self.query.weight'));
      names.forEach((p, i) => {
        const was = w0[i];
        if (!was) throw new Error('missing copy');
        expect(tf.tidy(() => tf.max(tf.abs(tf.sub(p.variable, was))).dataSync()[0])).toBe(0);
      });
      const deltas = await moduleDeltas(enc, run);
      for (const d of deltas) {
        const s = (await svd(d.dW)).s;
        expect(s[2] ?? 0, d.module.module).toBeLessThan(1e-6 * (s[0] ?? 1));
        expect(s[0] ?? 0).toBeGreaterThan(0);
      }
      const [first] = deltas;
      if (!first) throw new Error('no module');
      const a = await svd(first.dW);
      const grid = overlapGrid(a, a, [1, 2], [1, 2]);
      expect(grid[0]?.[0]).toBeCloseTo(1, 9);
      expect(grid[1]?.[1]).toBeCloseTo(1, 9);
    } finally {
      tf.dispose(w0);
      run.dispose();
      enc.dispose();
    }
  });

  it('stops when aborted, and refuses bad options naming the field', async () => {
    const enc = make(3);
    const controller = new AbortController();
    const it = fineTune({
      encoder: enc,
      train,
      validation,
      test,
      method: { kind: 'full' },
      seed: 0,
      steps: 50,
      batchSize: 16,
      learningRate: 1e-3,
      signal: controller.signal,
    });
    let r = await it.next();
    while (r.done !== true) {
      if (r.value.step === 1) controller.abort();
      r = await it.next();
    }
    expect(r.value.stopped).toBe(true);
    expect(r.value.steps).toBe(2);
    r.value.dispose();
    const bad = fineTuneToEnd({
      encoder: enc,
      train,
      validation,
      test,
      method: { kind: 'lora', r: 0 },
      seed: 0,
      steps: 2,
      learningRate: 1e-3,
    });
    await expect(bad).rejects.toThrow(LowRankError);
    await expect(bad).rejects.toThrow(/^r = 0/);
    enc.dispose();
  });
});

function vocab(): string[] {
  return [
    '<s>',
    '<pad>',
    '</s>',
    '<unk>',
    '<mask>',
    ...Array.from({ length: config.vocabSize - 5 }, (_, i) => `w${String(i)}`),
  ];
}

function texts(): string[] {
  return Array.from({ length: 12 }, (_, i) =>
    Array.from({ length: 6 }, (_, t) => `w${String((i * 7 + t * 3) % 30)}`).join(' '),
  );
}
