/**
 * The core's labelled-sentence tools: reading the reader's columns (refusals name the row and the
 * column), the report (labels, repeats, empty texts, unknown words) and the seeded stratified
 * split (disjoint, every distinct text once, each label on both sides, independent of row order).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DataError } from '../../../src/core/data/errors.ts';
import {
  labelledFromTable,
  labelledReport,
  majorityBaseline,
  MAX_TEXT_CHARS,
  stratifiedSplit,
  type TextTable,
} from '../../../src/core/data/labelled.ts';
import { normalizeText } from '../../../src/core/data/words.ts';

const table = (rows: (string | null)[][]): TextTable => ({ columns: ['text', 'label'], rows });

function refusal(f: () => unknown): DataError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(DataError);
    return e as DataError;
  }
  throw new Error('no refusal');
}

/** Generated tables: 2–5 labels, texts from a small vocabulary (so repeats happen). */
const rows = fc
  .array(
    fc.tuple(
      fc.array(fc.constantFrom('good', 'bad', 'film', 'the', 'was', 'not', '!', 'Odd'), {
        minLength: 1,
        maxLength: 6,
      }),
      fc.constantFrom('a', 'b', 'c', 'd', 'e'),
    ),
    { minLength: 4, maxLength: 80 },
  )
  .map((xs) => xs.map(([words, label]) => [words.join(' '), label] as (string | null)[]));

describe('labelledFromTable', () => {
  it('numbers labels in sorted order and skips empty texts, counting them', () => {
    const set = labelledFromTable(
      table([
        ['great', 'pos'],
        ['  ', 'neg'],
        ['awful', 'neg'],
      ]),
      'text',
      'label',
    );
    expect(set.labels).toEqual(['neg', 'pos']);
    expect(set.examples).toEqual([
      { text: 'great', label: 1, row: 1 },
      { text: 'awful', label: 0, row: 3 },
    ]);
    expect(set.emptyRows).toEqual([2]);
  });

  it('refuses, naming the row and the column', () => {
    const t = table([
      ['great', 'pos'],
      ['fine', ''],
    ]);
    expect(refusal(() => labelledFromTable(t, 'text', 'label')).field).toBe(
      'row 2, column "label"',
    );
    expect(refusal(() => labelledFromTable(t, 'txt', 'label')).message).toMatch(
      /"txt" is not one of "text", "label"/,
    );
    expect(refusal(() => labelledFromTable(t, 'text', 'text')).field).toBe('label column');
    const missing = table([
      ['great', 'pos'],
      [null, 'neg'],
    ]);
    expect(refusal(() => labelledFromTable(missing, 'text', 'label')).field).toBe(
      'row 2, column "text"',
    );
    const one = table([
      ['great', 'pos'],
      ['fine', 'pos'],
    ]);
    expect(refusal(() => labelledFromTable(one, 'text', 'label')).message).toMatch(
      /at least two different labels, found "pos"/,
    );
    const huge = table([['x'.repeat(MAX_TEXT_CHARS + 1), 'a']]);
    expect(refusal(() => labelledFromTable(huge, 'text', 'label')).field).toBe(
      'row 1, column "text"',
    );
    const many = table(Array.from({ length: 60 }, (_, i) => [`t${i}`, `l${i}`]));
    expect(refusal(() => labelledFromTable(many, 'text', 'label')).message).toMatch(/60 different/);
  });
});

