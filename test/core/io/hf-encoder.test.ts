import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Encoder, encoderConfig } from '../../../src/core/models/encoder.ts';
import { WeightsError } from '../../../src/core/models/types.ts';
import {
  encoderConfigFromHf,
  encoderConfigToHf,
  encoderFromHf,
  encoderToHf,
} from '../../../src/core/io/hf-encoder.ts';
import { decodeSafetensors } from '../../../src/core/io/safetensors.ts';
import { checkNoLeaks, expectBitIdentical, must } from '../helpers.ts';

describe('Hugging Face checkpoint I/O for the encoder', () => {
  checkNoLeaks();

  it('writes [out, in] dense weights and reloads bit for bit, same outputs', async () => {
    const cfg = encoderConfig('micro', { numLabels: 0 });
    const enc = new Encoder(cfg, { seed: 3 });
    const { configJson, safetensors } = await encoderToHf(enc);
    const { tensors } = decodeSafetensors(safetensors);
    expect(must(tensors['roberta.encoder.layer.0.intermediate.dense.weight']).shape).toEqual([
      cfg.intermediateSize,
      cfg.hiddenSize,
    ]);
    expect(JSON.parse(configJson)).toMatchObject({
      model_type: 'roberta',
      hidden_size: 16,
      vocab_size: 50,
    });
    const { encoder, report } = encoderFromHf(configJson, safetensors);
    expect(report.missing).toEqual([]);
    expect(report.unexpected).toEqual([]);
    const a = enc.getWeights();
    for (const [k, v] of Object.entries(a)) expectBitIdentical(encoder.param(k), v);
    tf.dispose(Object.values(a));
    encoder.dispose();
    enc.dispose();
  });

  it("carries classifierPooling as config.json's classifier_pooling (absent means <s>)", () => {
    const mean = encoderConfigToHf(encoderConfig('micro', { classifierPooling: 'mean' }));
    expect(mean.classifier_pooling).toBe('mean');
    expect(encoderConfigFromHf(mean).classifierPooling).toBe('mean');
    const plain = encoderConfigToHf(encoderConfig('micro'));
    expect('classifier_pooling' in plain).toBe(false);
    expect(encoderConfigFromHf(plain).classifierPooling ?? 'first').toBe('first');
    expect(() => encoderConfigFromHf({ ...mean, classifier_pooling: 'cls' })).toThrow(
      /classifierPooling = cls/,
    );
  });

  it('loads an MLM checkpoint into a classifier (head kept at its seeded init) and reports what differs', async () => {
    const enc = new Encoder(encoderConfig('micro', { numLabels: 0 }), { seed: 3 });
    const { configJson, safetensors } = await encoderToHf(enc);
    const { encoder, report } = encoderFromHf(configJson, safetensors, {
      numLabels: 2,
      mlmHead: false,
      seed: 9,
    });
    expect(report.missing.sort()).toEqual([
      'classifier.dense.bias',
      'classifier.dense.weight',
      'classifier.out_proj.bias',
      'classifier.out_proj.weight',
    ]);
    expect(report.unexpected).toContain('lm_head.bias');
    expectBitIdentical(
      encoder.param('roberta.embeddings.word_embeddings.weight'),
      enc.param('roberta.embeddings.word_embeddings.weight'),
    );
    const fresh = new Encoder(encoderConfig('micro', { numLabels: 2, mlmHead: false }), {
      seed: 9,
    });
    expectBitIdentical(
      encoder.param('classifier.dense.weight'),
      fresh.param('classifier.dense.weight'),
    );
    fresh.dispose();
    encoder.dispose();
    enc.dispose();
  });

  it('a checkpoint of another shape throws WeightsError and leaks nothing', async () => {
    const enc = new Encoder(encoderConfig('micro'), { seed: 3 });
    const { configJson, safetensors } = await encoderToHf(enc);
    const wrong = configJson.replace('"intermediate_size": 32', '"intermediate_size": 48');
    expect(() => encoderFromHf(wrong, safetensors)).toThrow(WeightsError);
    expect(() => encoderFromHf(wrong, safetensors)).toThrow(
      /intermediate\.dense\.bias = \[32\]: shape must be \[48\]/,
    );
    expect(() => encoderFromHf('{', safetensors)).toThrow(/config\.json = JSON/);
    enc.dispose();
  });
});
