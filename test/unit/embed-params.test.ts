import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  clampNumber,
  coerceParam,
  embedQuery,
  literalBounds,
  MAX_INPUTS,
  MAX_VALUE_LENGTH,
  parseEmbedParams,
} from '../../src/cells/embed-params.ts';
import {
  embedSnippet,
  escapeAttribute,
  HOST_RESIZE_SCRIPT,
  iframeSnippet,
} from '../../src/cells/embed-snippet.ts';

describe('parseEmbedParams', () => {
  it('reads the options and the inputs, in URL order', () => {
    const p = parseEmbedParams('?r=8&seed=3&init=zeros&code=hide&controls=hide&theme=dark');
    expect(p.options).toEqual({ code: 'hide', controls: 'hide', theme: 'dark' });
    expect([...p.inputs]).toEqual([
      ['r', '8'],
      ['seed', '3'],
      ['init', 'zeros'],
    ]);
    expect(p.problems).toEqual([]);
  });

  it('defaults: code and controls shown, theme from the system', () => {
    const p = parseEmbedParams('');
    expect(p.options).toEqual({ code: 'show', controls: 'show', theme: null });
    expect(p.inputs.size).toBe(0);
    expect(parseEmbedParams('?theme=auto').options.theme).toBeNull();
  });

  it('never passes test/backend through as inputs', () => {
    const p = parseEmbedParams('?test=1&backend=cpu&r=2');
    expect([...p.inputs.keys()]).toEqual(['r']);
  });

  it('reports nonsense options and falls back to the default', () => {
    const p = parseEmbedParams('?code=maybe&controls=0&theme=purple');
    expect(p.options).toEqual({ code: 'show', controls: 'show', theme: 'light' });
    expect(p.problems).toHaveLength(3);
    expect(p.problems[0]).toMatch(/“code=maybe” is not one of show, fold, hide/);
    expect(p.problems[2]).toMatch(/theme=purple/);
  });

  it('refuses bad names, long values and too many inputs, naming each', () => {
    const long = 'x'.repeat(MAX_VALUE_LENGTH + 1);
    const p = parseEmbedParams(
      new URLSearchParams([
        ['1abc', '2'],
        ['<script>', '2'],
        ['big', long],
        ['ok', 'y'.repeat(MAX_VALUE_LENGTH)],
      ]),
    );
    expect([...p.inputs.keys()]).toEqual(['ok']);
    expect(p.problems).toHaveLength(3);
    expect(p.problems[2]).toMatch(
      new RegExp(`“big” is ${String(MAX_VALUE_LENGTH + 1)} characters`),
    );
    const many = new URLSearchParams(
      Array.from({ length: MAX_INPUTS + 3 }, (_, i): [string, string] => [`v${String(i)}`, '1']),
    );
    const q = parseEmbedParams(many);
    expect(q.inputs.size).toBe(MAX_INPUTS);
    expect(q.problems).toHaveLength(3);
  });

  it('keeps the first of a repeated name', () => {
    expect(parseEmbedParams('?r=2&r=9').inputs.get('r')).toBe('2');
  });
});

