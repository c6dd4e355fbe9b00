import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  DataError,
  SPECIAL_IDS,
  SPECIAL_TOKENS,
  WordTokenizer,
  coverage,
  joinWords,
  splitWords,
} from '../../../src/core/data/index.ts';

const counts = new Map([
  ['the', 10],
  ['movie', 8],
  ['was', 8],
  ['great', 5],
  ['.', 9],
  ['do', 4],
  ["n't", 4],
  ['rare', 1],
]);
const tok = WordTokenizer.train(counts, { vocabSize: 12 });

describe('splitWords', () => {
  it('lowercases, splits punctuation and PTB clitics', () => {
    expect(splitWords("I DON'T like it’s taste, can't you?")).toEqual([
      'i',
      'do',
      "n't",
      'like',
      'it',
      "'s",
      'taste',
      ',',
      'ca',
      "n't",
      'you',
      '?',
    ]);
    expect(splitWords('   ')).toEqual([]);
  });

  it('is idempotent through joinWords', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (s) => {
        const w = splitWords(s);
        expect(splitWords(joinWords(w))).toEqual(w);
      }),
      { numRuns: 300, seed: 7 },
    );
  });
});

describe('WordTokenizer', () => {
  it('puts the special tokens first and words by count, rare ones left out', () => {
    expect(tok.vocab.slice(0, 5)).toEqual([...SPECIAL_TOKENS]);
    expect(tok.vocab.slice(5)).toEqual(['the', '.', 'movie', 'was', 'great', 'do', "n't"]);
    expect(tok.tokenId('rare')).toBe(SPECIAL_IDS.unk);
  });

  it('encodes to <s> … </s> <pad>… with a matching attention mask', () => {
    const e = tok.encode("The movie wasn't great.", 10);
    // <s> the movie was n't great . </s> <pad> <pad>
    expect(Array.from(e.inputIds)).toEqual([0, 5, 7, 8, 11, 9, 6, 2, 1, 1]);
    expect(Array.from(e.attentionMask)).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 0, 0]);
    expect(e.length).toBe(6);
    expect(e.truncated).toBe(false);
  });

  it('truncates so that </s> always fits', () => {
    const e = tok.encode('the the the the the', 4);
    expect(Array.from(e.inputIds)).toEqual([SPECIAL_IDS.bos, 5, 5, SPECIAL_IDS.eos]);
    expect(e.truncated).toBe(true);
    expect(() => tok.encode('x', 1)).toThrow(/maxLen/);
  });

  it('round-trips in-vocabulary text through encode/decode and JSON', () => {
    const text = "the movie was n't great.";
    const e = tok.encode(text, 16);
    expect(splitWords(tok.decode(e.inputIds))).toEqual(splitWords(text));
    const again = WordTokenizer.fromJSON(JSON.parse(JSON.stringify(tok.toJSON())));
    expect(again.vocab).toEqual(tok.vocab);
    expect(Array.from(again.encode(text, 16).inputIds)).toEqual(Array.from(e.inputIds));
  });

  it('keeps <unk> in decoded text and rejects ids outside the vocabulary', () => {
    expect(tok.decode(tok.encode('the rare movie', 8).inputIds)).toBe('the <unk> movie');
    expect(() => tok.decode([99])).toThrow(/ids\[0\]/);
  });

  it('rejects bad vocabularies and JSON with a clear error', () => {
    expect(() => new WordTokenizer(['a', 'b'])).toThrow(DataError);
    expect(() => new WordTokenizer([...SPECIAL_TOKENS, 'x', 'x'])).toThrow(/duplicate/);
    expect(() => WordTokenizer.fromJSON({ type: 'bpe' })).toThrow(/tokenizer\.type/);
    expect(() => WordTokenizer.train(counts, { vocabSize: 3 })).toThrow(/vocabSize/);
  });

  it('measures coverage as known tokens over all tokens', () => {
    const c = coverage(tok, ['the movie', 'the rare movie']);
    expect(c.tokens).toBe(5);
    expect(c.tokenCoverage).toBeCloseTo(4 / 5, 12);
    expect(c.fullyCoveredTexts).toBe(0.5);
  });
});
