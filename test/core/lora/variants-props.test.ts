/**
 * Property-based tests (fast-check) of the variants over random MLP shapes and configs, in the
 * manner of props.test.ts: DoRA and PiSSA (alone, together, with and without rsLoRA) start at the
 * base model, count r·(dIn + dOut) (+ dOut for DoRA's magnitude) per module, merge to the adapter
 * model's outputs, and save → load to the same outputs; a bad variant value throws naming the
 * field and leaves the model bit-identical.
 */
import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Mlp } from '../../../src/core/models/mlp.ts';
import { Encoder, encoderConfig } from '../../../src/core/models/encoder.ts';
import { quantizeEncoderBase } from '../../../src/core/quant/model.ts';
import { getPeftModelAsync, PeftModel } from '../../../src/core/lora/peft-model.ts';
import { LoraConfigError, type InitLoraWeights } from '../../../src/core/lora/config.ts';
import { loadAdapterAsync, saveAdapter } from '../../../src/core/lora/io.ts';
import { summarizeParams } from '../../../src/core/accounting.ts';
import { randn, Rng } from '../../../src/core/rng.ts';
import { checkNoLeaks, expectClose, must } from '../helpers.ts';

const sizesArb = fc.array(fc.integer({ min: 2, max: 8 }), { minLength: 2, maxLength: 3 });

function weightsBits(m: Mlp): string[] {
  return m
    .namedParameters()
    .map((p) => Buffer.from(new Float32Array(p.variable.dataSync()).buffer).toString('hex'));
}

describe('LoRA variant properties', () => {
  checkNoLeaks();

  it('DoRA / PiSSA / both: start at the base, closed-form counts, exact merge, save → load', async () => {
    await fc.assert(
      fc.asyncProperty(
        sizesArb,
        fc.integer({ min: 0, max: 1000 }),
        fc.double({ min: 0.5, max: 16, noNaN: true }),
        fc.boolean(),
        fc.boolean(),
        fc.constantFrom<InitLoraWeights>(true, 'gaussian', 'pissa'),
        async (sizes, seed, alpha, useRslora, useDora, init) => {
          const layers = sizes.length - 1;
          const picked = new Rng(seed)
            .shuffle(Array.from({ length: layers }, (_, i) => i))
            .slice(0, 1 + (seed % layers));
          const cap = Math.min(...picked.map((i) => Math.min(must(sizes[i]), must(sizes[i + 1]))));
          const r = 1 + (seed % cap);
          const config = {
            r,
            loraAlpha: alpha,
            useRslora,
            useDora,
            targetModules: picked.map((i) => `layers.${i}`),
            initLoraWeights: init,
          };
          const make = (): Mlp => new Mlp({ sizes, activation: 'tanh', bias: true }, { seed });
          const mlp = make();
          const x = randn(new Rng(seed + 1), [3, must(sizes[0])]);
          const base = mlp.forward(x);
          const peft = await getPeftModelAsync(mlp, config, { seed });
          const expected = picked.reduce(
            (a, i) =>
              a + r * (must(sizes[i]) + must(sizes[i + 1])) + (useDora ? must(sizes[i + 1]) : 0),
            0,
          );
          expect(summarizeParams(peft.parameterRows()).trainable).toBe(expected);
          const start = peft.model.forward(x);
          expectClose(start, base, 1e-5, 1e-6);
          // Train-like change of every adapter variable, then: save → load onto a fresh W0 and merge.
          const rng = new Rng(seed + 2);
          for (const v of peft.trainableVariables())
            tf.tidy(() => {
              v.assign(tf.add(v, tf.mul(randn(rng, v.shape), 0.1)));
            });
          const adapted = peft.model.forward(x);
          const files = await saveAdapter(peft);
          const fresh = new PeftModel(make());
          await loadAdapterAsync(fresh, files);
          const loaded = fresh.model.forward(x);
          expectClose(loaded, adapted, 1e-5, 1e-6);
          await peft.merge();
          const merged = peft.model.forward(x);
          expectClose(merged, adapted, 1e-4, 1e-5);
          tf.dispose([x, base, start, adapted, loaded, merged]);
          peft.dispose();
          fresh.dispose();
        },
      ),
      { numRuns: 25 },
    );
  });

  it('on a quantised base (QLoRA) DoRA and PiSSA refuse, naming the field; plain LoRA attaches', async () => {
    const enc = new Encoder(encoderConfig('micro'), { seed: 1 });
    await quantizeEncoderBase(enc, { kind: 'nf4' });
    const cfg = { r: 2, targetModules: ['query'] };
    const dora = await getPeftModelAsync(enc, { ...cfg, useDora: true }).catch((e: unknown) => e);
    expect(dora).toBeInstanceOf(LoraConfigError);
    expect(String(dora)).toMatch(
      /useDora = true: .*query holds no float weight \(a quantised layer\)/,
    );
    const pissa = await getPeftModelAsync(enc, { ...cfg, initLoraWeights: 'pissa' }).catch(
      (e: unknown) => e,
    );
    expect(pissa).toBeInstanceOf(LoraConfigError);
    expect(String(pissa)).toMatch(/initLoraWeights = "pissa": .*query holds no float weight/);
    expect([...enc.linearModules().values()].every((l) => l.hook === null)).toBe(true);
    const plain = await getPeftModelAsync(enc, cfg);
    expect(plain.adapterNames).toEqual(['default']);
    plain.dispose();
  });

  it('bad variant values throw LoraConfigError naming the field; the model stays bit-identical', async () => {
    const invalid = fc.oneof(
      fc.record({ useDora: fc.constantFrom<unknown>('true', 1, null) }),
      fc.record({ useDora: fc.constant(true), initLoraWeights: fc.constant('gated') }),
      fc.record({ initLoraWeights: fc.constantFrom('pissa_niter_4', 'olora', 'PiSSA') }),
      fc.record({ useRslora: fc.constantFrom<unknown>('yes', 0) }),
    );
    await fc.assert(
      fc.asyncProperty(
        sizesArb,
        fc.integer({ min: 0, max: 1000 }),
        invalid,
        async (sizes, seed, bad) => {
          const mlp = new Mlp({ sizes, activation: 'relu', bias: true }, { seed });
          const before = weightsBits(mlp);
          const field = Object.keys(bad)[0]; // useDora + 'gated' is refused under useDora
          const cfg = { r: 1, targetModules: ['layers.0'], ...bad } as never;
          const err = await getPeftModelAsync(mlp, cfg).then(
            () => null,
            (e: unknown) => e,
          );
          expect(err).toBeInstanceOf(LoraConfigError);
          expect((err as LoraConfigError).field).toBe(field);
          expect(weightsBits(mlp)).toEqual(before);
          expect([...mlp.linearModules().values()].every((l) => l.hook === null)).toBe(true);
          mlp.dispose();
        },
      ),
      { numRuns: 40 },
    );
  });
});
