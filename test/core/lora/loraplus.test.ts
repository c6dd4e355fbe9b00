/**
 * LoRA+ (`train/loraplus.ts`): PEFT's grouping (lora_B and one-dimensional parameters at
 * lr · ratio, the rest at lr), B's first Adam step exactly ratio × A's (Adam's first step is
 * ±lr per entry, the sign of the gradient), the default optimiser untouched, bad values named.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Mlp } from '../../../src/core/models/mlp.ts';
import { Encoder, encoderConfig } from '../../../src/core/models/encoder.ts';
import { getPeftModel, type PeftModel } from '../../../src/core/lora/peft-model.ts';
import { Adam, OptimizerError } from '../../../src/core/train/adam.ts';
import {
  createLoraPlusOptimizer,
  LORAPLUS_DEFAULT_RATIO,
  loraPlusLrScale,
} from '../../../src/core/train/loraplus.ts';
import { randn, Rng } from '../../../src/core/rng.ts';
import { checkNoLeaks, expectBitIdentical, must } from '../helpers.ts';

function adapted(seed = 1): { peft: PeftModel<Mlp>; x: tf.Tensor; y: tf.Tensor } {
  const mlp = new Mlp({ sizes: [6, 5, 3], activation: 'tanh', bias: true }, { seed });
  const peft = getPeftModel(
    mlp,
    {
      r: 2,
      targetModules: ['layers.0', 'layers.1'],
      initLoraWeights: 'random-both',
      initScale: 0.3,
    },
    { seed },
  );
  return { peft, x: randn(new Rng(seed + 1), [8, 6]), y: randn(new Rng(seed + 2), [8, 3]) };
}

function lossOf(peft: PeftModel<Mlp>, x: tf.Tensor, y: tf.Tensor): () => tf.Scalar {
  return () => tf.mean(tf.square(tf.sub(peft.model.forward(x), y)));
}

describe('LoRA+', () => {
  checkNoLeaks();

  it('groups as PEFT does: lora_B and 1-D parameters at ratio × lr, the rest at lr', () => {
    const enc = new Encoder(encoderConfig('micro'), { seed: 1 });
    const peft = getPeftModel(enc, {
      r: 2,
      targetModules: ['query', 'value', 'word_embeddings'],
      modulesToSave: ['classifier'],
      useDora: false,
    });
    const scale = loraPlusLrScale(peft.namedParameters());
    const byName = new Map(peft.namedParameters().map((p) => [p.name, p.variable]));
    const at = (n: string): number | undefined => scale.get(must(byName.get(n)));
    const q = 'roberta.encoder.layer.0.attention.self.query';
    expect(at(`${q}.lora_B.default.weight`)).toBe(LORAPLUS_DEFAULT_RATIO);
    expect(LORAPLUS_DEFAULT_RATIO).toBe(16);
    expect(at(`${q}.lora_A.default.weight`)).toBeUndefined();
    expect(at('classifier.out_proj.weight')).toBeUndefined();
    expect(at('classifier.out_proj.bias')).toBe(16); // PEFT: param.ndim == 1 → group B
    expect(at(`${q}.weight`)).toBeUndefined(); // frozen: not in any group
    const e = 'roberta.embeddings.word_embeddings';
    expect(at(`${e}.lora_embedding_A.default`)).toBeUndefined();
    expect(at(`${e}.lora_embedding_B.default`)).toBeUndefined();
    const withEmb = loraPlusLrScale(peft.namedParameters(), {
      loraplusLrRatio: 4,
      loraplusLrEmbedding: 1e-6,
      learningRate: 1e-3,
    });
    expect(withEmb.get(must(byName.get(`${e}.lora_embedding_B.default`)))).toBeCloseTo(1e-3, 15);
    expect(withEmb.get(must(byName.get(`${q}.lora_B.default.weight`)))).toBe(4);
    peft.dispose();
    // DoRA's magnitude is one-dimensional: group B too.
    const mlp = new Mlp({ sizes: [4, 3], activation: 'relu', bias: true });
    const dora = getPeftModel(mlp, { r: 1, targetModules: ['layers.0'], useDora: true });
    const m = must(dora.factors('layers.0').magnitude);
    expect(loraPlusLrScale(dora.namedParameters(), { loraplusLrRatio: 8 }).get(m)).toBe(8);
    dora.dispose();
  });

  it('first Adam step: every B entry moves ratio × lr, every A entry lr (sign of the gradient)', () => {
    const lr = 0.01;
    for (const ratio of [16, 3]) {
      const { peft, x, y } = adapted(3);
      const vars = peft.trainableVariables();
      const before = vars.map((v) => v.dataSync().slice());
      const opt = createLoraPlusOptimizer(peft.namedParameters(), {
        learningRate: lr,
        loraplusLrRatio: ratio,
      });
      const loss = lossOf(peft, x, y);
      const { grads, value } = tf.variableGrads(loss, vars);
      const gradData = vars.map((v) => must(grads[v.name]).dataSync().slice());
      tf.dispose([value, ...Object.values(grads)]);
      opt.step(loss, vars).dispose();
      const names = peft.namedParameters().filter((p) => p.trainable);
      names.forEach((p, i) => {
        const isB = p.name.includes('lora_B');
        const step = isB ? ratio * lr : lr;
        const after = p.variable.dataSync();
        const b0 = must(before[i]);
        const g = must(gradData[i]);
        for (let j = 0; j < after.length; j++) {
          const moved = must(after[j]) - must(b0[j]);
          if (Math.abs(must(g[j])) < 1e-6) continue; // ε matters only for a (near-)zero gradient
          expect(moved).toBeCloseTo(-Math.sign(must(g[j])) * step, 6);
        }
      });
      opt.dispose();
      tf.dispose([x, y]);
      peft.dispose();
    }
  });

  it('changes nothing by default: Adam without lrScale, with an empty one, or ratio 1 agree bit for bit', () => {
    const finals: tf.Tensor[][] = [];
    for (const make of [
      () => new Adam({ learningRate: 0.01, weightDecay: 0.1 }),
      () => new Adam({ learningRate: 0.01, weightDecay: 0.1, lrScale: new Map() }),
      (peft: PeftModel<Mlp>) =>
        createLoraPlusOptimizer(peft.namedParameters(), {
          learningRate: 0.01,
          weightDecay: 0.1,
          loraplusLrRatio: 1,
        }),
    ]) {
      const { peft, x, y } = adapted(5);
      const opt = make(peft);
      for (let s = 0; s < 3; s++) opt.step(lossOf(peft, x, y), peft.trainableVariables()).dispose();
      finals.push(peft.trainableVariables().map((v) => v.clone()));
      opt.dispose();
      tf.dispose([x, y]);
      peft.dispose();
    }
    const [plain, empty, one] = [must(finals[0]), must(finals[1]), must(finals[2])];
    plain.forEach((t, i) => {
      expectBitIdentical(must(empty[i]), t);
      expectBitIdentical(must(one[i]), t);
    });
    tf.dispose(finals.flat());
  });

  it('bad values throw OptimizerError naming the field', () => {
    const { peft, x, y } = adapted();
    const params = peft.namedParameters();
    expect(() => loraPlusLrScale(params, { loraplusLrRatio: 0.5 })).toThrow(
      /^loraplusLrRatio = 0\.5: must be a finite number ≥ 1/,
    );
    expect(() => loraPlusLrScale(params, { loraplusLrRatio: Number.NaN })).toThrow(OptimizerError);
    expect(() => loraPlusLrScale(params, { loraplusLrEmbedding: 1e-6 })).toThrow(
      /^learningRate = undefined: must be the optimiser’s peak learning rate/,
    );
    expect(() => loraPlusLrScale(params, { loraplusLrEmbedding: -1, learningRate: 1e-3 })).toThrow(
      /^loraplusLrEmbedding = -1/,
    );
    const v = must(peft.trainableVariables()[0]);
    expect(() => new Adam({ learningRate: 0.1, lrScale: new Map([[v, -2]]) })).toThrow(
      /^lrScale\[.*\] = -2: must be a finite number ≥ 0/,
    );
    tf.dispose([x, y]);
    peft.dispose();
  });
});
