#!/usr/bin/env node
// @ts-check
/**
 * Serves the built site (`dist/`) on 127.0.0.1 with the headers every response of the site needs
 * (scripts/headers.mjs; `/embed/…` pages may be framed by other sites, nothing else). Zero dependencies: `npm start` builds and then runs this.
 *
 *   PORT=8080 node scripts/serve.mjs      # default port 4321; PORT=0 picks a free one
 *   DIST_DIR=/tmp/my-dist node scripts/serve.mjs   # serve another build (astro build --outDir …)
 *
 * Prints "Serving dist/ at http://127.0.0.1:PORT/" once listening (scripts/e2e.mjs reads it).
 *
 * Text files (HTML, JS, CSS, JSON, SVG, …) go out gzip-compressed to clients that accept it, as
 * every static host does (Netlify, Cloudflare Pages, nginx with `gzip on`); binary files (WASM,
 * model weights, images, fonts) as they are.
 *
 * Hardening (issue 23): the path is decoded and normalised once (`normaliseRequestPath`), and both
 * the file and the headers are chosen from that one path; encoded separators, `..` and NULs are
 * answered 400; a symbolic link that leads out of the site folder is not followed (404). Files
 * stream through `stream.pipeline`, so a download the client aborts closes its file and a read
 * error ends that response only. `Range: bytes=…` gets 206 (416 when unsatisfiable).
 */
import { open, realpath, stat } from 'node:fs/promises';
import { pipeline } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { createServer } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { normaliseRequestPath, securityHeaders } from './headers.mjs';

const HOST = '127.0.0.1';
const ROOT = resolve(
  process.env['DIST_DIR'] ?? fileURLToPath(new URL('../dist/', import.meta.url)),
);

/** @type {Readonly<Record<string, string>>} */
const MIME_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.wasm': 'application/wasm',
  '.bin': 'application/octet-stream',
  '.idx': 'application/octet-stream',
  '.gz': 'application/gzip',
  '.webmanifest': 'application/manifest+json',
};

/** Extensions sent gzip-compressed when the client accepts it. */
const COMPRESSIBLE = new Set([
  '.html',
  '.js',
  '.mjs',
  '.css',
  '.json',
  '.map',
  '.txt',
  '.md',
  '.xml',
  '.svg',
  '.webmanifest',
]);

/**
 * Whether an Accept-Encoding header accepts gzip (`gzip`, `gzip;q=0.5`, `*`; not `gzip;q=0`).
 * @param {string | undefined} header
 * @returns {boolean}
 */
