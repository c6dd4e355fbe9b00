import * as tf from '@tensorflow/tfjs';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng.ts';
import { splitWords } from '../../../src/core/data/index.ts';
import { SentenceMatcher, splitSentences } from '../../../scripts/lib/corpus.ts';
import { loadRecord, saveRecord } from '../../../scripts/lib/checkpoint.ts';
import { gloveRows, readGlove } from '../../../scripts/lib/glove.ts';
import { isDenseWeight, transposeDense } from '../../../scripts/lib/hf-weights.ts';
import { learningRate } from '../../../scripts/lib/adamw.ts';
import { checkNoLeaks } from '../helpers.ts';

checkNoLeaks();

describe('corpus helpers', () => {
  it('splits prose into sentences at end marks followed by a capital, and at blank lines', () => {
    expect(splitSentences('It was late. "Go," he said. Smith left!\n\nCHAPTER 2')).toEqual([
      'It was late.',
      '"Go," he said.',
      'Smith left!',
      'CHAPTER 2',
    ]);
  });

  it('finds a UCI sentence inside a document only as a whole word sequence', () => {
    const m = new SentenceMatcher(['Not recommended.', 'A great film overall!']);
    expect(m.find(splitWords('I saw it. Not recommended. Bye'))).toEqual([
      'not',
      'recommended',
      '.',
    ]);
    expect(m.find(splitWords('It was not recommended to me'))).toBeUndefined();
    expect(m.find(splitWords('a great film overall!!'))).toEqual([
      'a',
      'great',
      'film',
      'overall',
      '!',
    ]);
    expect(m.find(splitWords('a great film'))).toBeUndefined();
  });
});

describe('checkpoints and weight layout', () => {
  it('round-trips a record exactly through saveRecord/loadRecord', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ckpt-'));
    const rec = {
      'b.weight': tf.tensor2d([
        [1, 2, 3],
        [4, 5, 6],
      ]),
      'a.bias': tf.tensor1d([0.1, -1e-7]),
    };
    await saveRecord(dir, 'w', rec);
    const back = loadRecord(dir, 'w');
    expect(back).toBeDefined();
    if (!back) return;
    expect(Object.keys(back).sort()).toEqual(['a.bias', 'b.weight']);
    expect(back['b.weight']?.shape).toEqual([2, 3]);
    expect(Array.from((await back['a.bias']?.data()) ?? [])).toEqual(
      Array.from(await rec['a.bias'].data()),
    );
    expect(loadRecord(dir, 'missing')).toBeUndefined();
    tf.dispose([...Object.values(rec), ...Object.values(back)]);
  });

  it('transposes exactly the dense weights to and from the Hugging Face layout', async () => {
    expect(isDenseWeight('roberta.encoder.layer.0.attention.self.query.weight')).toBe(true);
    expect(isDenseWeight('classifier.out_proj.weight')).toBe(true);
    expect(isDenseWeight('roberta.embeddings.word_embeddings.weight')).toBe(false);
    expect(isDenseWeight('roberta.encoder.layer.0.output.LayerNorm.weight')).toBe(false);
    const rec = {
      'x.query.weight': tf.tensor2d([
        [1, 2, 3],
        [4, 5, 6],
      ]),
      'x.query.bias': tf.tensor1d([7, 8, 9]),
    };
    const hf = transposeDense(rec);
    expect(hf['x.query.weight']?.shape).toEqual([3, 2]);
    const back = transposeDense(hf);
    expect(Array.from((await back['x.query.weight']?.data()) ?? [])).toEqual([1, 2, 3, 4, 5, 6]);
    tf.dispose([...Object.values(rec), ...Object.values(hf), ...Object.values(back)]);
  });
});

describe('GloVe initialisation', () => {
  it('reads the wanted words only, 100 numbers each', () => {
    const g = readGlove(new Set(['movie', 'great', 'zzqxv-not-a-word']));
    expect([...g.keys()].sort()).toEqual(['great', 'movie']);
    expect(g.get('movie')?.length).toBe(100);
  });

  it('preserves inner products between words up to one common scale, and hits the target std', () => {
    const vocab = ['<s>', '<pad>', '</s>', '<unk>', '<mask>', 'good', 'great', 'awful', 'zzqxv'];
    const r = new Rng(1);
    const { rows, covered, found } = gloveRows(vocab, 128, 0.02, () => r.normal(), 5);
    expect(found).toBe(3);
    expect(Array.from(covered)).toEqual([0, 0, 0, 0, 0, 1, 1, 1, 0]);
    const g = readGlove(new Set(['good', 'great', 'awful']));
    const dot = (x: ArrayLike<number>, y: ArrayLike<number>) => {
      let s = 0;
      for (let i = 0; i < x.length; i++) s += (x[i] ?? 0) * (y[i] ?? 0);
      return s;
    };
    const row = (id: number) => rows.subarray(id * 128, (id + 1) * 128);
    const pairs: [string, number, string, number][] = [
      ['good', 5, 'great', 6],
      ['good', 5, 'awful', 7],
      ['great', 6, 'awful', 7],
    ];
    const ratios = pairs.map(
      ([a, ia, b, ib]) => dot(row(ia), row(ib)) / dot(g.get(a) ?? [], g.get(b) ?? []),
    );
    for (const q of ratios) expect(q / (ratios[0] ?? 1)).toBeCloseTo(1, 4);
    let ss = 0;
    for (const id of [5, 6, 7]) ss += dot(row(id), row(id));
    expect(Math.sqrt(ss / (3 * 128))).toBeCloseTo(0.02, 6);
    expect(row(8).every((v) => v === 0)).toBe(true);
  });
});

describe('learning-rate schedule', () => {
  it('warms up linearly to the peak and decays linearly to 5% of it', () => {
    expect(learningRate(0, 100, 10, 1e-3)).toBeCloseTo(1e-4, 12);
    expect(learningRate(9, 100, 10, 1e-3)).toBeCloseTo(1e-3, 12);
    expect(learningRate(10, 100, 10, 1e-3)).toBeCloseTo(1e-3, 12);
    expect(learningRate(55, 100, 10, 1e-3)).toBeCloseTo(1e-3 * (1 - 0.95 * 0.5), 12);
    expect(learningRate(100, 100, 10, 1e-3)).toBeCloseTo(5e-5, 12);
  });
});
