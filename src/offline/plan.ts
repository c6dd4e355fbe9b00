/**
 * The offline service worker's plan, as pure functions shared by the build (which lists the site's
 * files into a manifest, `src/offline/build.ts`) and the worker itself (`src/offline/sw.ts`, which
 * decides per request where the answer comes from). No I/O here: the unit tests run it in Node.
 *
 * What is saved, and when (the trade-off is explained in the README's "Reliability" section):
 * - the **shell** — every page of both editions (English at the base, Japanese under `ja/`) but
 *   the embeds and the bench pages, every built asset (JS, CSS, WASM, fonts), the small data and
 *   result files — at install: the service worker is installed only once all of it is saved;
 * - the **data** group — the pretrained model and MNIST, about 19 MB — in the background once the
 *   worker is active (unless the browser asks to save data), and whenever a lesson fetches one.
 *
 * The cache is named after a fingerprint of every saved file's content, so a new deploy installs
 * into a new cache and the old ones are deleted when it activates.
 */

import { editionOf, type Lang } from '../lib/i18n.ts';

/** Prefix of every cache this site's service worker makes (others are never touched). */
export const CACHE_PREFIX = 'lora-live-';

/** Header stamped on every saved response: the file's revision, so a new build can reuse it. */
export const REVISION_HEADER = 'x-offline-revision';

/** Embed pages of either edition (`embed/…`, `ja/embed/…`), relative to the site's base. */
const EMBED = /^(?:ja\/)?embed\//;

/** Paths (relative to the site's base) of files never saved for offline use. */
const NEVER_SAVED: readonly RegExp[] = [
  EMBED, // framed by other sites; never controlled as navigations (see routeOf)
  /^bench(-train)?\//, // measurement pages for developers
  /^_headers$/,
  /^sw\.js$/,
  /\.map$/,
];

/** Paths (relative to the base) of the large files saved after install, not during it. */
const DATA_PREFIXES: readonly string[] = ['models/', 'generated/'];

/** One file the service worker saves. */
export interface OfflineEntry {
  /** Its URL path from the site's base, e.g. `lessons/training-run/` or `_astro/tfjs.x.js`. */
  readonly path: string;
  /**
   * The SHA-256 of its content (64 hex digits): the worker checks every body against it before
   * saving it, and before reusing a copy an older build's cache holds.
   */
  readonly revision: string;
  readonly bytes: number;
  /** `shell`: saved at install; `data`: saved in the background and on first use. */
  readonly group: 'shell' | 'data';
}

/** What the build hands the service worker. */
export interface OfflineManifest {
  /** Fingerprint of every entry: a new build with any change gets a new version (and cache). */
  readonly version: string;
  readonly entries: readonly OfflineEntry[];
}

/** A built file as the build lists it. */
export interface BuiltFile {
  /** Relative to the output directory, with `/` separators (`lessons/x/index.html`). */
  readonly path: string;
  /** Hex digest of the content. */
  readonly sha256: string;
  readonly bytes: number;
}

/** The cache that holds build `version`. */
export function cacheName(version: string): string {
  if (!/^[0-9a-f]{8,64}$/.test(version)) {
    throw new TypeError(
      `cacheName: version must be 8 to 64 hex digits, got ${JSON.stringify(version)}`,
    );
  }
  return `${CACHE_PREFIX}${version}`;
}

/** The caches of older builds among `names` (caches of other apps on the origin are left alone). */
export function staleCaches(names: readonly string[], current: string): string[] {
  return names.filter((name) => name.startsWith(CACHE_PREFIX) && name !== current);
}

/**
 * The URL path of a built file: `x/index.html` is served as `x/`, `index.html` as `` (the base).
 */
export function urlPathOf(filePath: string): string {
  if (filePath === 'index.html') return '';
  return filePath.endsWith('/index.html') ? filePath.slice(0, -'index.html'.length) : filePath;
}

/**
 * Lists what the service worker saves from a build's files (paths relative to the output
 * directory). The order of `files` does not matter; a path listed twice is an error.
 */
