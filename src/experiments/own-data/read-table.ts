/**
 * {@link parseTable}, off the page's thread for a large text: where the browser has Web Workers
 * and the text has `offThreadChars` characters or more, a module worker (parse-worker.ts) parses
 * it, so a 50 MB file does not freeze the page; otherwise (small texts, Node, jsdom) it is parsed
 * here. Both give the same table and the same refusals (a {@link DataError} naming row and column).
 */
import { DataError } from '../../core/data/errors.ts';
import type { TextTable } from '../../core/data/labelled.ts';
import { parseTable, type TableFormat } from './parse-table.ts';

/** Texts this long or longer are parsed off the page's thread (where there are workers). */
export const OFF_THREAD_CHARS = 1_000_000;

/** The worker's request. */
export interface ParseRequest {
  readonly id: number;
  readonly text: string;
  readonly format: TableFormat | 'auto';
  readonly name: string;
}

/** The worker's answer: the table, or the refusal's field (null: not a DataError) and message. */
export type ParseReply =
  | { readonly id: number; readonly table: TextTable }
  | { readonly id: number; readonly error: { field: string | null; message: string } };

/** A table, and whether a worker read it. */
export interface ReadTable extends TextTable {
  readonly offThread: boolean;
}

let worker: Worker | null = null;
let nextId = 1;

/** Parses `text` (see the file header); `offThreadChars` defaults to {@link OFF_THREAD_CHARS}. */
export async function readTable(
  text: string,
  format: TableFormat | 'auto' = 'auto',
  name = '',
  opts: { readonly offThreadChars?: number } = {},
): Promise<ReadTable> {
  const limit = opts.offThreadChars ?? OFF_THREAD_CHARS;
  if (typeof Worker !== 'function' || text.length < limit)
    return { ...(await parseTable(text, format, name)), offThread: false };
  worker ??= new Worker(new URL('./parse-worker.ts', import.meta.url), {
    type: 'module',
    name: 'lora-own-data-parser',
  });
  const w = worker;
  const id = nextId++;
  const reply = await new Promise<ParseReply>((resolve, reject) => {
    const onMessage = (e: MessageEvent<ParseReply>) => {
      if (e.data.id !== id) return;
      w.removeEventListener('message', onMessage);
      w.removeEventListener('error', onError);
      resolve(e.data);
    };
    const onError = (e: ErrorEvent) => {
      w.removeEventListener('message', onMessage);
      w.removeEventListener('error', onError);
      worker = null;
      w.terminate();
      reject(new Error(`the file reader's worker failed: ${e.message || 'no message'}`));
    };
    w.addEventListener('message', onMessage);
    w.addEventListener('error', onError);
    w.postMessage({ id, text, format, name } satisfies ParseRequest);
  });
  if ('table' in reply) return { ...reply.table, offThread: true };
  const { field, message } = reply.error;
  if (field === null) throw new Error(message);
  throw new DataError(
    field,
    message.startsWith(`${field}: `) ? message.slice(field.length + 2) : message,
  );
}
