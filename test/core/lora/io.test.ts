import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Encoder, encoderConfig } from '../../../src/core/models/encoder.ts';
import { getPeftModel, PeftModel } from '../../../src/core/lora/peft-model.ts';
import { loadAdapter, saveAdapter } from '../../../src/core/lora/io.ts';
import { AdapterLoadError } from '../../../src/core/lora/errors.ts';
import { decodeSafetensors } from '../../../src/core/io/safetensors.ts';
import { Rng } from '../../../src/core/rng.ts';
import { checkNoLeaks, expectBitIdentical, must } from '../helpers.ts';

const micro = encoderConfig('micro', { hiddenDropoutProb: 0, attentionDropoutProb: 0 });

function trainedLike(seed: number, cfg = micro) {
  const enc = new Encoder(cfg, { seed: 1 });
  const peft = getPeftModel(
    enc,
    {
      r: 2,
      loraAlpha: 4,
      targetModules: ['query', 'value'],
      modulesToSave: ['classifier'],
      initLoraWeights: 'random-both',
      initScale: 0.3,
    },
    { seed },
  );
  // Make the classifier differ from the base so that modulesToSave really travels.
  tf.tidy(() => {
    const w = enc.param('classifier.out_proj.weight');
    w.assign(tf.add(w, 0.25));
  });
  return { enc, peft };
}

describe('adapter save/load (PEFT format)', () => {
  checkNoLeaks();

  it('writes PEFT names, orientation and config fields', async () => {
    const { peft } = trainedLike(3);
    const files = await saveAdapter(peft, 'default', {
      baseModelNameOrPath: 'micro',
      taskType: 'SEQ_CLS',
    });
    const cfg = JSON.parse(files.adapterConfigJson) as Record<string, unknown>;
    expect(cfg).toMatchObject({
      peft_type: 'LORA',
      task_type: 'SEQ_CLS',
      r: 2,
      lora_alpha: 4,
      target_modules: ['query', 'value'],
      modules_to_save: ['classifier'],
      bias: 'none',
    });
    const { tensors } = decodeSafetensors(files.adapterModelSafetensors);
    const H = micro.hiddenSize;
    const a = must(
      tensors['base_model.model.roberta.encoder.layer.0.attention.self.query.lora_A.weight'],
    );
    const b = must(
      tensors['base_model.model.roberta.encoder.layer.0.attention.self.query.lora_B.weight'],
    );
    expect(a.shape).toEqual([2, H]); // [r, dIn]
    expect(b.shape).toEqual([H, 2]); // [dOut, r]
    // lora_A.weight[i][j] = our A[j][i]
    const ours = peft
      .factors('roberta.encoder.layer.0.attention.self.query')
      .a.arraySync() as number[][];
    expect(a.data[1 * H + 5]).toBe(ours[5]?.[1]);
    expect(must(tensors['base_model.model.classifier.out_proj.weight']).shape).toEqual([
      micro.numLabels,
      H,
    ]); // [out, in]
    expect(Object.keys(tensors).filter((n) => n.includes('lora_')).length).toBe(
      2 * 2 * micro.numHiddenLayers,
    );
    peft.dispose();
  });

  it('round-trips bit for bit into a fresh model and reproduces the outputs exactly', async () => {
    const { peft } = trainedLike(4);
    const files = await saveAdapter(peft);
    const ids = tf.tensor2d([[0, 5, 9, 11, 2]], [1, 5], 'int32');
    const mask = tf.ones([1, 5], 'int32');
    const out1 = peft.model.classify(ids, mask);
    const fresh = new PeftModel(new Encoder(micro, { seed: 1 }));
    loadAdapter(fresh, files, 'default');
    for (const t of peft.getPlan().targets) {
      expectBitIdentical(fresh.factors(t.name).a, peft.factors(t.name).a);
      expectBitIdentical(fresh.factors(t.name).b, peft.factors(t.name).b);
    }
    expectBitIdentical(
      fresh.model.param('classifier.out_proj.weight'),
      peft.model.param('classifier.out_proj.weight'),
    );
    const out2 = fresh.model.classify(ids, mask);
    expectBitIdentical(out2, out1);
    const again = await saveAdapter(fresh);
    expect(
      Buffer.from(again.adapterModelSafetensors).equals(Buffer.from(files.adapterModelSafetensors)),
    ).toBe(true);
    expect(again.adapterConfigJson).toBe(files.adapterConfigJson);
    tf.dispose([ids, mask, out1, out2]);
    peft.dispose();
    fresh.dispose();
  });

  it('loading into a model of another shape throws AdapterLoadError and changes nothing', async () => {
    const { peft } = trainedLike(5);
    const files = await saveAdapter(peft);
    const other = new Encoder(encoderConfig('micro', { hiddenSize: 24, intermediateSize: 48 }), {
      seed: 2,
    });
    const target = new PeftModel(other);
    const snap = other.getWeights();
    expect(() => {
      loadAdapter(target, files);
    }).toThrow(AdapterLoadError);
    expect(() => {
      loadAdapter(target, files);
    }).toThrow(/lora_A\.weight\.shape = \[2, 16\]: the model needs \[2, 24\]/);
    expect(target.adapterNames).toEqual([]);
    expect([...other.linearModules().values()].every((l) => l.hook === null)).toBe(true);
    const now = other.getWeights();
    for (const k of Object.keys(snap)) expectBitIdentical(must(now[k]), must(snap[k]));
    // A missing tensor and a foreign config are typed errors too.
    expect(() => {
      loadAdapter(target, {
        ...files,
        adapterConfigJson: files.adapterConfigJson.replace('"LORA"', '"IA3"'),
      });
    }).toThrow(/peft_type = IA3/);
    tf.dispose([...Object.values(snap), ...Object.values(now)]);
    peft.dispose();
    target.dispose();
  });

  it('the gated init saves and restores its gate', async () => {
    const enc = new Encoder(micro, { seed: 1 });
    const peft = getPeftModel(enc, { r: 1, targetModules: ['value'], initLoraWeights: 'gated' });
    tf.tidy(() => {
      must(peft.factors('roberta.encoder.layer.0.attention.self.value').gate).assign(
        tf.tensor1d([new Rng(1).normal()]),
      );
    });
    const files = await saveAdapter(peft);
    const fresh = new PeftModel(new Encoder(micro, { seed: 1 }));
    loadAdapter(fresh, files);
    expectBitIdentical(
      must(fresh.factors('roberta.encoder.layer.0.attention.self.value').gate),
      must(peft.factors('roberta.encoder.layer.0.attention.self.value').gate),
    );
    peft.dispose();
    fresh.dispose();
  });
});
