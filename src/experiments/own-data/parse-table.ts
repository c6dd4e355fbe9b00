/**
 * Reads a reader's file into a {@link TextTable}: CSV and TSV through Papa Parse (RFC 4180
 * quoting, quotes doubled inside quoted cells, line breaks inside quotes, CRLF or LF), JSON Lines
 * one object per line. A byte-order mark is dropped; the first CSV/TSV row is the header. Pure (a
 * string in, a table out): no DOM, no I/O. Papa Parse is loaded on the first call, so pages that
 * never parse a file never download it.
 *
 * Every refusal is a {@link DataError} that names the row (data rows counted from 1 below the
 * header; for JSON Lines, the record and its line) and, where there is one, the column.
 */
import { DataError } from '../../core/data/errors.ts';
import type { TextTable } from '../../core/data/labelled.ts';

/** The formats read. */
export type TableFormat = 'csv' | 'tsv' | 'jsonl';

/** Most data rows read from one file. */
export const MAX_ROWS = 50_000;

/** Most characters in one file (about 50 MB of text). */
export const MAX_CHARS = 50_000_000;

/**
 * Guesses the format from a file name (`.csv`, `.tsv`/`.tab`, `.jsonl`/`.ndjson`) or, failing
 * that, from the text: a first non-blank character `{` is JSON Lines, a header line with more tabs
 * than commas TSV, anything else CSV.
 */
export function guessFormat(text: string, fileName = ''): TableFormat {
  const ext = /\.([a-z]+)$/i.exec(fileName)?.[1]?.toLowerCase() ?? '';
  if (ext === 'csv') return 'csv';
  if (ext === 'tsv' || ext === 'tab') return 'tsv';
  if (ext === 'jsonl' || ext === 'ndjson') return 'jsonl';
  const body = stripBom(text).trimStart();
  if (body.startsWith('{')) return 'jsonl';
  const first = body.split(/\r?\n/, 1)[0] ?? '';
  const tabs = first.split('\t').length - 1;
  const commas = first.split(',').length - 1;
  return tabs > commas ? 'tsv' : 'csv';
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Parses `text` as `format` ('auto': {@link guessFormat}). */
export async function parseTable(
  text: string,
  format: TableFormat | 'auto' = 'auto',
  fileName = '',
): Promise<TextTable> {
  if (text.length > MAX_CHARS)
    throw new DataError(
      'file',
      `${text.length.toLocaleString('en')} characters, more than ${MAX_CHARS.toLocaleString('en')}`,
    );
  const body = stripBom(text);
  const f = format === 'auto' ? guessFormat(body, fileName) : format;
  if (f === 'jsonl') return parseJsonLines(body);
  const papa = await import('papaparse');
  return parseDelimited(papa.default, body, f === 'tsv' ? '\t' : ',');
}

type Papa = typeof import('papaparse');

/** CSV or TSV with a header row (see the file header). */
export function parseDelimited(papa: Papa, text: string, delimiter: ',' | '\t'): TextTable {
  const name = delimiter === ',' ? 'CSV' : 'TSV';
  const result = papa.parse<string[]>(text, {
    delimiter,
    header: false,
    skipEmptyLines: 'greedy',
    dynamicTyping: false,
  });
  const firstError = result.errors[0];
  if (firstError) {
    // Papa Parse's row count skips blank lines differently from ours: name the line instead.
    const at = (firstError as { index?: number }).index;
    const where = at === undefined ? 'file' : `line ${text.slice(0, at).split('\n').length}`;
    const why =
      firstError.code === 'MissingQuotes'
        ? 'a quoted cell is never closed (a " without its closing ")'
        : firstError.code === 'InvalidQuotes'
          ? 'a quote inside a cell that is not quoted as a whole'
          : firstError.message;
    throw new DataError(where, `${name}: ${why}`);
  }
  const [header, ...rows] = result.data;
  if (!header) throw new DataError('file', `${name}: no header row (the file is empty)`);
  const columns = header.map((c) => c.trim());
  columns.forEach((c, i) => {
    if (c === '') throw new DataError(`header, column ${i + 1}`, `${name}: the column has no name`);
    if (columns.indexOf(c) !== i)
      throw new DataError(`header, column ${i + 1}`, `${name}: ${JSON.stringify(c)} appears twice`);
  });
  if (rows.length === 0) throw new DataError('file', `${name}: a header but no rows`);
  if (rows.length > MAX_ROWS)
    throw new DataError(
      'file',
      `${rows.length.toLocaleString('en')} rows, more than ${MAX_ROWS.toLocaleString('en')}`,
    );
  rows.forEach((cells, i) => {
    if (cells.length > columns.length)
      throw new DataError(
        `row ${i + 1}`,
        `${name}: ${cells.length} cells but the header names ${columns.length} columns` +
          (delimiter === ','
            ? ' (a text with a comma must be in double quotes: "like, this")'
            : ' (a text with a tab must be in double quotes)'),
      );
  });
  return {
    columns,
    rows: rows.map((cells) => columns.map((_, j) => cells[j] ?? null)),
  };
}

/**
 * JSON Lines: one JSON object per line, blank lines skipped. Columns are the keys in the order
 * they first appear; strings are kept, numbers and booleans written as text, null and a missing
 * key give a missing cell; arrays and objects are refused, naming the record and the key.
 */
export function parseJsonLines(text: string): TextTable {
  const columns: string[] = [];
  const records: Record<string, unknown>[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const where = `row ${records.length + 1} (line ${i + 1})`;
    if (records.length >= MAX_ROWS)
      throw new DataError('file', `more than ${MAX_ROWS.toLocaleString('en')} rows`);
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (e) {
      throw new DataError(where, `JSON Lines: not JSON (${(e as Error).message})`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw new DataError(
        where,
        'JSON Lines: each line must be an object like {"text": …, "label": …}',
      );
    const record = value as Record<string, unknown>;
    for (const [key, cell] of Object.entries(record)) {
      if (typeof cell === 'object' && cell !== null)
        throw new DataError(
          `${where}, column ${JSON.stringify(key)}`,
          'JSON Lines: a cell must be a string, number, boolean or null',
        );
      if (!columns.includes(key)) columns.push(key);
    }
    records.push(record);
  });
  if (records.length === 0) throw new DataError('file', 'JSON Lines: no rows');
  return {
    columns,
    rows: records.map((r) =>
      columns.map((c) => {
        const v = r[c];
        return typeof v === 'string'
          ? v
          : typeof v === 'number' || typeof v === 'boolean'
            ? String(v)
            : null;
      }),
    ),
  };
}
