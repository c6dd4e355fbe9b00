/**
 * The own-data lesson's file reader: generated tables written as CSV, TSV and JSON Lines (quoted
 * cells with delimiters, quotes and line breaks inside, CRLF or LF, a byte-order mark, huge cells)
 * read back to the same cells; malformed files refused naming the row or line and the column.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DataError } from '../../../src/core/data/errors.ts';
import {
  guessFormat,
  MAX_ROWS,
  parseTable,
  type TableFormat,
} from '../../../src/experiments/own-data/parse-table.ts';
import { readTable } from '../../../src/experiments/own-data/read-table.ts';

/** A cell: any text, often with the characters that need quoting. */
const cell = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc
    .array(fc.constantFrom('a', 'b', ' ', ',', '\t', '"', '\n', '\r\n', 'é', '😀', "'"), {
      maxLength: 12,
    })
    .map((xs) => xs.join('')),
);

/**
 * A table whose rows are never wholly blank (those are skipped as blank lines). Column names are
 * never array indices ("0", "12"): a JavaScript object lists those keys first, whatever the file.
 */
const table = fc.integer({ min: 1, max: 4 }).chain((width) =>
  fc.record({
    columns: fc.uniqueArray(
      fc
        .string({ minLength: 1, maxLength: 8 })
        .filter((s) => s.trim() === s && s !== '' && !/^(0|[1-9]\d*)$/.test(s)),
      { minLength: width, maxLength: width },
    ),
    rows: fc.array(
      fc
        .array(cell, { minLength: width, maxLength: width })
        .filter((r) => r.some((c) => c.trim() !== '')),
      { minLength: 1, maxLength: 12 },
    ),
  }),
);

function quote(c: string): string {
  return `"${c.replace(/"/g, '""')}"`;
}

function writeDelimited(
  t: { columns: string[]; rows: string[][] },
  d: string,
  eol: string,
  bom: boolean,
): string {
  const line = (cells: string[]) => cells.map(quote).join(d);
  return (bom ? '\uFEFF' : '') + [line(t.columns), ...t.rows.map(line)].join(eol) + eol;
}

function writeJsonLines(t: { columns: string[]; rows: string[][] }, eol: string): string {
  return t.rows
    .map((r) => JSON.stringify(Object.fromEntries(t.columns.map((c, i) => [c, r[i]]))))
    .join(eol);
}

async function refusal(text: string, format: TableFormat | 'auto' = 'auto'): Promise<DataError> {
  try {
    await parseTable(text, format);
  } catch (e) {
    expect(e).toBeInstanceOf(DataError);
    return e as DataError;
  }
  throw new Error(`parsed without complaint: ${JSON.stringify(text)}`);
}

