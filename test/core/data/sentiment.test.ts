import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  DataError,
  SENTIMENT_SOURCES,
  dedupe,
  normalizeText,
  parseSentimentJson,
  parseUciItems,
  splitSentiment,
  type SentimentExample,
} from '../../../src/core/data/index.ts';
import { sentimentJson } from '../../../scripts/lib/sentiment-json.ts';
import { readUciSentences, readUciSplit } from '../../../scripts/lib/uci.ts';

const all = readUciSentences();
const split = readUciSplit();

function digest(examples: readonly SentimentExample[]): string {
  return createHash('sha256')
    .update(examples.map((e) => `${e.source}\t${e.label}\t${e.text}`).join('\n'))
    .digest('hex');
}

describe('UCI sentiment sentences', () => {
  it('has 1,000 sentences per site, 500 of each label, none empty', () => {
    expect(all).toHaveLength(3000);
    for (const s of SENTIMENT_SOURCES) {
      const site = all.filter((e) => e.source === s);
      expect(site).toHaveLength(1000);
      expect(site.filter((e) => e.label === 1)).toHaveLength(500);
    }
    expect(all.every((e) => e.text.trim() === e.text && e.text !== '')).toBe(true);
  });

  it('drops exactly the trailing empty item of each file', () => {
    const file = JSON.parse(
      readFileSync('node_modules/sentiment/test/fixtures/yelp.json', 'utf8'),
    ) as unknown[];
    expect(file).toHaveLength(1001);
    expect(file.at(-1)).toEqual({ text: '', class: null });
    expect(parseUciItems(file, 'yelp')).toHaveLength(1000);
  });

  it('rejects malformed items with the field named', () => {
    expect(() => parseUciItems([{ text: 'ok', class: 2 }], 'amazon')).toThrow(DataError);
    expect(() => parseUciItems([{ text: 'ok', class: 2 }], 'amazon')).toThrow(/amazon\[0\]\.class/);
    expect(() => parseUciItems([{ class: 1 }], 'imdb')).toThrow(/imdb\[0\]\.text/);
    expect(() => parseUciItems({}, 'imdb')).toThrow(DataError);
  });

  it('removes the 21 repeated sentences before splitting', () => {
    expect(dedupe(all)).toHaveLength(2979);
    expect(() => splitSentiment(all)).toThrow(/repeated/);
  });
});

describe('the fixed split', () => {
  it('has 2,379 / 300 / 300 sentences with 50 per (site, label) in validation and test', () => {
    expect([split.train.length, split.validation.length, split.test.length]).toEqual([
      2379, 300, 300,
    ]);
    for (const part of [split.validation, split.test]) {
      for (const s of SENTIMENT_SOURCES) {
        for (const l of [0, 1])
          expect(part.filter((e) => e.source === s && e.label === l)).toHaveLength(50);
      }
    }
    const pos = split.train.filter((e) => e.label === 1).length / split.train.length;
    expect(Math.abs(pos - 0.5)).toBeLessThan(0.01);
  });

  it('never puts one text in two splits', () => {
    const sets = [split.train, split.validation, split.test].map(
      (p) => new Set(p.map((e) => normalizeText(e.text))),
    );
    const [tr, va, te] = sets as [Set<string>, Set<string>, Set<string>];
    for (const t of te) expect(tr.has(t) || va.has(t)).toBe(false);
    for (const t of va) expect(tr.has(t)).toBe(false);
    expect(tr.size + va.size + te.size).toBe(2979);
  });

  it('is the same for the same seed, regardless of input order, and differs for another seed', () => {
    const unique = dedupe(all);
    const again = splitSentiment([...unique].reverse(), split.seed);
    expect(digest([...again.test].reverse())).toBe(digest(split.test));
    const other = splitSentiment(unique, split.seed + 1);
    expect(digest(other.test)).not.toBe(digest(split.test));
  });

  it('matches the recorded snapshot (changing the split changes every published number)', () => {
    expect({
      train: digest(split.train),
      validation: digest(split.validation),
      test: digest(split.test),
    }).toMatchSnapshot();
  });

  it('is what public/data/sentiment.json ships, and parses back to the same split', () => {
    const text = readFileSync('public/data/sentiment.json', 'utf8');
    expect(text).toBe(sentimentJson(split));
    expect(parseSentimentJson(JSON.parse(text))).toEqual(split);
    expect(() =>
      parseSentimentJson({ seed: 1, train: [['x', 2, 0]], validation: [], test: [] }),
    ).toThrow(/sentiment\.train\[0\]/);
  });
});
