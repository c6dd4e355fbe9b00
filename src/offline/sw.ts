/// <reference lib="webworker" />
/**
 * The offline service worker, served as `/sw.js` (bundled by `src/offline/build.ts` after the
 * site is built, with the build's manifest compiled in). It makes the site work without a network
 * after one visit, and never serves an out-of-date page while the network is there:
 *
 * - install: saves the shell (every page but the embeds, every built asset, the small data) into
 *   a cache named after the build; files an older build's cache holds with the same content are
 *   copied, not downloaded again. Every body is checked against the build's SHA-256 before it is
 *   saved or reused, so a captive portal's page or a file of a half-finished deploy is never
 *   saved as code. The install fails (and is retried by the browser on the next visit) if any
 *   file cannot be fetched or does not match.
 * - activate: deletes the caches of older builds (only once no page uses the old worker: there is
 *   no skipWaiting, so an open page keeps the files it was built with) and takes control of pages.
 * - `offline:warm` from a page: saves the data group (model, MNIST) in the background.
 * - fetch: pages network first, saved copy when offline (or when the network has not answered
 *   within NETWORK_TIMEOUT_MS), else an offline page naming the address; hashed assets
 *   (`_astro/`) saved copy first; other files network first, saved copy when offline or slow,
 *   else a 503 whose text says the file is not saved. Embeds are never intercepted.
 */
import {
  REVISION_HEADER,
  cacheName,
  isBuiltFile,
  networkFirst,
  offlineMessage,
  offlinePage,
  pageKey,
  routeOf,
  staleCaches,
  statusOf,
  type OfflineEntry,
  type OfflineManifest,
  type Route,
  type ToServiceWorker,
} from './plan.ts';

/** Compiled in by the build (esbuild `define`). */
declare const __OFFLINE_BUILD__: {
  readonly manifest: OfflineManifest;
  /** The site's base path, ending in `/`. */
  readonly base: string;
  /** The site's security headers (scripts/headers.mjs), for the responses made here. */
  readonly headers: Readonly<Record<string, string>>;
};

const BUILD = __OFFLINE_BUILD__;
const sw = self as unknown as ServiceWorkerGlobalScope;
const CACHE = cacheName(BUILD.manifest.version);
const ENTRIES = new Map(BUILD.manifest.entries.map((e) => [e.path, e]));
const PAGES = BUILD.manifest.entries
  .filter((e) => e.group === 'shell' && (e.path === '' || e.path.endsWith('/')))
  .map((e) => BUILD.base + e.path);

/** The absolute URL of a path relative to the base. */
function absolute(path: string): string {
  return new URL(BUILD.base + path, sw.location.origin).href;
}

/**
 * A copy of `response` to save: its body read and checked against the build's SHA-256, and the
 * revision stamped on it. Null when the body is not the file the build made.
 */
async function verified(response: Response, entry: OfflineEntry): Promise<Response | null> {
  const body = await response.arrayBuffer();
  if (!(await isBuiltFile(body, entry))) return null;
  const headers = new Headers(response.headers);
  headers.set(REVISION_HEADER, entry.revision);
  return new Response(body, {
    status: response.status,
    statusText: response.statusText,
    headers,
  });
}

/** The same file from an older build's cache, if one has it and its body is the right one. */
async function fromOlderCache(url: string, entry: OfflineEntry): Promise<Response | undefined> {
  for (const name of staleCaches(await caches.keys(), CACHE)) {
    const hit = await (await caches.open(name)).match(url);
    if (hit?.headers.get(REVISION_HEADER) !== entry.revision) continue;
    const checked = await verified(hit, entry);
    if (checked) return checked;
  }
  return undefined;
}

/** Saves one entry into the current cache (nothing to do when it is there already). */
async function save(cache: Cache, entry: OfflineEntry): Promise<void> {
  const url = absolute(entry.path);
  if (await cache.match(url)) return;
  const reused = await fromOlderCache(url, entry);
  if (reused) {
    await cache.put(url, reused);
    return;
  }
  const response = await fetch(url, { cache: 'no-cache' });
  if (!response.ok) {
    throw new Error(`offline: ${url} answered HTTP ${String(response.status)}`);
  }
  const checked = await verified(response, entry);
  if (!checked) throw new Error(`offline: ${url} is not the file this build made (SHA-256)`);
  await cache.put(url, checked);
}