describe('clampNumber', () => {
  const bounds = { min: 1, max: 8, step: 1 };
  it('leaves allowed values alone', () => {
    for (let v = 1; v <= 8; v++)
      expect(clampNumber('r', v, bounds)).toEqual({ value: v, note: null });
  });
  it('clamps to the bounds and says so', () => {
    expect(clampNumber('r', -1, bounds)).toEqual({
      value: 1,
      note: '“r=-1” is below the minimum 1; using 1.',
    });
    expect(clampNumber('r', 1e9, bounds).value).toBe(8);
    expect(clampNumber('r', 1e9, bounds).note).toMatch(/above the maximum 8/);
  });
  it('snaps to the step from the minimum, without float noise', () => {
    expect(clampNumber('s', 0.33, { min: 0, max: 2, step: 0.05 }).value).toBe(0.35);
    expect(clampNumber('s', 0.3, { min: 0, max: 2, step: 0.05 })).toEqual({
      value: 0.3,
      note: null,
    });
    expect(clampNumber('x', 4, { min: 1, max: 10, step: 2 }).value).toBe(5); // 1, 3, 5, …
    expect(clampNumber('x', 4.5, { min: 1, max: 10, step: 2 }).note).toMatch(/step 2/);
    // A step that does not divide the range never snaps above the maximum.
    expect(clampNumber('x', 10, { min: 0, max: 10, step: 3 }).value).toBe(9);
  });
  it('property: the result is in bounds and on the step grid', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -1e6, max: 1e6, noNaN: true }),
        fc.integer({ min: -50, max: 50 }),
        fc.integer({ min: 1, max: 100 }),
        fc.constantFrom(0.01, 0.05, 0.5, 1, 3),
        (v, lo, span, step) => {
          const max = lo + span;
          const out = clampNumber('v', v, { min: lo, max, step }).value;
          expect(out).toBeGreaterThanOrEqual(lo);
          expect(out).toBeLessThanOrEqual(max + 1e-9);
          const k = (out - lo) / step;
          expect(Math.abs(k - Math.round(k))).toBeLessThan(1e-6);
        },
      ),
    );
  });
});

describe('coerceParam', () => {
  it('converts to the type of the current value', () => {
    expect(coerceParam('r', '8', 2)).toEqual({ ok: true, value: 8, note: null });
    expect(coerceParam('lr', '3e-4', 0.01)).toEqual({ ok: true, value: 0.0003, note: null });
    expect(coerceParam('init', 'zeros', 'gaussian')).toEqual({
      ok: true,
      value: 'zeros',
      note: null,
    });
    expect(coerceParam('on', 'yes', false)).toEqual({ ok: true, value: true, note: null });
    expect(coerceParam('on', '0', true)).toEqual({ ok: true, value: false, note: null });
  });
  it('clamps numbers to the control', () => {
    const c = coerceParam('r', '100', 2, { min: 1, max: 8, step: 1 });
    expect(c).toEqual({ ok: true, value: 8, note: '“r=100” is above the maximum 8; using 8.' });
  });
  it('refuses what is not a number, a boolean or settable, keeping the current value', () => {
    for (const raw of ['abc', '', 'NaN', 'Infinity', '1e999', '0x10', '8px', '--1']) {
      const c = coerceParam('r', raw, 2);
      expect(c.ok).toBe(false);
      if (!c.ok) expect(c.message).toMatch(/is not a number; keeping 2/);
    }
    expect(coerceParam('on', 'perhaps', true).ok).toBe(false);
    const obj = coerceParam('layer', '{}', { dIn: 768 });
    expect(obj).toEqual({
      ok: false,
      message: '“layer” cannot be set from the address (its value is an object).',
    });
  });
});

describe('embedQuery', () => {
  it('writes inputs, then non-default options', () => {
    expect(embedQuery({ r: 8, seed: 3, init: 'zeros' }, { code: 'hide', theme: 'dark' })).toBe(
      '?r=8&seed=3&init=zeros&code=hide&theme=dark',
    );
    expect(embedQuery({}, { code: 'show', controls: 'show' })).toBe('');
  });
  it('refuses reserved names and non-finite numbers', () => {
    expect(() => embedQuery({ code: 1 })).toThrow(/“code” cannot be an input/);
    expect(() => embedQuery({ r: Number.NaN })).toThrow(/NaN, not a finite number/);
  });
  it('round-trips through parseEmbedParams', () => {
    const name = fc
      .stringMatching(/^[A-Za-z_][\w]{0,10}$/)
      .filter((n) => !['code', 'controls', 'theme', 'test', 'backend'].includes(n));
    const value = fc.oneof(
      fc.string({ maxLength: 50 }),
      fc.integer(),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.boolean(),
    );
    fc.assert(
      fc.property(fc.dictionary(name, value, { maxKeys: 10 }), (inputs) => {
        const parsed = parseEmbedParams(embedQuery(inputs));
        expect(parsed.problems).toEqual([]);
        expect(Object.fromEntries(parsed.inputs)).toEqual(
          Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, String(v)])),
        );
      }),
    );
  });
});

