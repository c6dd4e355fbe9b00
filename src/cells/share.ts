/**
 * Share links: the URL fragment `#share=…` carries a lesson's edited cells. Compressed with
 * `deflate-raw` when CompressionStream exists (prefix "c1."), else plain base64url JSON ("j1.").
 * Decoding validates everything and throws ShareLinkError with a reason a reader can act on, in
 * the page's language (text.ts). Opening a link never runs its code by itself: that consent step
 * is the page's (client/).
 */
import { documentLang, type Lang } from '../lib/i18n.ts';
import { cellsText, type CellsText } from './text.ts';

type Words = CellsText['share'];

/** One edited cell in a share link. */
export interface SharedCell {
  /** 0-based cell index in the lesson when the link was made. */
  readonly index: number;
  readonly source: string;
  /**
   * The cell's identity (`cellIds` in persist.ts: `n:<name>`, or `h:<hash of its original>`):
   * the page finds the cell by it, so a link made before the lesson gained or lost a cell still
   * lands in the right one (links without it use the index).
   */
  readonly id?: string;
}

/** What a share link carries. */
export interface SharePayload {
  readonly slug: string;
  /** The lesson version the edits were made against. */
  readonly version: string;
  readonly cells: readonly SharedCell[];
}

export class ShareLinkError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ShareLinkError';
  }
}

/** The fragment parameter name: `#share=…`. */
export const SHARE_PARAM = 'share';
/** Refuse to inflate more than this many bytes (a link is small; this stops decompression bombs). */
export const MAX_SHARE_BYTES = 1_000_000;
const MAX_CELLS = 10_000;

function toBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text: string, words: Words): Uint8Array<ArrayBuffer> {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new ShareLinkError(words.notBase64Url);
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4);
  let binary: string;
  try {
    binary = atob(b64);
  } catch {
    throw new ShareLinkError(words.badBase64);
  }
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

async function pipe(
  bytes: Uint8Array<ArrayBuffer>,
  transform: CompressionStream | DecompressionStream,
  limit: number,
  words: Words = cellsText('en').share,
): Promise<Uint8Array> {
  const source = new ReadableStream<Uint8Array<ArrayBuffer>>({
    start(controller) {
      controller.enqueue(bytes);
      controller.close();
    },
  });
  const stream: ReadableStream<Uint8Array> = source.pipeThrough(transform);
  const reader: ReadableStreamDefaultReader<Uint8Array> = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > limit) {
      await reader.cancel();
      throw new ShareLinkError(words.tooLargeInflated(limit));
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let pos = 0;
  for (const c of chunks) {
    out.set(c, pos);
    pos += c.length;
  }
  return out;
}

/** Encodes a payload as the value of `#share=`. `compress: false` forces the plain form. */
export async function encodeShare(
  payload: SharePayload,
  options: { compress?: boolean } = {},
): Promise<string> {
  const json = JSON.stringify({
    v: 1,
    slug: payload.slug,
    version: payload.version,
    cells: payload.cells.map((c) =>
      c.id === undefined ? [c.index, c.source] : [c.index, c.source, c.id],
    ),
  });
  const bytes = new TextEncoder().encode(json);
  if (options.compress !== false && typeof CompressionStream === 'function') {
    const packed = await pipe(
      bytes,
      new CompressionStream('deflate-raw'),
      Number.POSITIVE_INFINITY,
    );
    return `c1.${toBase64Url(packed)}`;
  }
  return `j1.${toBase64Url(bytes)}`;
}

function validate(value: unknown, words: Words): SharePayload {
  if (typeof value !== 'object' || value === null) throw new ShareLinkError(words.notObject);
  const v = value as { v?: unknown; slug?: unknown; version?: unknown; cells?: unknown };
  if (v.v !== 1) throw new ShareLinkError(words.formatVersion(JSON.stringify(v.v)));
  if (typeof v.slug !== 'string') throw new ShareLinkError(words.noSlug);
  if (typeof v.version !== 'string') throw new ShareLinkError(words.noVersion);
  if (!Array.isArray(v.cells) || v.cells.length > MAX_CELLS)
    throw new ShareLinkError(words.noCells);
  const seen = new Set<number>();
  const cells = v.cells.map((c: unknown, k): SharedCell => {
    if (!Array.isArray(c) || (c.length !== 2 && c.length !== 3))
      throw new ShareLinkError(words.badEntry(k));
    const [index, source, id] = c as [unknown, unknown, unknown];
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= MAX_CELLS) {
      throw new ShareLinkError(words.badIndex(k, JSON.stringify(index)));
    }
    if (typeof source !== 'string') throw new ShareLinkError(words.noSource(index));
    if (c.length === 3 && (typeof id !== 'string' || id === ''))
      throw new ShareLinkError(words.badId(index));
    if (seen.has(index)) throw new ShareLinkError(words.twice(index));
    seen.add(index);
    return typeof id === 'string' ? { index, source, id } : { index, source };
  });
  return { slug: v.slug, version: v.version, cells };
}

/**
 * Decodes the value of `#share=`; throws ShareLinkError saying what is wrong, in `lang` (the
 * page's language by default).
 */
export async function decodeShare(
  text: string,
  lang: Lang = documentLang(),
): Promise<SharePayload> {
  const words = cellsText(lang).share;
  const dot = text.indexOf('.');
  const kind = dot < 0 ? '' : text.slice(0, dot);
  const body = fromBase64Url(text.slice(dot + 1), words);
  let bytes: Uint8Array;
  if (kind === 'c1') {
    if (typeof DecompressionStream !== 'function') {
      throw new ShareLinkError(words.noDecompression);
    }
    try {
      bytes = await pipe(body, new DecompressionStream('deflate-raw'), MAX_SHARE_BYTES, words);
    } catch (error) {
      if (error instanceof ShareLinkError) throw error;
      throw new ShareLinkError(words.notDecompressing);
    }
  } else if (kind === 'j1') {
    if (body.length > MAX_SHARE_BYTES) throw new ShareLinkError(words.tooLarge);
    bytes = body;
  } else {
    throw new ShareLinkError(words.unknownFormat(JSON.stringify(kind)));
  }
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw new ShareLinkError(words.notJson);
  }
  return validate(value, words);
}

/** The `share` value in a URL fragment (`#share=…`, possibly among other `&`-separated parts). */
export function shareParam(hash: string): string | null {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  return params.get(SHARE_PARAM);
}

/**
 * Where each shared cell goes in the lesson as it is now (`ids`: the cells' identities, in order):
 * by identity when the link gives it (a lesson that gained a cell above it does not shift it),
 * else by index. Returns the sources by current index, and the shared cells that fit nowhere (a
 * cell this version no longer has).
 */
export function placeSharedCells(
  cells: readonly SharedCell[],
  ids: readonly string[],
): { readonly byIndex: ReadonlyMap<number, string>; readonly unplaced: readonly SharedCell[] } {
  const byIndex = new Map<number, string>();
  const unplaced: SharedCell[] = [];
  for (const c of cells) {
    const at = c.id === undefined ? c.index : ids.indexOf(c.id);
    if (at < 0 || at >= ids.length || byIndex.has(at)) unplaced.push(c);
    else byIndex.set(at, c.source);
  }
  return { byIndex, unplaced };
}

/** A URL with the share fragment set (other fragment parts are dropped). */
export function shareUrl(base: string, encoded: string): string {
  const url = new URL(base);
  url.hash = `${SHARE_PARAM}=${encoded}`;
  return url.toString();
}
