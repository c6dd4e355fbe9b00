/**
 * The QLoRA lesson's memory table: what TF.js itself holds for each term of a LoRA train state on
 * the encoder equals the per-term rule the memory formula uses (4 bytes per float32 weight,
 * adapter, gradient; 8 per trained parameter for Adam), and the quantised blocks hold exactly the
 * closed form's bytes; quantising moves the block matrices out of TF.js's memory.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Encoder, encoderConfig } from '../../../src/core/models/encoder.ts';
import { measureTrainState, QUANT_BASES } from '../../../src/experiments/qlora/index.ts';
import { checkNoLeaks, useBackend } from '../../core/helpers.ts';
import { separableRows } from '../fixtures.ts';

const config = encoderConfig('micro', {
  numLabels: 2,
  hiddenDropoutProb: 0,
  attentionDropoutProb: 0,
});
const set = separableRows(1, 16, 8);

describe('measureTrainState', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });
  checkNoLeaks();

  it('TF.js holds exactly what the per-term rules predict, for every base', async () => {
    const states = [];
    for (const base of QUANT_BASES) {
      const s = await measureTrainState(
        () => new Encoder(config, { seed: 2 }),
        base,
        set,
        [0, 1, 2, 3],
      );
      for (const term of ['weights', 'quantized', 'adapters', 'gradients', 'optimizer'] as const)
        expect(s[term].measured, `${base} ${term}`).toBe(s[term].predicted);
      expect(s.adapters.measured).toBeGreaterThan(0);
      expect(s.optimizer.measured).toBe(2 * s.gradients.measured);
      states.push(s);
    }
    const [float, int8, nf4, dq] = states;
    if (!float || !int8 || !nf4 || !dq) throw new Error('four bases');
    expect(float.quantized.measured).toBe(0);
    // The block matrices leave TF.js's memory when quantised, and take fewer bytes elsewhere.
    const blocks = float.weights.measured - nf4.weights.measured;
    expect(blocks).toBeGreaterThan(0);
    expect(int8.weights.measured).toBe(nf4.weights.measured);
    expect(nf4.quantized.measured).toBeLessThan(int8.quantized.measured);
    expect(dq.quantized.measured).toBeLessThan(nf4.quantized.measured);
    expect(int8.quantized.measured).toBeLessThan(blocks / 3);
    // The adapters, gradients and Adam states do not depend on how the base is stored.
    for (const s of [int8, nf4, dq]) {
      expect(s.trainable).toBe(float.trainable);
      expect(s.optimizer.measured).toBe(float.optimizer.measured);
    }
  });
});

describe('measureTrainState with a loader that keeps a cache', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });
  checkNoLeaks();

  it('counts the model, not a copy its loader keeps across calls (as a page’s loader does)', async () => {
    const kept: { cache: Encoder | null } = { cache: null }; // weights kept from the first call on
    const s = await measureTrainState(
      () => {
        kept.cache ??= new Encoder(config, { seed: 2 });
        return new Encoder(config, { seed: 3 });
      },
      'float32',
      set,
      [0, 1, 2, 3],
    );
    expect(s.weights.measured).toBe(s.weights.predicted);
    kept.cache?.dispose();
  });
});

describe('measureTrainState beside other work', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });
  checkNoLeaks();

  it('counts only its own tensors while another task holds tensors across awaits (a page’s other cells)', async () => {
    const flag = { running: true };
    const other = (async () => {
      while (flag.running) {
        const t = tf.zeros([5000]); // 20,000 bytes held across an await
        await Promise.resolve();
        t.dispose();
        await Promise.resolve();
      }
    })();
    try {
      for (const base of ['float32', 'nf4-dq'] as const) {
        const s = await measureTrainState(
          () => new Encoder(config, { seed: 2 }),
          base,
          set,
          [0, 1, 2, 3],
        );
        for (const term of ['weights', 'quantized', 'adapters', 'gradients', 'optimizer'] as const)
          expect(s[term].measured, `${base} ${term}`).toBe(s[term].predicted);
      }
    } finally {
      flag.running = false;
      await other;
    }
  });
});
