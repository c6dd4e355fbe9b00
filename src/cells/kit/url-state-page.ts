/**
 * The `UrlState` built-in: {@link readUrlState} and {@link writeUrlState} over the page's own
 * address. Reading outside a browser (Node: the cell tests, scripts) sees an empty query, so every
 * field takes its default; writing there changes nothing but still returns the query string.
 */
import {
  between,
  describeProblems,
  integer,
  oneOf,
  readUrlState,
  text,
  writeUrlState,
  type UrlReading,
  type UrlSchema,
  type UrlValues,
  type UrlWriting,
} from './url-state.ts';

function pageSearch(): string {
  return typeof location === 'undefined' ? '' : location.search;
}

/** The schema's values in this page's address (defaults where absent or refused). */
function read<S extends UrlSchema>(schema: S): UrlReading<S> {
  return readUrlState(schema, pageSearch());
}

/**
 * Writes `values` into this page's address (`history.replaceState`: no new history entry, other
 * parameters and the `#hash` kept) and returns what was written.
 */
function write<S extends UrlSchema>(schema: S, values: Partial<UrlValues<S>>): UrlWriting {
  const written = writeUrlState(schema, values, pageSearch());
  if (typeof history !== 'undefined' && typeof location !== 'undefined') {
    const query = written.search === '' ? '' : `?${written.search}`;
    history.replaceState(history.state, '', `${location.pathname}${query}${location.hash}`);
  }
  return written;
}

/** The `UrlState` built-in's object. */
export const UrlState = { read, write, oneOf, between, integer, text, describeProblems };