describe('parseTable', () => {
  it('reads back any generated table as CSV and TSV (quotes, delimiters, line breaks, CRLF, BOM)', async () => {
    await fc.assert(
      fc.asyncProperty(
        table,
        fc.constantFrom(',', '\t'),
        fc.constantFrom('\n', '\r\n'),
        fc.boolean(),
        async (t, d, eol, bom) => {
          const text = writeDelimited(t, d, eol, bom);
          const got = await parseTable(text, d === ',' ? 'csv' : 'tsv');
          expect(got.columns).toEqual(t.columns);
          expect(got.rows).toEqual(t.rows);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('reads back any generated table as JSON Lines, with its format guessed', async () => {
    await fc.assert(
      fc.asyncProperty(table, fc.constantFrom('\n', '\r\n'), async (t, eol) => {
        const text = writeJsonLines(t, eol);
        expect(guessFormat(text)).toBe('jsonl');
        const got = await parseTable(text);
        expect(got.columns).toEqual(t.columns);
        expect(got.rows).toEqual(t.rows);
      }),
      { numRuns: 100 },
    );
  });

  it('reads unquoted CSV with a BOM and CRLF, and guesses TSV from tabs', async () => {
    const csv = '\uFEFFtext,label\r\ngreat film,pos\r\n\r\nawful,neg\r\n';
    expect(await parseTable(csv)).toEqual({
      columns: ['text', 'label'],
      rows: [
        ['great film', 'pos'],
        ['awful', 'neg'],
      ],
    });
    const tsv = 'text\tlabel\nit was fine, really\tpos\n';
    expect(guessFormat(tsv)).toBe('tsv');
    expect((await parseTable(tsv)).rows).toEqual([['it was fine, really', 'pos']]);
    expect(guessFormat('a,b', 'x.tsv')).toBe('tsv');
    expect(guessFormat('{}', 'x.csv')).toBe('csv');
  });

  it('keeps a huge cell whole (200,000 characters with quotes and line breaks)', async () => {
    const big = 'word, "quoted"\n'.repeat(200_000 / 15);
    const got = await parseTable(`text,label\n${quote(big)},a\nshort,b\n`, 'csv');
    expect(got.rows[0]?.[0]).toBe(big);
    expect(got.rows[1]).toEqual(['short', 'b']);
  });

  it('gives a short row missing cells (null) and refuses a long one, naming the row', async () => {
    const got = await parseTable('text,label,extra\nhello,a\n', 'csv');
    expect(got.rows).toEqual([['hello', 'a', null]]);
    const e = await refusal('text,label\nfine,a\nhello, world,b\n', 'csv');
    expect(e.field).toBe('row 2');
    expect(e.message).toMatch(/3 cells but the header names 2 columns/);
  });

  it('names the line of a quote that is never closed', async () => {
    const e = await refusal('text,label\nok,a\n"never closed,b\nmore,c\n', 'csv');
    expect(e.field).toBe('line 3');
    expect(e.message).toMatch(/never closed/);
  });

  it('refuses headers without names or with a name twice, and empty files', async () => {
    expect((await refusal('text,,label\na,b,c\n', 'csv')).field).toBe('header, column 2');
    expect((await refusal('a,b,a\n1,2,3\n', 'csv')).field).toBe('header, column 3');
    expect((await refusal('', 'csv')).message).toMatch(/no header row/);
    expect((await refusal('text,label\n', 'csv')).message).toMatch(/no rows/);
    expect((await refusal('\n\n', 'jsonl')).message).toMatch(/no rows/);
  });

  it('names the record and line of bad JSON Lines', async () => {
    const lines = '{"text": "a", "label": 1}\n\n{"text": "b", "label": 2\n';
    const e = await refusal(lines, 'jsonl');
    expect(e.field).toBe('row 2 (line 3)');
    expect(e.message).toMatch(/not JSON/);
    expect((await refusal('[1, 2]\n', 'jsonl')).message).toMatch(/must be an object/);
    const nested = await refusal('{"text": "a", "label": {"x": 1}}\n', 'jsonl');
    expect(nested.field).toBe('row 1 (line 1), column "label"');
  });

  it('writes JSON numbers and booleans as text, null and missing keys as missing cells', async () => {
    const got = await parseTable('{"t": "a", "l": 1}\n{"t": "b", "l": true, "x": null}\n{"l": 0}');
    expect(got.columns).toEqual(['t', 'l', 'x']);
    expect(got.rows).toEqual([
      ['a', '1', null],
      ['b', 'true', null],
      [null, '0', null],
    ]);
  });

  it(`reads ${(20_000).toLocaleString('en')} rows and refuses more than ${MAX_ROWS.toLocaleString('en')}`, async () => {
    const rows = (n: number) =>
      'text,label\n' +
      Array.from({ length: n }, (_, i) => `sentence number ${i},${i % 3}`).join('\n');
    const got = await parseTable(rows(20_000));
    expect(got.rows.length).toBe(20_000);
    expect(got.rows[19_999]).toEqual(['sentence number 19999', '1']);
    expect((await refusal(rows(MAX_ROWS + 1))).message).toMatch(/more than 50,000/);
  });

  it('readTable reads on this thread where there is no Worker (Node), with the same result', async () => {
    const text = 'text,label\n"a, b",x\nc,y\n';
    const got = await readTable(text, 'auto', '', { offThreadChars: 1 });
    expect(got.offThread).toBe(false);
    expect({ columns: got.columns, rows: got.rows }).toEqual(await parseTable(text));
  });
});
