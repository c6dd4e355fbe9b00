/**
 * The PyTorch encoder that pretrains the shipped model (scripts/torch/tiny_roberta.py) and the
 * core's Encoder compute the same function of the same weights. The fixture (weights, a padded
 * batch, PyTorch's outputs) is written by `/usr/bin/python3 scripts/torch/parity.py`; this test
 * needs no Python. Float32 on both sides: agreement to ~1e-5 is rounding; a wrong GELU, LayerNorm
 * epsilon, position offset, mask or head split moves these numbers by 1e-2 or more.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { encoderFromHf } from '../../../src/core/io/hf-encoder.ts';
import { safetensorsToTensors } from '../../../src/core/io/safetensors.ts';

const dir = path.resolve(import.meta.dirname, '../../fixtures/torch-parity');
const read = (f: string): Uint8Array => new Uint8Array(readFileSync(path.join(dir, f)));

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] ?? NaN) - (b[i] ?? NaN)));
  return m;
}

describe('PyTorch pretraining encoder ↔ core Encoder', () => {
  const { encoder } = encoderFromHf(
    readFileSync(path.join(dir, 'config.json'), 'utf8'),
    read('model.safetensors'),
  );
  const { tensors: io } = safetensorsToTensors(read('io.safetensors'));
  const get = (k: string): tf.Tensor => {
    const t = io[k];
    if (!t) throw new Error(`io.safetensors has no ${k}`);
    return t;
  };

  it('loads every weight of the PyTorch checkpoint', () => {
    const { tensors } = safetensorsToTensors(read('model.safetensors'));
    const names = Object.keys(tensors).sort();
    expect(names).toEqual(
      encoder
        .namedParameters()
        .map((p) => p.name)
        .sort(),
    );
    tf.dispose(Object.values(tensors));
  });

  it('gives the same last hidden layer on a padded batch', async () => {
    const h = encoder.encode(get('input_ids'), get('attention_mask'));
    const want = await get('hidden').data();
    expect(h.shape).toEqual(get('hidden').shape);
    const got = await h.data();
    h.dispose();
    // The outputs are not trivially small: LayerNorm'd vectors with std ~1.
    expect(Math.max(...Array.from(want, Math.abs))).toBeGreaterThan(1);
    expect(maxAbsDiff(got, want)).toBeLessThan(1e-4);
  });

  it('gives the same MLM logits and loss at the masked positions', async () => {
    const logits = encoder.mlmLogits(
      encoder.encode(get('input_ids'), get('attention_mask')),
      get('positions'),
    );
    expect(maxAbsDiff(await logits.data(), await get('mlm_logits').data())).toBeLessThan(1e-4);
    logits.dispose();
    const loss = encoder.mlmLoss(
      get('input_ids'),
      get('attention_mask'),
      get('positions'),
      get('labels'),
    );
    const [got] = await loss.data();
    const [want] = await get('mlm_loss').data();
    loss.dispose();
    expect(want).toBeGreaterThan(1);
    expect(Math.abs((got ?? NaN) - (want ?? NaN))).toBeLessThan(1e-4);
  });

  it('detects a wrong weight (the comparison is not vacuous)', async () => {
    const w = encoder.param('roberta.encoder.layer.1.output.LayerNorm.bias');
    const saved = w.clone();
    const bumped = tf.add(saved, 0.05);
    w.assign(bumped);
    const h = encoder.encode(get('input_ids'), get('attention_mask'));
    expect(maxAbsDiff(await h.data(), await get('hidden').data())).toBeGreaterThan(0.04);
    w.assign(saved);
    tf.dispose([h, saved, bumped]);
  });
});
