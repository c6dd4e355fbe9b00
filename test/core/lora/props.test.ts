/**
 * Property-based tests (fast-check) over random MLP shapes and LoRA configs: valid configs work
 * (counts follow r·(dIn + dOut), the adapted model starts at the base model), invalid ones throw
 * LoraConfigError and leave the model bit-identical (weights, hooks, trainable flags).
 */
import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Mlp } from '../../../src/core/models/mlp.ts';
import { getPeftModel } from '../../../src/core/lora/peft-model.ts';
import { LoraConfigError, type InitLoraWeights } from '../../../src/core/lora/config.ts';
import { summarizeParams } from '../../../src/core/accounting.ts';
import { randn, Rng } from '../../../src/core/rng.ts';
import { checkNoLeaks, must } from '../helpers.ts';

const sizesArb = fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 2, maxLength: 4 });

function weightsBits(m: Mlp): string[] {
  return m
    .namedParameters()
    .map((p) => Buffer.from(new Float32Array(p.variable.dataSync()).buffer).toString('hex'));
}

describe('LoRA properties', () => {
  checkNoLeaks();

  it('valid configs: closed-form counts and exact equality with the base at init', () => {
    fc.assert(
      fc.property(
        sizesArb,
        fc.integer({ min: 0, max: 1000 }),
        fc.double({ min: 0.1, max: 64, noNaN: true }),
        fc.boolean(),
        fc.constantFrom<InitLoraWeights>(true, 'gaussian', 'zero-both', 'a-zero-b-random', 'gated'),
        (sizes, seed, alpha, rs, init) => {
          const mlp = new Mlp({ sizes, activation: 'tanh', bias: true }, { seed });
          const layers = sizes.length - 1;
          const picked = new Rng(seed)
            .shuffle(Array.from({ length: layers }, (_, i) => i))
            .slice(0, 1 + (seed % layers));
          const cap = Math.min(...picked.map((i) => Math.min(must(sizes[i]), must(sizes[i + 1]))));
          const r = 1 + (seed % cap);
          const x = randn(new Rng(seed + 1), [3, must(sizes[0])]);
          const base = mlp.forward(x);
          const peft = getPeftModel(mlp, {
            r,
            loraAlpha: alpha,
            useRslora: rs,
            targetModules: picked.map((i) => `layers.${i}`),
            initLoraWeights: init,
          });
          const s = summarizeParams(peft.parameterRows());
          const expected = picked.reduce(
            (a, i) => a + r * (must(sizes[i]) + must(sizes[i + 1])) + (init === 'gated' ? 1 : 0),
            0,
          );
          expect(s.trainable).toBe(expected);
          const out = peft.model.forward(x);
          expect(Array.from(out.dataSync())).toEqual(Array.from(base.dataSync()));
          tf.dispose([x, base, out]);
          peft.dispose();
        },
      ),
      { numRuns: 40 },
    );
  });

  it('invalid configs throw LoraConfigError and leave the model bit-identical', () => {
    const invalid = fc.oneof(
      fc.record({ r: fc.integer({ min: -5, max: 0 }) }),
      fc.record({ r: fc.double({ min: 0.1, max: 5, noInteger: true }) }),
      fc.record({ r: fc.integer({ min: 10, max: 50 }) }), // above min(dIn, dOut) ≤ 9
      fc.record({ loraAlpha: fc.constantFrom(Number.NaN, -1, 0, Number.POSITIVE_INFINITY) }),
      fc.record({ loraDropout: fc.constantFrom(-0.1, 1, 2) }),
      fc.record({ targetModules: fc.constantFrom(['nothing'], ['layers.9'], 'layers', /layer/) }),
      fc.record({ modulesToSave: fc.constant(['missing']) }),
    );
    fc.assert(
      fc.property(sizesArb, fc.integer({ min: 0, max: 1000 }), invalid, (sizes, seed, bad) => {
        const mlp = new Mlp({ sizes, activation: 'relu', bias: true }, { seed });
        const before = weightsBits(mlp);
        const flags = mlp.namedParameters().map((p) => p.variable.trainable);
        expect(() => getPeftModel(mlp, { r: 1, targetModules: ['layers.0'], ...bad })).toThrow(
          LoraConfigError,
        );
        expect(weightsBits(mlp)).toEqual(before);
        expect(mlp.namedParameters().map((p) => p.variable.trainable)).toEqual(flags);
        expect([...mlp.linearModules().values()].every((l) => l.hook === null)).toBe(true);
        mlp.dispose();
      }),
      { numRuns: 60 },
    );
  });
});
