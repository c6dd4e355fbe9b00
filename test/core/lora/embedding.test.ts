/**
 * LoRA on the word-embedding table (PEFT's `lora_embedding_A/B`): the lookup of ΔW = A·B equals
 * the embedding of the merged table, PEFT's init leaves the model unchanged, only the factors
 * train and only the looked-up rows of A move, the file round-trips with PEFT's names and
 * orientation, and the shape-only accounting counts what the real model holds.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Encoder, encoderConfig } from '../../../src/core/models/encoder.ts';
import { encoderSpec } from '../../../src/core/models/specs.ts';
import { accountingRows } from '../../../src/core/models/spec-rows.ts';
import { getPeftModel, PeftModel } from '../../../src/core/lora/peft-model.ts';
import { loadAdapter, saveAdapter } from '../../../src/core/lora/io.ts';
import { LoraConfigError } from '../../../src/core/lora/config.ts';
import { decodeSafetensors } from '../../../src/core/io/safetensors.ts';
import { Rng } from '../../../src/core/rng.ts';
import { checkNoLeaks, expectBitIdentical, expectClose, must } from '../helpers.ts';

const micro = encoderConfig('micro', { hiddenDropoutProb: 0, attentionDropoutProb: 0 });
const EMB = 'roberta.embeddings.word_embeddings';
const ids = (): tf.Tensor =>
  tf.tensor2d(
    [
      [0, 5, 9, 5, 2],
      [0, 7, 3, 1, 1],
    ],
    [2, 5],
    'int32',
  );
const mask = (): tf.Tensor =>
  tf.tensor2d(
    [
      [1, 1, 1, 1, 1],
      [1, 1, 1, 0, 0],
    ],
    [2, 5],
    'int32',
  );

/** Gives every factor of the active adapter seeded non-zero values. */
function randomise(peft: PeftModel, seed: number): void {
  const rng = new Rng(seed);
  for (const t of peft.getPlan().targets) {
    const f = peft.factors(t.name);
    tf.tidy(() => {
      f.a.assign(tf.tensor(rng.normalArray(f.a.size, 0.3), f.a.shape));
      f.b.assign(tf.tensor(rng.normalArray(f.b.size, 0.3), f.b.shape));
    });
  }
}