/** Saves `entries`, `parallel` at a time; rejects on the first failure. */
async function saveAll(entries: readonly OfflineEntry[], parallel: number): Promise<void> {
  const cache = await caches.open(CACHE);
  const queue = [...entries];
  const worker = async () => {
    for (let entry = queue.shift(); entry; entry = queue.shift()) await save(cache, entry);
  };
  await Promise.all(Array.from({ length: parallel }, worker));
}

const group = (name: OfflineEntry['group']) =>
  BUILD.manifest.entries.filter((e) => e.group === name);

let warming: Promise<void> | null = null;

/** Saves the data group (one download at a time; a failure leaves the rest for first use). */
function warm(): Promise<void> {
  warming ??= saveAll(group('data'), 1)
    .catch(() => undefined)
    .finally(() => {
      warming = null;
    });
  return warming;
}

/** What of the manifest the current cache holds. */
async function status() {
  const cache = await caches.open(CACHE);
  const prefix = absolute('');
  const saved = new Set(
    (await cache.keys())
      .map((r) => r.url)
      .filter((u) => u.startsWith(prefix))
      .map((u) => u.slice(prefix.length)),
  );
  return statusOf(BUILD.manifest, saved);
}

/** A response made here (offline): the site's headers, so a page keeps its policy. */
function made(status: number, body: string, type: string): Response {
  return new Response(body, {
    status,
    statusText: status === 503 ? 'Offline' : '',
    headers: { ...BUILD.headers, 'Content-Type': type, 'Cache-Control': 'no-store' },
  });
}

async function answer(event: FetchEvent, route: Exclude<Route, 'pass'>): Promise<Response> {
  const request = event.request;
  const url = new URL(request.url);
  const cache = await caches.open(CACHE);
  const key = route === 'page' ? url.origin + pageKey(url.pathname) : url.origin + url.pathname;
  if (route === 'immutable') {
    const hit = await cache.match(key);
    if (hit) return hit;
  }
  try {
    const { response, fromNetwork } = await networkFirst(fetch(request), () => cache.match(key));
    // First use of a manifest file the install or the warm-up has not saved yet: save it now,
    // if its body is the file the build made. Pages are only ever saved by the install, so the
    // saved pages always match the saved assets.
    const entry = route === 'page' ? undefined : ENTRIES.get(url.pathname.slice(BUILD.base.length));
    if (fromNetwork && entry && response.status === 200 && url.search === '') {
      const copy = response.clone();
      event.waitUntil(
        cache
          .match(key)
          .then(async (hit) => {
            if (hit) return;
            const checked = await verified(copy, entry);
            if (checked) await cache.put(key, checked);
          })
          .catch(() => undefined),
      );
    }
    return response;
  } catch {
    const hit = await cache.match(key);
    if (hit) return hit;
    const shown = url.pathname + url.search;
    return route === 'page'
      ? made(503, offlinePage(shown, PAGES, BUILD.base), 'text/html; charset=utf-8')
      : made(503, offlineMessage(url.pathname), 'text/plain; charset=utf-8');
  }
}

sw.addEventListener('install', (event) => {
  event.waitUntil(saveAll(group('shell'), 4));
});

sw.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      await Promise.all(staleCaches(await caches.keys(), CACHE).map((n) => caches.delete(n)));
      await sw.clients.claim();
    })(),
  );
});

sw.addEventListener('fetch', (event) => {
  const request = event.request;
  const route = routeOf({
    method: request.method,
    mode: request.mode,
    url: request.url,
    origin: sw.location.origin,
    base: BUILD.base,
    range: request.headers.has('range'),
  });
  if (route === 'pass') return;
  event.respondWith(answer(event, route));
});

sw.addEventListener('message', (event) => {
  const message = event.data as ToServiceWorker | null;
  if (message?.type === 'offline:warm') {
    event.waitUntil(warm());
  } else if (message?.type === 'offline:status') {
    const port = event.ports[0];
    event.waitUntil(
      status().then((s) => {
        port?.postMessage(s);
      }),
    );
  }
});