describe('labelledReport', () => {
  it('counts labels, repeats (also across labels), empty texts and unknown words', () => {
    const set = labelledFromTable(
      table([
        ['Great film!', 'pos'],
        ['great   FILM!', 'neg'],
        ['', 'pos'],
        ['zzyzx film', 'pos'],
        ['great film!', 'pos'],
      ]),
      'text',
      'label',
    );
    const known = new Set(['great', 'film', '!']);
    const r = labelledReport(set, (w) => known.has(w));
    expect(r.rows).toBe(5);
    expect(r.counts).toEqual([1, 3]);
    expect(r.duplicates).toBe(2);
    expect(r.duplicateExamples).toEqual([{ text: 'Great film!', rows: [1, 2, 5] }]);
    expect(r.conflicting).toBe(1);
    expect(r.emptyTexts).toBe(1);
    expect(r.words).toBe(11);
    expect(r.unknownWords).toBe(1);
    expect(r.unknownExamples).toEqual([{ word: 'zzyzx', count: 1 }]);
  });

  it('its counts add up on any table', () => {
    fc.assert(
      fc.property(rows, (rs) => {
        let set;
        try {
          set = labelledFromTable(table(rs), 'text', 'label');
        } catch {
          return; // one label only
        }
        const r = labelledReport(set, () => true);
        expect(r.counts.reduce((s, c) => s + c, 0)).toBe(set.examples.length);
        const distinct = new Set(set.examples.map((e) => normalizeText(e.text))).size;
        expect(r.duplicates).toBe(set.examples.length - distinct);
        expect(r.unknownWords).toBe(0);
      }),
    );
  });
});

describe('stratifiedSplit', () => {
  it('is disjoint, keeps each distinct text once, and puts every label on both sides', () => {
    fc.assert(
      fc.property(rows, fc.integer({ min: 0, max: 1000 }), (rs, seed) => {
        let set;
        let split;
        try {
          set = labelledFromTable(table(rs), 'text', 'label');
          split = stratifiedSplit(set, seed, 0.25);
        } catch (e) {
          expect(e).toBeInstanceOf(DataError); // one label, or a label with one distinct text
          return;
        }
        const key = (e: { text: string }) => normalizeText(e.text);
        const tr = new Set(split.train.map(key));
        const va = new Set(split.validation.map(key));
        expect([...va].filter((k) => tr.has(k))).toEqual([]);
        expect(tr.size + va.size).toBe(split.train.length + split.validation.length);
        expect(tr.size + va.size).toBe(new Set(set.examples.map(key)).size);
        set.labels.forEach((_, l) => {
          expect(split.train.some((e) => e.label === l)).toBe(true);
          expect(split.validation.some((e) => e.label === l)).toBe(true);
        });
      }),
    );
  });

  it('depends on the texts and the seed, not on row order', () => {
    fc.assert(
      fc.property(rows, fc.integer({ min: 0, max: 99 }), (rs, seed) => {
        const distinct = [...new Map(rs.map((r) => [normalizeText(r[0] ?? ''), r])).values()];
        let a;
        try {
          a = stratifiedSplit(labelledFromTable(table(distinct), 'text', 'label'), seed);
        } catch {
          return;
        }
        const b = stratifiedSplit(
          labelledFromTable(table([...distinct].reverse()), 'text', 'label'),
          seed,
        );
        const texts = (xs: readonly { text: string }[]) => xs.map((e) => e.text).sort();
        expect(texts(b.validation)).toEqual(texts(a.validation));
      }),
    );
  });

  it('takes the validation share of each label, and a seed changes which texts', () => {
    const rs = Array.from({ length: 200 }, (_, i) => [`sentence ${i}`, i % 4 === 0 ? 'x' : 'y']);
    const set = labelledFromTable(table(rs), 'text', 'label');
    const s0 = stratifiedSplit(set, 0, 0.2);
    expect(s0.validation.filter((e) => e.label === 0).length).toBe(10);
    expect(s0.validation.filter((e) => e.label === 1).length).toBe(30);
    const s1 = stratifiedSplit(set, 1, 0.2);
    expect(s1.validation.map((e) => e.text)).not.toEqual(s0.validation.map((e) => e.text));
    expect(majorityBaseline(s0)).toEqual({ label: 1, accuracy: 0.75 });
    expect(refusal(() => stratifiedSplit(set, 0, 1)).field).toBe('validationShare');
  });
});
