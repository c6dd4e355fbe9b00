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
import { learningRate } from '../../../scripts/lib/schedule.ts';
import {
  SchedulePlanError,
  checkPlan,
  lastStep,
  lrAt,
  parseReplans,
  planFlags,
  samePast,
  type LrPlan,
} from '../../../scripts/lib/schedule.ts';
import { checkNoLeaks } from '../../core/helpers.ts';

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

describe('continued learning-rate schedule (scripts/lib/schedule.ts)', () => {
  const base: LrPlan = {
    steps: 400,
    warmup: 10,
    peakLr: 1e-3,
    replanAt: 100,
    replanSteps: 150,
    continueTo: 0,
    continueLr: 0,
    continueWarmup: 0,
    continueReplans: [],
  };
  const cont: LrPlan = { ...base, continueTo: 250, continueLr: 2e-3, continueWarmup: 20 };

  it('follows the base schedule, then its re-plan, to the floor at the re-planned last step', () => {
    for (const s of [0, 9, 50, 99]) expect(lrAt(base, s)).toBe(learningRate(s, 400, 10, 1e-3));
    const at100 = learningRate(100, 400, 10, 1e-3);
    expect(lrAt(base, 125)).toBeCloseTo(at100 + (5e-5 - at100) * 0.5, 15);
    expect(lrAt(base, 150)).toBeCloseTo(5e-5, 15);
    expect(lastStep(base)).toBe(150);
  });

  it('re-warms linearly from the annealed rate to the new peak, then decays to 5% of it', () => {
    for (let s = 0; s < 150; s++) expect(lrAt(cont, s)).toBe(lrAt(base, s));
    expect(lrAt(cont, 150)).toBeCloseTo(5e-5 + (2e-3 - 5e-5) / 20, 15);
    expect(lrAt(cont, 169)).toBeCloseTo(2e-3, 15);
    expect(lrAt(cont, 170)).toBeCloseTo(2e-3, 15);
    expect(lrAt(cont, 210)).toBeCloseTo(2e-3 * (1 - 0.95 * 0.5), 15);
    expect(lrAt(cont, 250)).toBeCloseTo(1e-4, 15);
    expect(lastStep(cont)).toBe(250);
  });

  it('a continuation re-plan decays from the rate at its step to the floor at its new end', () => {
    const r: LrPlan = { ...cont, continueReplans: [[190, 210]] };
    for (let s = 0; s < 190; s++) expect(lrAt(r, s)).toBe(lrAt(cont, s));
    const from = lrAt(cont, 190);
    expect(lrAt(r, 200)).toBeCloseTo(from + (1e-4 - from) * 0.5, 15);
    expect(lrAt(r, 210)).toBeCloseTo(1e-4, 15);
    expect(lastStep(r)).toBe(210);
    // a second re-plan builds on the first
    const r2: LrPlan = {
      ...cont,
      continueReplans: [
        [190, 210],
        [200, 205],
      ],
    };
    const from2 = lrAt(r, 200);
    expect(lrAt(r2, 204)).toBeCloseTo(from2 + (1e-4 - from2) * 0.8, 15);
    expect(lastStep(r2)).toBe(205);
    // and a later re-plan may also end later (the machine got faster)
    const r3: LrPlan = {
      ...cont,
      continueReplans: [
        [190, 210],
        [200, 240],
      ],
    };
    expect(lrAt(r3, 220)).toBeCloseTo(from2 + (1e-4 - from2) * 0.5, 15);
    expect(lastStep(r3)).toBe(240);
  });

  it('resuming is allowed exactly when every past update used the new plan’s rate', () => {
    expect(samePast(base, cont, 150)).toBe(true); // the annealed checkpoint may be continued
    const unplanned: LrPlan = { ...base, replanAt: 0, replanSteps: 0 }; // how the run began
    // a re-plan at 100 starts from the rate there: updates 0..100 are unchanged, 101 is not
    expect(samePast(unplanned, base, 101)).toBe(true);
    expect(samePast(unplanned, base, 102)).toBe(false);
    const r: LrPlan = { ...cont, continueReplans: [[190, 210]] };
    expect(samePast(cont, r, 191)).toBe(true);
    expect(samePast(cont, r, 192)).toBe(false);
    expect(samePast(r, cont, 211)).toBe(false); // past the other plan's end
  });

  it('the manifest flags parse back to the same plan, and bad plans fail naming the field', () => {
    const r: LrPlan = {
      ...cont,
      continueReplans: [
        [190, 210],
        [200, 205],
      ],
    };
    const flags = planFlags(r).join(' ');
    expect(flags).toContain('--continue-to 250 --continue-lr 0.002 --continue-warmup 20');
    const m = /--continue-replans (\S+)/.exec(flags);
    expect(parseReplans(m?.[1] ?? '')).toEqual(r.continueReplans);
    expect(parseReplans('')).toEqual([]);
    expect(() => parseReplans('190-210')).toThrow(SchedulePlanError);
    expect(() => {
      checkPlan({ ...cont, continueTo: 160 });
    }).toThrow(/continueTo = 160/);
    expect(() => {
      checkPlan({ ...cont, continueReplans: [[140, 200]] });
    }).toThrow(/continueReplans/);
    expect(() => {
      checkPlan({ ...base, continueReplans: [[160, 170]] });
    }).toThrow(/need a continuation/);
    expect(() => {
      checkPlan(r);
    }).not.toThrow();
  });
});