describe('embed snippet', () => {
  it('escapes attributes', () => {
    expect(escapeAttribute('a"b<c>&')).toBe('a&quot;b&lt;c&gt;&amp;');
  });
  it('makes an iframe marked for the resize script, with the URL and title escaped', () => {
    const html = iframeSnippet({
      src: 'https://example.org/embed/l/r/?a=1&b="x"',
      title: 'Cell "r" <1>',
      height: 300.4,
    });
    expect(html).toContain('src="https://example.org/embed/l/r/?a=1&amp;b=%22x%22"');
    expect(html).toContain('title="Cell &quot;r&quot; &lt;1&gt;"');
    expect(html).toContain('height="300"');
    expect(html).toContain('data-lora-embed');
    expect(() => iframeSnippet({ src: '/embed/l/r/', title: 't' })).toThrow();
    expect(() => iframeSnippet({ src: 'javascript:alert(1)', title: 't' })).toThrow(/http\(s\)/);
  });
  it('copies the iframe and the ~10-line resize script', () => {
    const s = embedSnippet({ src: 'http://127.0.0.1:4321/embed/l/r/', title: 't' });
    expect(s.startsWith('<iframe ')).toBe(true);
    expect(s.endsWith(HOST_RESIZE_SCRIPT)).toBe(true);
    expect(HOST_RESIZE_SCRIPT.split('\n').length).toBeLessThanOrEqual(12);
  });
  it('the resize script sizes only the frame that sent the message, within limits', () => {
    const body = /<script>([\s\S]*)<\/script>/.exec(HOST_RESIZE_SCRIPT)?.[1] ?? '';
    let handler: ((e: { data: unknown; source: unknown }) => void) | null = null;
    const frames = [
      { contentWindow: 'A', style: { height: '' } },
      { contentWindow: 'B', style: { height: '' } },
    ];
    // The script's own text, run as a host page would, with a stand-in window and document.
    runInNewContext(body, {
      addEventListener: (_type: string, f: (e: { data: unknown; source: unknown }) => void) => {
        handler = f;
      },
      document: { querySelectorAll: () => frames },
    });
    const send = (data: unknown, source: string): void => {
      handler?.({ data, source });
    };
    send({ type: 'lora-embed:height', height: 412.2 }, 'B');
    expect(frames.map((f) => f.style.height)).toEqual(['', '413px']);
    send({ type: 'lora-embed:height', height: 1e9 }, 'A');
    expect(frames[0]?.style.height).toBe('20000px');
    send({ type: 'other', height: 5 }, 'A');
    send({ type: 'lora-embed:height', height: 'NaN' }, 'A');
    send(null, 'A');
    expect(frames[0]?.style.height).toBe('20000px');
  });
});

describe('literal cells from the address are bounded', () => {
  it('a whole-number literal takes whole numbers within ±max(1000, 100·|value|)', () => {
    const bounds = literalBounds(4);
    expect(coerceParam('steps', '1e12', 4, bounds)).toMatchObject({ ok: true, value: 1000 });
    expect(coerceParam('steps', '-1e12', 4, bounds)).toMatchObject({ ok: true, value: -1000 });
    expect(coerceParam('steps', '7.6', 4, bounds)).toMatchObject({ ok: true, value: 8 });
    expect(coerceParam('steps', '12', 4, bounds)).toEqual({ ok: true, value: 12, note: null });
    expect(literalBounds(50_000).max).toBe(5_000_000);
  });

  it('a fractional literal keeps its fractions, within the same bound', () => {
    expect(coerceParam('lr', '0.003', 0.01, literalBounds(0.01))).toMatchObject({ value: 0.003 });
    expect(coerceParam('lr', '1e9', 0.01, literalBounds(0.01))).toMatchObject({ value: 1000 });
  });
});
