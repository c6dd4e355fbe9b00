/// <reference lib="webworker" />
/**
 * Reads a large file off the page's thread: one message `{id, text, format, name}` in, the
 * table (or the refusal's field and message) out. Started by {@link readTable} (read-table.ts).
 */
import { DataError } from '../../core/data/errors.ts';
import { parseTable } from './parse-table.ts';
import type { ParseReply, ParseRequest } from './read-table.ts';

const scope = self as unknown as DedicatedWorkerGlobalScope;
scope.addEventListener('message', (e: MessageEvent<ParseRequest>) => {
  const { id, text, format, name } = e.data;
  parseTable(text, format, name).then(
    (table) => {
      scope.postMessage({ id, table } satisfies ParseReply);
    },
    (error: unknown) => {
      const field = error instanceof DataError ? error.field : null;
      const message = error instanceof Error ? error.message : String(error);
      scope.postMessage({ id, error: { field, message } } satisfies ParseReply);
    },
  );
});
