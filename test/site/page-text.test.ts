// @vitest-environment jsdom
/**
 * The site's pages in the Japanese edition (src/views/): the data page's Japanese of the sentences
 * it reads from the shipped model files (the same numbers, and one for every sentence the page
 * shows now), the instructors' catalogue in the Japanese lessons' own words, and an embed's
 * start-up message in the page's edition. The English words stay as they were (the e2e tests
 * read them).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FILE_SENTENCES_JA, fromFile } from '../../src/views/data-text.ts';
import {
  demoTitle,
  firstSentenceJa,
  inputPhraseIn,
  instructorsText,
} from '../../src/views/instructors-text.ts';
import { inputPhrase } from '../../src/cells/catalogue.ts';
import { numbersIn } from './editions/compare.ts';

const root = join(import.meta.dirname, '..', '..');
const readJson = (rel: string): unknown => JSON.parse(readFileSync(join(root, rel), 'utf8'));

describe('the data page in Japanese', () => {
  it('states the same numbers as the English in each translated sentence of the model files', () => {
    for (const [english, japanese] of Object.entries(FILE_SENTENCES_JA)) {
      expect(numbersIn(japanese), english).toEqual(numbersIn(english));
      expect(japanese).toMatch(/[\u3000-\u30ff\u4e00-\u9fff\uff00-\uffef]/);
    }
  });

  it('has Japanese for every sentence it shows from the shipped manifest.json and eval.json', () => {
    const manifest = readJson('public/models/tiny-roberta/manifest.json') as {
      note: string;
      backend: string;
      decontamination: string;
      corpus: { licence: string }[];
      training: Record<string, unknown>;
      evaluation: { what: string };
    };
    const evaluation = readJson('public/models/tiny-roberta/eval.json') as {
      note?: string;
      frozenNote?: string;
    };
    const shown = [
      manifest.note,
      manifest.backend,
      manifest.decontamination,
      ...manifest.corpus.map((c) => c.licence),
      ...['objective', 'optimizer', 'schedule', 'wordEmbeddings'].map((k) => manifest.training[k]),
      manifest.evaluation.what,
      evaluation.note,
      evaluation.frozenNote,
    ].filter((s): s is string => typeof s === 'string');
    const missing = shown.filter((s) => fromFile('ja', s).lang !== 'ja');
    // A model file written anew: add the Japanese of its sentences to src/views/data-text.ts.
    expect(missing).toEqual([]);
  });

  it('shows an untranslated sentence in English, marked as English, and English as it is', () => {
    expect(fromFile('ja', 'A sentence nobody translated.')).toEqual({
      text: 'A sentence nobody translated.',
      lang: 'en',
    });
    expect(fromFile('en', 'The planned number of steps was reached.')).toEqual({
      text: 'The planned number of steps was reached.',
      lang: 'en',
    });
  });
});

describe('the instructors’ catalogue in Japanese', () => {
  it('keeps the English titles and input phrases as they were', () => {
    expect(demoTitle('en', 'How small is the correction?', 'figure')).toBe(
      'How small is the correction?: figure',
    );
    const input = { param: 'r', label: 'rank r', kind: 'slider' };
    expect(inputPhraseIn('en', input)).toBe(inputPhrase(input));
    expect(inputPhraseIn('en', input)).toBe('rank r (slider, ?r=…)');
  });

  it('says what a cell makes and what its inputs are in Japanese', () => {
    expect(demoTitle('ja', '補正はどれだけ小さいのか', 'figure')).toBe(
      '補正はどれだけ小さいのか（図）',
    );
    expect(inputPhraseIn('ja', { param: 'r', label: 'ランク r', kind: 'slider' })).toBe(
      'ランク r（スライダー、?r=…）',
    );
    expect(inputPhraseIn('ja', { param: 'alpha', label: null, kind: 'value in the code' })).toBe(
      'alpha（コード中の値、?alpha=…）',
    );
  });

  it('cuts a lead paragraph at its first Japanese full stop', () => {
    expect(firstSentenceJa('下のセルはスライダーを作ります。その値にrと名付けます。')).toBe(
      '下のセルはスライダーを作ります。',
    );
    expect(firstSentenceJa('句点のない文')).toBe('句点のない文');
  });

  it('names a preview frame in the page’s edition', () => {
    document.documentElement.lang = 'ja';
    expect(instructorsText().previewFallback).toBe('ライブセル');
    document.documentElement.lang = 'en';
    expect(instructorsText().previewFallback).toBe('Live cell');
  });
});

describe('an embed that cannot start', () => {
  afterEach(() => {
    vi.doUnmock('../../src/cells/client/embed.ts');
    vi.resetModules();
    document.body.innerHTML = '';
    document.documentElement.lang = 'en';
  });

  it('says so in the page’s edition', async () => {
    vi.doMock('../../src/cells/client/embed.ts', () => ({
      mountEmbed: () => Promise.reject(new Error('no WebAssembly')),
    }));
    const { startEmbed } = await import('../../src/pages/embed/_start-embed.ts');
    for (const [lang, message] of [
      ['en', 'This live cell could not start (no WebAssembly). Reload the page to try again.'],
      [
        'ja',
        'このライブセルを開始できませんでした（no WebAssembly）。ページを再読み込みして、もう一度お試しください。',
      ],
    ] as const) {
      document.documentElement.lang = lang;
      document.body.innerHTML = '<main data-embed-root></main>';
      await expect(startEmbed()).rejects.toThrow('no WebAssembly');
      expect(document.querySelector('[role="alert"]')?.textContent).toBe(message);
    }
  });
});