export function buildEntries(files: readonly BuiltFile[]): OfflineEntry[] {
  const seen = new Set<string>();
  const entries: OfflineEntry[] = [];
  for (const file of files) {
    if (file.path.startsWith('/') || file.path.includes('\\') || file.path.includes('..')) {
      throw new TypeError(
        `buildEntries: path must be relative with / separators, got ${JSON.stringify(file.path)}`,
      );
    }
    if (!/^[0-9a-f]{64}$/.test(file.sha256)) {
      throw new TypeError(
        `buildEntries: sha256 of ${file.path} must be 64 hex digits, got ${JSON.stringify(file.sha256)}`,
      );
    }
    if (seen.has(file.path)) throw new TypeError(`buildEntries: ${file.path} is listed twice`);
    seen.add(file.path);
    if (NEVER_SAVED.some((pattern) => pattern.test(file.path))) continue;
    // 404.html is what the server sends for a missing page; offline the worker makes its own.
    if (file.path === '404.html') continue;
    entries.push({
      path: urlPathOf(file.path),
      revision: file.sha256,
      bytes: file.bytes,
      group: DATA_PREFIXES.some((prefix) => file.path.startsWith(prefix)) ? 'data' : 'shell',
    });
  }
  return entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * The text the build hashes into the version: every entry's path and revision, in path order.
 * Equal for equal content, whatever order the files were listed in.
 */
export function fingerprintText(entries: readonly OfflineEntry[]): string {
  return [...entries]
    .map((e) => `${e.path}\t${e.revision}`)
    .sort()
    .join('\n');
}

/**
 * The key under which a page is saved: the path with a trailing slash and without `index.html`
 * (query and fragment are not part of it: `?test=1`, `?backend=` and share links read the same
 * page).
 */
export function pageKey(pathname: string): string {
  if (pathname.endsWith('/index.html')) return pathname.slice(0, -'index.html'.length);
  if (pathname.endsWith('/')) return pathname;
  const last = pathname.slice(pathname.lastIndexOf('/') + 1);
  return last.includes('.') ? pathname : `${pathname}/`;
}

/**
 * How long a network-first request waits for the network's answer before the saved copy is
 * used instead (a captive portal or a dead connection can leave a request hanging for minutes).
 * Without a saved copy the request keeps waiting for the network.
 */
export const NETWORK_TIMEOUT_MS = 4000;

/** The lowercase hex SHA-256 of `bytes` (Web Crypto: in the service worker, browsers and Node). */
export async function sha256Hex(bytes: ArrayBuffer | Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Whether `bytes` are exactly the file the build listed (a captive portal's page, an error page
 * with status 200 or a file from a half-finished deploy are not).
 */
export async function isBuiltFile(
  bytes: ArrayBuffer | Uint8Array<ArrayBuffer>,
  entry: Pick<OfflineEntry, 'revision'>,
): Promise<boolean> {
  return (await sha256Hex(bytes)) === entry.revision;
}

/**
 * Network first, with a time limit: the network's answer if it comes within `ms`; otherwise the
 * saved copy if there is one (the network's late answer is dropped); otherwise the network's
 * answer whenever it comes. Rejects as `network` does (offline), so the caller can fall back.
 */
export async function networkFirst<T>(
  network: Promise<T>,
  saved: () => Promise<T | undefined>,
  ms: number = NETWORK_TIMEOUT_MS,
): Promise<{ readonly response: T; readonly fromNetwork: boolean }> {
  const answered = network.then((response) => ({ response, fromNetwork: true }));
  let timer: ReturnType<typeof setTimeout> | undefined;
  const slow = new Promise<'slow'>((resolve) => {
    timer = setTimeout(() => {
      resolve('slow');
    }, ms);
  });
  try {
    const first = await Promise.race([answered, slow]);
    if (first !== 'slow') return first;
    const hit = await saved();
    if (hit !== undefined) {
      answered.catch(() => undefined);
      return { response: hit, fromNetwork: false };
    }
    return await answered;
  } finally {
    clearTimeout(timer);
  }
}

/** How the service worker answers one request. */
export type Route =
  /** Not intercepted: the browser fetches it as if there were no service worker. */
  | 'pass'
  /** A page: the network first (never stale while online), the saved copy when offline. */
  | 'page'
  /** A content-hashed build asset (`_astro/`): the saved copy first, it never changes. */
  | 'immutable'
  /** Any other file of the site: the network first, the saved copy when offline. */
  | 'file';

/** What {@link routeOf} needs to know about a request. */
export interface RequestFacts {
  readonly method: string;
  /** `request.mode`: `navigate` for a page load. */
  readonly mode: string;
  readonly url: string;
  /** The service worker's own origin. */
  readonly origin: string;
  /** The site's base path, e.g. `/`. */
  readonly base: string;
  /** Whether the request asks for a byte range (media); never answered from the cache. */
  readonly range: boolean;
}

/** Decides how the service worker answers a request. */
export function routeOf(req: RequestFacts): Route {
  if (req.method !== 'GET' || req.range) return 'pass';
  const url = new URL(req.url);
  if (url.origin !== req.origin || !url.pathname.startsWith(req.base)) return 'pass';
  const path = url.pathname.slice(req.base.length);
  // Embeds are framed by other sites: their loads stay exactly as the server sends them.
  if (EMBED.test(path)) return 'pass';
  if (path === 'sw.js') return 'pass';
  if (req.mode === 'navigate') return 'page';
  if (path.startsWith('_astro/')) return 'immutable';
  return 'file';
}

/** The message a request gets when it is neither on the network nor saved. */
export function offlineMessage(path: string): string {
  return `You are offline, and ${path} is not saved on this device for offline use.`;
}

/** Escapes text for HTML. */
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${String(c.charCodeAt(0))};`);
}

/** The offline page's words in each edition. */
const OFFLINE_PAGE_TEXT: Readonly<
  Record<Lang, { title: string; heading: string; message: (path: string) => string; saved: string }>
> = {
  en: {
    title: 'Offline',
    heading: 'You are offline',
    message: offlineMessage,
    saved: 'These pages are saved and work without a network:',
  },
  ja: {
    title: 'オフライン',
    heading: 'オフラインです',
    message: (path) => `オフラインです。${path} はこの端末にオフライン用として保存されていません。`,
    saved: '次のページは保存されていて、ネットワークなしで使えます:',
  },
};

/**
 * The page shown for a page load that is neither on the network nor saved: says so, and links the
 * saved pages. Self-contained (no script, no other file), readable in light and dark mode. In the
 * edition of the address (`ja/…` below the site's `base` is Japanese).
 */
export function offlinePage(path: string, savedPages: readonly string[], base = '/'): string {
  const lang = editionOf(path, base).lang;
  const text = OFFLINE_PAGE_TEXT[lang];
  const links = savedPages
    .map((p) => `<li><a href="${escapeHtml(p)}">${escapeHtml(p)}</a></li>`)
    .join('');
  return `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark"><title>${text.title} · LoRA, live</title>
<style>body{font:1rem/1.5 system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem}</style></head>
<body><main><h1>${text.heading}</h1><p>${escapeHtml(text.message(path))}</p>
<p>${text.saved}</p><ul>${links}</ul></main></body></html>`;
}

/** Messages a page sends the service worker (`navigator.serviceWorker.controller.postMessage`). */
export type ToServiceWorker =
  /** Save the data group now (the page sends it once the worker is ready). */
  | { readonly type: 'offline:warm' }
  /** Answer with an {@link OfflineStatus} on the message's port. */
  | { readonly type: 'offline:status' };

/** How much of each group is saved in the current cache. */
export interface OfflineStatus {
  readonly version: string;
  readonly shell: { readonly saved: number; readonly total: number };
  readonly data: { readonly saved: number; readonly total: number };
  /** Paths of the manifest not saved yet. */
  readonly missing: readonly string[];
}

/** Counts what of `manifest` is among `savedPaths` (paths from the base, as in the entries). */
export function statusOf(
  manifest: OfflineManifest,
  savedPaths: ReadonlySet<string>,
): OfflineStatus {
  const count = (group: OfflineEntry['group']) => {
    const all = manifest.entries.filter((e) => e.group === group);
    return { saved: all.filter((e) => savedPaths.has(e.path)).length, total: all.length };
  };
  return {
    version: manifest.version,
    shell: count('shell'),
    data: count('data'),
    missing: manifest.entries.filter((e) => !savedPaths.has(e.path)).map((e) => e.path),
  };
}
