/**
 * Typed URL state (src/cells/kit/url-state.ts, url-state-page.ts): defaults, refused values named
 * and replaced by their default, other parameters never thrown away.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  between,
  describeProblems,
  integer,
  oneOf,
  readUrlState,
  text,
  writeUrlState,
} from '../../../src/cells/kit/url-state.ts';
import { UrlState } from '../../../src/cells/kit/url-state-page.ts';

const schema = {
  scheme: oneOf(['default', 'pissa', 'zeros'], 'default'),
  scale: between(0.05, 2, 0.5),
  r: oneOf([1, 2, 4, 8, 16], 4),
  lr: oneOf([0.0003, 0.001, 0.01], 0.01),
  seed: integer(0, 99, 0),
  note: text(),
};

describe('readUrlState', () => {
  it('an empty address gives every default and no problems', () => {
    const { values, problems } = readUrlState(schema, '');
    expect(values).toEqual({
      scheme: 'default',
      scale: 0.5,
      r: 4,
      lr: 0.01,
      seed: 0,
      note: null,
    });
    expect(problems).toEqual([]);
  });

  it('reads valid values with their types', () => {
    const { values, problems } = readUrlState(
      schema,
      '?scheme=pissa&scale=1.25&r=16&lr=0.001&seed=42&note=hi%20there',
    );
    expect(values).toEqual({
      scheme: 'pissa',
      scale: 1.25,
      r: 16,
      lr: 0.001,
      seed: 42,
      note: 'hi there',
    });
    expect(typeof values.r).toBe('number');
    expect(problems).toEqual([]);
  });

  it('a number option matches however it is written (1e-3 is 0.001)', () => {
    expect(readUrlState(schema, 'lr=1e-3&r=08').values).toMatchObject({ lr: 0.001, r: 8 });
  });

  it('names every refused value and falls back to its default', () => {
    const { values, problems } = readUrlState(
      schema,
      'scheme=evil&scale=9&r=3&seed=1.5&lr=&unrelated=1',
    );
    expect(values).toMatchObject({ scheme: 'default', scale: 0.5, r: 4, seed: 0, lr: 0.01 });
    expect(problems.map((p) => p.name)).toEqual(['scheme', 'scale', 'r', 'lr', 'seed']);
    expect(describeProblems(schema, problems)).toEqual([
      'scheme=evil is not one of default, pissa, zeros: using default',
      'scale=9 is not a number from 0.05 to 2: using 0.5',
      'r=3 is not one of 1, 2, 4, 8, 16: using 4',
      'lr= is not one of 0.0003, 0.001, 0.01: using 0.01',
      'seed=1.5 is not a whole number from 0 to 99: using 0',
    ]);
  });

  it('refuses text that only looks numeric (blank, Infinity, hex, out of range)', () => {
    for (const raw of [' ', 'Infinity', '0x1', 'NaN', '2.0001', '-1'])
      expect(readUrlState(schema, `scale=${encodeURIComponent(raw)}`).values.scale).toBe(0.5);
    for (const raw of ['100', '-1', '1e1', ' 3', 'abc'])
      expect(readUrlState(schema, `seed=${encodeURIComponent(raw)}`).values.seed).toBe(0);
    for (const raw of ['0x2', ' 2', '2 ', ''])
      expect(readUrlState(schema, `r=${encodeURIComponent(raw)}`).values.r).toBe(4);
  });
});

describe('writeUrlState', () => {
  it('writes the values and keeps every other parameter in its place', () => {
    const { search, skipped } = writeUrlState(
      schema,
      { r: 8, seed: 3 },
      '?backend=wasm&r=2&test=1',
    );
    expect(search).toBe('backend=wasm&r=8&test=1&seed=3');
    expect(skipped).toEqual([]);
  });

  it('what it writes reads back to the same values', () => {
    const values = {
      scheme: 'zeros',
      scale: 0.35,
      r: 1,
      lr: 0.0003,
      seed: 99,
      note: 'a&b=c',
    } as const;
    const { search } = writeUrlState(schema, values, '');
    expect(readUrlState(schema, search)).toEqual({ values, problems: [] });
  });

  it('leaves out a value it could not read back, and says so; null removes a field', () => {
    const { search, skipped } = writeUrlState(schema, { scale: 5, note: null }, 'scale=1&note=x');
    expect(search).toBe('');
    expect(skipped).toEqual([{ name: 'scale', raw: '5', expects: 'a number from 0.05 to 2' }]);
  });

  it('a name the schema lacks is an error (a typo in the cell)', () => {
    expect(() => writeUrlState(schema, { rank: 4 } as never, '')).toThrow(
      /"rank" is not in the schema/,
    );
  });
});

describe('UrlState (the built-in, on the page’s address)', () => {
  afterEach(() => {
    history.replaceState(null, '', '/');
  });

  it('reads location.search and writes with replaceState, keeping the hash and other params', () => {
    history.replaceState(null, '', '/lessons/x/?backend=cpu&r=16#share=abc');
    const length = history.length;
    expect(UrlState.read(schema).values.r).toBe(16);
    const written = UrlState.write(schema, { r: 2, seed: 7 });
    expect(written.search).toBe('backend=cpu&r=2&seed=7');
    expect(location.pathname + location.search + location.hash).toBe(
      '/lessons/x/?backend=cpu&r=2&seed=7#share=abc',
    );
    expect(history.length).toBe(length);
  });
});
