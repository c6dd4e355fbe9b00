import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import {
  DataError,
  fromHfConfig,
  SPECIAL_TOKENS,
  WordTokenizer,
  loadPretrained,
  pretrainedStart,
  transposeDense,
} from '../../../src/core/data/index.ts';
import { tensorsToSafetensors } from '../../../src/core/io/safetensors.ts';
import { Encoder, encoderConfig } from '../../../src/core/models/encoder.ts';
import { hfConfig } from '../../../scripts/lib/export.ts';
import { checkNoLeaks, useBackend } from '../helpers.ts';

checkNoLeaks();

const vocab = [...SPECIAL_TOKENS, ...Array.from({ length: 45 }, (_, i) => `w${i}`)];
const config = encoderConfig('micro', { vocabSize: vocab.length, numLabels: 0, mlmHead: true });

async function files(enc: Encoder) {
  const w = enc.getWeights();
  const hf = transposeDense(w);
  const weights = await tensorsToSafetensors(hf);
  tf.dispose([...Object.values(w), ...Object.values(hf)]);
  return {
    config: JSON.parse(JSON.stringify(hfConfig(enc.config))) as unknown,
    tokenizer: new WordTokenizer(vocab).toJSON(),
    weights,
  };
}

describe('loadPretrained', () => {
  it("honours config.json's classifier_pooling (ours; absent = <s>) and names a bad value", async () => {
    await useBackend('cpu');
    const src = new Encoder(config, { seed: 3 });
    const f = await files(src);
    const { classifier_pooling: _ignored, ...cfg } = f.config as Record<string, unknown>;
    const plain = loadPretrained({ ...f, config: cfg }, { numLabels: 2 });
    expect(plain.encoder.config.classifierPooling ?? 'first').toBe('first');
    const mean = loadPretrained(
      { ...f, config: { ...cfg, classifier_pooling: 'mean' } },
      { numLabels: 2 },
    );
    expect(mean.encoder.config.classifierPooling).toBe('mean');
    expect(() =>
      loadPretrained({ ...f, config: { ...cfg, classifier_pooling: 'cls' } }, { numLabels: 2 }),
    ).toThrow(/classifierPooling = cls/);
    plain.encoder.dispose();
    mean.encoder.dispose();
    src.dispose();
  });

  it('rebuilds an encoder whose outputs equal the saved one exactly (HF layout round trip)', async () => {
    await useBackend('cpu');
    const src = new Encoder(config, { seed: 3 });
    const f = await files(src);
    const { encoder, tokenizer, report } = loadPretrained(f, { mlmHead: true }, 99);
    expect(report.missing).toEqual([]);
    expect(tokenizer.size).toBe(vocab.length);
    const e = tokenizer.encode('w1 w2 w3 nope', 8);
    const ids = tf.tensor2d(e.inputIds, [1, 8], 'int32');
    const mask = tf.tensor2d(e.attentionMask, [1, 8], 'int32');
    const a = src.encode(ids, mask);
    const b = encoder.encode(ids, mask);
    expect(Array.from(await b.data())).toEqual(Array.from(await a.data()));
    tf.dispose([ids, mask, a, b]);
    src.dispose();
    encoder.dispose();
  });

  it('adds a seeded classifier head when asked, and lists it as missing', async () => {
    const src = new Encoder(config, { seed: 3 });
    const f = await files(src);
    src.dispose();
    const { encoder, report } = loadPretrained(f, { numLabels: 2 }, 1);
    expect(report.missing.sort()).toEqual([
      'classifier.dense.bias',
      'classifier.dense.weight',
      'classifier.out_proj.bias',
      'classifier.out_proj.weight',
    ]);
    encoder.dispose();
  });

  it('rejects a tokenizer that does not match the config, and a config with a bad field', async () => {
    const src = new Encoder(config, { seed: 3 });
    const f = await files(src);
    src.dispose();
    const small = new WordTokenizer(vocab.slice(0, 20)).toJSON();
    expect(() => loadPretrained({ ...f, tokenizer: small })).toThrow(/tokenizer\.vocab/);
    expect(() =>
      loadPretrained({ ...f, config: { ...(f.config as object), hidden_size: 'x' } }),
    ).toThrow(DataError);
  });

  it('reads back exactly the config the export writes, and names a bad field and its value', () => {
    for (const pooling of ['first', 'mean'] as const) {
      const written = JSON.parse(JSON.stringify(hfConfig(config, pooling))) as unknown;
      const read = fromHfConfig(written, { mlmHead: true, numLabels: 0 });
      expect(read).toEqual({
        ...config,
        classifierPooling: pooling === 'mean' ? 'mean' : read.classifierPooling,
      });
      expect(read.classifierPooling ?? 'first').toBe(pooling);
    }
    expect(() => fromHfConfig({ ...hfConfig(config), hidden_size: 'x' })).toThrow(
      /^config\.hidden_size: must be a number, got "x"$/,
    );
    expect(() => fromHfConfig([1, 2])).toThrow(DataError);
  });
});

describe('pretrainedStart', () => {
  it('reads tokenizer and config once; each seed a fresh encoder, as loadPretrained makes it', async () => {
    const src = new Encoder(config, { seed: 3 });
    const f = await files(src);
    src.dispose();
    const start = pretrainedStart(f, { numLabels: 2, mlmHead: false });
    expect(start.tokenizer.size).toBe(vocab.length);
    expect(start.config.numLabels).toBe(2);
    const a = start.encoder(4);
    const { encoder: b } = loadPretrained(f, { numLabels: 2, mlmHead: false }, 4);
    const wa = a.getWeights();
    const wb = b.getWeights();
    for (const [name, t] of Object.entries(wa))
      expect(await t.data(), name).toEqual(await wb[name]?.data());
    tf.dispose([...Object.values(wa), ...Object.values(wb)]);
    a.dispose();
    b.dispose();
  });
});