function acceptsGzip(header) {
  if (header === undefined) return false;
  return header.split(',').some((part) => {
    const [name = '', ...params] = part.split(';').map((x) => x.trim().toLowerCase());
    if (name !== 'gzip' && name !== '*') return false;
    const q = params.find((p) => p.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}

/** @type {Map<string, { mtimeMs: number, size: number, body: Buffer }>} */
const gzipCache = new Map();

/**
 * The file's gzip-compressed bytes, made once per version of the file.
 * @param {string} file
 * @param {import('node:fs').Stats} stats
 * @param {import('node:fs/promises').FileHandle} handle
 * @returns {Promise<Buffer>}
 */
async function gzipped(file, stats, handle) {
  const hit = gzipCache.get(file);
  if (hit && hit.mtimeMs === stats.mtimeMs && hit.size === stats.size) return hit.body;
  const body = gzipSync(await handle.readFile());
  gzipCache.set(file, { mtimeMs: stats.mtimeMs, size: stats.size, body });
  return body;
}

/** @type {Promise<string> | null} */
let realRoot = null;

/**
 * Maps a decoded, normalised path to a file under ROOT, or null when it would escape ROOT, also
 * through a symbolic link (the link's target must lie inside the site folder).
 * @param {string} path from normaliseRequestPath
 * @returns {Promise<string | null>}
 */
async function toFilePath(path) {
  const file = join(ROOT, path);
  if (file !== ROOT && !file.startsWith(ROOT + sep)) return null;
  realRoot ??= realpath(ROOT);
  const root = await realRoot;
  let real;
  try {
    real = await realpath(file);
  } catch {
    return file; // Nothing there (yet): the caller tries `.html` and answers 404.
  }
  return real === root || real.startsWith(root + sep) ? file : null;
}

/**
 * @param {string} file
 * @returns {Promise<import('node:fs').Stats | null>}
 */
async function statOrNull(file) {
  try {
    return await stat(file);
  } catch {
    return null;
  }
}

/**
 * Finds what to send for a path: the file, a directory's index.html, or a redirect that adds the
 * trailing slash (so `/lessons/x` and `/lessons/x/` both work and relative links resolve).
 * @param {string} pathname
 * @returns {Promise<{ file: string } | { redirect: string } | null>}
 */
async function resolveRequest(pathname) {
  const file = await toFilePath(pathname);
  if (file === null) return null;
  const stats = await statOrNull(file);
  if (stats?.isFile()) return { file };
  if (stats?.isDirectory()) {
    const index = await toFilePath(`${pathname.replace(/\/$/, '')}/index.html`);
    if (index === null || !(await statOrNull(index))?.isFile()) return null;
    return pathname.endsWith('/') ? { file: index } : { redirect: `${encodeURI(pathname)}/` };
  }
  const html = await toFilePath(`${pathname}.html`);
  if (html !== null && (await statOrNull(html))?.isFile()) return { file: html };
  return null;
}

/**
 * The byte range a `Range` header asks for: one `bytes=` range (first-last, first-, -suffix).
 * Null: send the whole file (no header, several ranges, another unit or a malformed one, as
 * RFC 9110 allows); 'unsatisfiable': answer 416.
 * @param {string | undefined} header
 * @param {number} size
 * @returns {{ start: number, end: number } | 'unsatisfiable' | null}
 */
function byteRange(header, size) {
  if (header === undefined) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return null;
  const [first, last] = [m[1] ?? '', m[2] ?? ''];
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (start >= size || (last !== '' && Number(last) < start)) return 'unsatisfiable';
  return { start, end };
}

/**
 * @param {import('node:http').ServerResponse} res
 * @param {number} status
 * @param {string} file
 * @param {boolean} headOnly
 * @param {Record<string, string>} headers the security headers for this request's path
 * @param {boolean} gzip whether the client accepts gzip
 * @param {string} [rangeHeader] the request's `Range` (honoured on 200 answers)
 */
async function sendFile(res, status, file, headOnly, headers, gzip, rangeHeader) {
  // Opened before any header is sent: a file that cannot be read is a 500, not a cut response.
  const handle = await open(file, 'r');
  try {
    await sendOpenFile(res, status, file, handle, headOnly, headers, gzip, rangeHeader);
  } catch (error) {
    await handle.close().catch(() => undefined);
    throw error;
  }
}

/**
 * @param {import('node:http').ServerResponse} res
 * @param {number} status
 * @param {string} file
 * @param {import('node:fs/promises').FileHandle} handle the open file (closed when done)
 * @param {boolean} headOnly
 * @param {Record<string, string>} headers
 * @param {boolean} gzip
 * @param {string} [rangeHeader]
 */
async function sendOpenFile(res, status, file, handle, headOnly, headers, gzip, rangeHeader) {
  const stats = await handle.stat();
  const ext = extname(file).toLowerCase();
  const type = MIME_TYPES[ext] ?? 'application/octet-stream';
  // Hashed build assets never change; everything else is revalidated.
  const cache = file.includes(`${sep}_astro${sep}`)
    ? 'public, max-age=31536000, immutable'
    : 'no-cache';
  const compressible = COMPRESSIBLE.has(ext);
  const range = status === 200 ? byteRange(rangeHeader, stats.size) : null;
  if (range === 'unsatisfiable') {
    await handle.close();
    sendText(res, 416, 'Range not satisfiable\n', headers, {
      'Content-Range': `bytes */${String(stats.size)}`,
    });
    return;
  }
  if (range !== null) {
    // A part of the file as it is (never compressed: the range counts the file's own bytes).
    res.writeHead(206, {
      ...headers,
      'Content-Type': type,
      'Content-Length': String(range.end - range.start + 1),
      'Content-Range': `bytes ${String(range.start)}-${String(range.end)}/${String(stats.size)}`,
      'Accept-Ranges': 'bytes',
      'Cache-Control': cache,
      'Last-Modified': stats.mtime.toUTCString(),
    });
    if (headOnly) {
      await handle.close();
      res.end();
    } else stream(res, handle.createReadStream({ start: range.start, end: range.end }));
    return;
  }
  const body = compressible && gzip ? await gzipped(file, stats, handle) : null;
  res.writeHead(status, {
    ...headers,
    'Content-Type': type,
    'Content-Length': String(body === null ? stats.size : body.byteLength),
    'Cache-Control': cache,
    'Last-Modified': stats.mtime.toUTCString(),
    'Accept-Ranges': 'bytes',
    ...(compressible ? { Vary: 'Accept-Encoding' } : {}),
    ...(body === null ? {} : { 'Content-Encoding': 'gzip' }),
  });
  if (headOnly || body !== null) {
    await handle.close();
    res.end(headOnly ? undefined : body);
    return;
  }
  stream(res, handle.createReadStream());
}

/**
 * Streams a file into a response with `stream.pipeline`: when the client goes away the file is
 * closed (`.pipe` kept it open: 40 aborted model downloads left 40 descriptors), and a read error
 * ends this response instead of throwing out of the server.
 * @param {import('node:http').ServerResponse} res
 * @param {import('node:fs').ReadStream} file
 */
function stream(res, file) {
  pipeline(file, res, (error) => {
    if (error && error.code !== 'ERR_STREAM_PREMATURE_CLOSE') {
      console.error(`serve.mjs: ${error.message}`);
    }
  });
}

/**
 * @param {import('node:http').ServerResponse} res
 * @param {number} status
 * @param {string} text
 * @param {Record<string, string>} headers the security headers for this request's path
 * @param {Record<string, string>} [extra]
 */
function sendText(res, status, text, headers, extra = {}) {
  res.writeHead(status, {
    ...headers,
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(text)),
    ...extra,
  });
  res.end(text);
}

/**
 * @param {import('node:http').IncomingMessage} req
 * @param {import('node:http').ServerResponse} res
 */
async function handle(req, res) {
  // Split by hand: `new URL` would read `//host/x` as another host and resolve `%2e%2e` silently.
  const target = (req.url ?? '/').split('#')[0] ?? '/';
  const query = target.indexOf('?');
  const raw = query < 0 ? target : target.slice(0, query);
  const search = query < 0 ? '' : target.slice(query);
  // The site's base is `/`, so the request path is already relative to it. The headers and the
  // file are both chosen from this one decoded, normalised path.
  const pathname = normaliseRequestPath(raw);
  if (pathname === null) {
    sendText(res, 400, 'Bad request path\n', securityHeaders({ dev: false }));
    return;
  }
  const headers = securityHeaders({ dev: false, path: pathname });
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    sendText(res, 405, 'Method not allowed\n', headers, { Allow: 'GET, HEAD' });
    return;
  }
  const headOnly = req.method === 'HEAD';
  const gzip = acceptsGzip(req.headers['accept-encoding']);
  const found = await resolveRequest(pathname);
  if (found === null) {
    const notFound = join(ROOT, '404.html');
    if ((await statOrNull(notFound))?.isFile()) {
      await sendFile(res, 404, notFound, headOnly, headers, gzip);
    } else {
      sendText(res, 404, 'Not found\n', headers);
    }
  } else if ('redirect' in found) {
    res.writeHead(301, { ...headers, Location: found.redirect + search, 'Content-Length': '0' });
    res.end();
  } else {
    await sendFile(res, 200, found.file, headOnly, headers, gzip, req.headers.range);
  }
}

async function main() {
  if (!(await statOrNull(join(ROOT, 'index.html')))?.isFile()) {
    console.error(`No built site in ${ROOT}: run \`npm run build\` first (or \`npm start\`).`);
    process.exit(1);
  }
  const requested = process.env['PORT'] ?? '4321';
  const port = Number(requested);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`PORT must be an integer from 0 to 65535; got "${requested}".`);
    process.exit(1);
  }
  const server = createServer((req, res) => {
    handle(req, res).catch((/** @type {unknown} */ error) => {
      console.error(error);
      if (!res.headersSent) {
        sendText(res, 500, 'Internal server error\n', securityHeaders({ dev: false }));
      } else res.destroy();
    });
  });
  server.on('error', (error) => {
    console.error(`Could not serve on ${HOST}:${requested}: ${error.message}`);
    process.exit(1);
  });
  server.listen(port, HOST, () => {
    const address = server.address();
    const actual = typeof address === 'object' && address !== null ? address.port : port;
    console.log(`Serving dist/ at http://${HOST}:${actual}/`);
  });
  const stop = () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

await main();