describe('LoRA on the word-embedding table', () => {
  checkNoLeaks();

  it("PEFT's init (A = 0, B ~ N(0, 1)) leaves every output bit-identical", () => {
    const enc = new Encoder(micro, { seed: 1 });
    const before = tf.tidy(() => enc.classify(ids(), mask()));
    const peft = getPeftModel(enc, { r: 4, loraAlpha: 8, targetModules: ['word_embeddings'] });
    const f = peft.factors(EMB);
    expect(f.a.shape).toEqual([micro.vocabSize, 4]);
    expect(f.b.shape).toEqual([4, micro.hiddenSize]);
    expect(tf.tidy(() => tf.max(tf.abs(f.a)).dataSync()[0])).toBe(0);
    // B ~ N(0, 1): its sample std over 4·H draws is near 1.
    const sd = tf.tidy(() => tf.moments(f.b).variance.sqrt().dataSync()[0]);
    expect(must(sd)).toBeGreaterThan(0.8);
    expect(must(sd)).toBeLessThan(1.2);
    const after = tf.tidy(() => enc.classify(ids(), mask()));
    expectBitIdentical(after, before);
    tf.dispose([before, after]);
    peft.dispose();
  });

  it('the adapted lookup equals the merged table; unmerge restores it', async () => {
    const enc = new Encoder(micro, { seed: 2 });
    const w0 = enc.param(`${EMB}.weight`).clone();
    const peft = getPeftModel(enc, {
      r: 3,
      loraAlpha: 6,
      targetModules: ['word_embeddings', 'query'],
    });
    randomise(peft, 7);
    const adapted = tf.tidy(() => enc.encode(ids(), mask()));
    const delta = peft.getDeltaWeight(EMB); // A·B·(6/3)
    expect(delta.shape).toEqual([micro.vocabSize, micro.hiddenSize]);
    const byHand = tf.tidy(() =>
      tf.add(w0, tf.mul(tf.matMul(peft.factors(EMB).a, peft.factors(EMB).b), 2)),
    );
    await peft.merge();
    expectClose(enc.param(`${EMB}.weight`), byHand);
    const merged = tf.tidy(() => enc.encode(ids(), mask()));
    expectClose(merged, adapted, 1e-4, 1e-5);
    peft.unmerge();
    expectClose(enc.param(`${EMB}.weight`), w0, 0, 1e-6);
    tf.dispose([w0, adapted, delta, byHand, merged]);
    peft.dispose();
  });

  it('trains only the factors, and only the rows of A that the batch looks up', () => {
    const enc = new Encoder(micro, { seed: 3 });
    const peft = getPeftModel(enc, { r: 2, targetModules: ['word_embeddings'] });
    const vars = peft.trainableVariables();
    const f = peft.factors(EMB);
    expect(vars).toEqual([f.a, f.b]);
    const { grads, value } = tf.variableGrads(
      () => tf.tidy(() => tf.sum(tf.square(enc.classify(ids(), mask())))),
      vars,
    );
    const gA = must(grads[f.a.name]).arraySync() as number[][];
    const seen = new Set([0, 5, 9, 2, 7, 3]); // ids at unmasked positions
    const padOnly = 1; // only at masked positions: nothing reads its output
    for (let row = 0; row < micro.vocabSize; row++) {
      const norm = must(gA[row]).reduce((s, x) => s + Math.abs(x), 0);
      if (seen.has(row)) expect(norm, `row ${row}`).toBeGreaterThan(0);
      else if (row !== padOnly) expect(norm, `row ${row}`).toBe(0);
    }
    // With A = 0, the gradient of B is exactly zero at the first step (as with B = 0 on a linear).
    expect(tf.tidy(() => tf.max(tf.abs(must(grads[f.b.name]))).dataSync()[0])).toBe(0);
    tf.dispose([...Object.values(grads), value]);
    peft.dispose();
  });

  it("saves PEFT's lora_embedding_A [r, rows] / lora_embedding_B [width, r] and loads them back exactly", async () => {
    const enc = new Encoder(micro, { seed: 4 });
    const peft = getPeftModel(enc, { r: 2, targetModules: ['word_embeddings', 'value'] });
    randomise(peft, 11);
    const files = await saveAdapter(peft);
    const { tensors } = decodeSafetensors(files.adapterModelSafetensors);
    const a = must(tensors[`base_model.model.${EMB}.lora_embedding_A`]);
    const b = must(tensors[`base_model.model.${EMB}.lora_embedding_B`]);
    expect(a.shape).toEqual([2, micro.vocabSize]);
    expect(b.shape).toEqual([micro.hiddenSize, 2]);
    const ours = peft.factors(EMB).a.arraySync() as number[][];
    expect(a.data[1 * micro.vocabSize + 9]).toBe(ours[9]?.[1]); // lora_embedding_A[i][j] = A[j][i]
    const want = tf.tidy(() => enc.classify(ids(), mask()));

    const fresh = new PeftModel(new Encoder(micro, { seed: 4 }));
    loadAdapter(fresh, files);
    const got = tf.tidy(() => fresh.model.classify(ids(), mask()));
    expectBitIdentical(got, want);
    tf.dispose([want, got]);
    peft.dispose();
    fresh.dispose();
  });

  it('refuses the gated init on a table, naming the field, and changes nothing', () => {
    const enc = new Encoder(micro, { seed: 5 });
    const before = enc.namedParameters().map((p) => p.variable.trainable);
    expect(() =>
      getPeftModel(enc, { r: 2, targetModules: ['word_embeddings'], initLoraWeights: 'gated' }),
    ).toThrow(LoraConfigError);
    expect(() =>
      getPeftModel(enc, { r: 2, targetModules: ['word_embeddings'], initLoraWeights: 'gated' }),
    ).toThrow(/initLoraWeights = "gated": has no embedding form/);
    expect(enc.namedParameters().map((p) => p.variable.trainable)).toEqual(before);
    expect(enc.linearModules().get(EMB)).toBeUndefined();
    enc.dispose();
  });

  it('the shape-only accounting counts r·(rows + width) for the table, as the real model holds', () => {
    const config = { r: 4, targetModules: ['word_embeddings', 'query', 'value'] };
    const spec = encoderSpec(micro, 'micro');
    const planned = accountingRows(spec, config);
    const enc = new Encoder(micro, { seed: 6 });
    const peft = getPeftModel(enc, config);
    const real = peft.parameterRows();
    expect(planned).toEqual(real);
    const emb = planned.filter((r) => r.name.startsWith(`${EMB}.lora_embedding_`));
    expect(emb.reduce((s, r) => s + r.count, 0)).toBe(4 * (micro.vocabSize + micro.hiddenSize));
    peft.dispose();
  });

  it('a list without the table leaves it alone (existing configs are unchanged)', () => {
    const enc = new Encoder(micro, { seed: 7 });
    const peft = getPeftModel(enc, { r: 2, targetModules: ['query', 'value'] });
    expect(peft.getPlan().targets.some((t) => t.kind === 'embedding')).toBe(false);
    peft.dispose();
  });
});
