// @ts-check
/**
 * The HTTP headers every response of the site carries: one list, used by `scripts/serve.mjs`, by
 * `astro dev`/`astro preview` (astro.config.mjs) and copied into the README for static hosts.
 *
 * Content-Security-Policy, directive by directive:
 * - `default-src 'self'`: nothing is ever loaded from another host (the site works offline).
 * - `script-src 'self' 'wasm-unsafe-eval'`, plus `'unsafe-eval'` only where cells run
 *   (`runsCells`: the lesson pages and the embeds): every script is an external file from this
 *   origin (no inline scripts: astro.config.mjs keeps Astro from inlining them). Lesson cells are
 *   Observable JavaScript the reader can edit, compiled at run time with `new Function`, which a
 *   CSP only allows with 'unsafe-eval'; there is no way to hash code that does not exist at build
 *   time. Every other page (the lesson list, /instructors/, /data/, /bench/, /licences/, 404) runs
 *   no cell and gets no 'unsafe-eval'. 'wasm-unsafe-eval' lets TF.js compile its WebAssembly
 *   backend.
 * - `style-src 'self' 'unsafe-inline'`: KaTeX and Shiki write `style="…"` attributes, and
 *   CodeMirror and Plotly insert `<style>` elements at run time; styles cannot run code.
 * - `img-src 'self' data: blob:`: Plotly's and the inspector's generated images.
 * - `worker-src 'self'`: the training workers and TF.js's WASM pthread workers. TF.js's threaded
 *   WASM build would start those from `blob:` URLs (and `importScripts` a blob, needing `blob:` in
 *   script-src); the build serves both scripts from the site instead
 *   (src/platform/wasm-threads-plugin.ts), so threads run with no `blob:` anywhere.
 * - `object-src 'none'`, `base-uri 'self'`, `form-action 'self'`, `frame-ancestors 'self'`
 *   (except under `/embed/`, see `securityHeaders`).
 *
 * Cross-Origin-Opener-Policy `same-origin` + Cross-Origin-Embedder-Policy `require-corp` make the
 * page cross-origin isolated, which `SharedArrayBuffer` (multi-threaded WASM) and precise timers need.
 */

/** @type {Readonly<Record<string, string>>} */
const CSP_DIRECTIVES = {
  'default-src': "'self'",
  'script-src': "'self' 'wasm-unsafe-eval'",
  'style-src': "'self' 'unsafe-inline'",
  'img-src': "'self' data: blob:",
  'font-src': "'self'",
  'connect-src': "'self'",
  'worker-src': "'self'",
  'object-src': "'none'",
  'base-uri': "'self'",
  'form-action': "'self'",
  'frame-ancestors': "'self'",
};

/**
 * Pages under this path (after the site's base) may be framed by other sites: one cell of a lesson,
 * embedded in a course page elsewhere. Only they relax `frame-ancestors` and CORP.
 */
export const EMBED_PREFIX = '/embed/';

/** Pages under this path (after the site's base) are lessons: their cells run. */
export const LESSONS_PREFIX = '/lessons/';

/** The Japanese edition's path prefix: its lessons and embeds get the same headers as ours. */
export const JA_PREFIX = '/ja';

/**
 * Features no page of the site uses, turned off for the page and every frame in it (a cell's code
 * or a framed page cannot ask for the camera, say). Only names Chromium knows (an unknown name is
 * a console error). `clipboard-read` stays allowed: the e2e tests read what **Copy embed** and
 * **Share** copied, and reading still needs the reader's permission.
 */
export const PERMISSIONS_POLICY = [
  'camera',
  'microphone',
  'geolocation',
  'payment',
  'usb',
  'serial',
  'hid',
  'midi',
  'display-capture',
  'publickey-credentials-get',
]
  .map((feature) => `${feature}=()`)
  .join(', ');

/**
 * The request path a header decision may be made on: percent-decoded and normalised, or null for
 * a path to refuse: undecodable, an encoded `/` or `\\`, a backslash, a NUL, or a `.`/`..` segment
 * (after decoding, so `%2e%2e` counts). The server serves the file of this same path, so headers
 * and file can never disagree (an encoded `..` under `/embed/` once served a lesson page framable).
 * @param {string} rawPath the path of the request URL as sent (still percent-encoded)
 * @returns {string | null}
 */
export function normaliseRequestPath(rawPath) {
  if (!rawPath.startsWith('/') || /%(2f|5c|00)/i.test(rawPath)) return null;
  let decoded;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    return null;
  }
  if (/[\\\0]/.test(decoded)) return null;
  const segments = decoded.split('/');
  if (segments.some((s) => s === '.' || s === '..')) return null;
  // Collapse repeated slashes: `//embed/x` is `/embed/x`, never a protocol-relative address.
  return decoded.replace(/\/{2,}/g, '/');
}

/**
 * Whether a (decoded, normalised) path is an embed page, which other sites may frame.
 * @param {string} path a request path relative to the site's base, e.g. `/embed/lesson/cell/`
 * @returns {boolean}
 */
export function isEmbedPath(path) {
  return path.startsWith(EMBED_PREFIX) || path.startsWith(`${JA_PREFIX}${EMBED_PREFIX}`);
}

/**
 * Whether live cells run on the page at `path` (decoded, normalised): a lesson
 * (`/lessons/<slug>/`) or an embed (`/embed/<lesson>/<cell>/`), in either edition (`/ja/…`).
 * Only these get 'unsafe-eval'.
 * @param {string} path
 * @returns {boolean}
 */
export function runsCells(path) {
  return /^(\/ja)?\/lessons\/[^/]+(\/(index\.html)?)?$/.test(path) || isEmbedPath(path);
}

/**
 * @param {{ embed: boolean, cells: boolean }} options
 * @returns {string}
 */
function contentSecurityPolicy({ embed, cells }) {
  /** @type {Record<string, string>} */
  const directives = { ...CSP_DIRECTIVES };
  if (cells) directives['script-src'] = "'self' 'unsafe-eval' 'wasm-unsafe-eval'";
  if (embed) directives['frame-ancestors'] = '*';
  return Object.entries(directives)
    .map(([name, value]) => `${name} ${value}`)
    .join('; ');
}

/** The Content-Security-Policy header value of every page where no cell runs. */
export const CONTENT_SECURITY_POLICY = contentSecurityPolicy({ embed: false, cells: false });

/** The Content-Security-Policy header value of lesson pages: cells compile code ('unsafe-eval'). */
export const CELLS_CONTENT_SECURITY_POLICY = contentSecurityPolicy({ embed: false, cells: true });

/** The Content-Security-Policy header value of `/embed/…` pages: any site may frame them. */
export const EMBED_CONTENT_SECURITY_POLICY = contentSecurityPolicy({ embed: true, cells: true });

/**
 * Headers for a response.
 *
 * Embeds (`/embed/…`) differ in two headers: `frame-ancestors *`, and
 * `Cross-Origin-Resource-Policy: cross-origin`, because a host page that is itself cross-origin
 * isolated (COEP require-corp) may only frame documents that opt in with CORP cross-origin.
 * COOP and COEP stay: COOP is ignored inside a frame, and a COEP child is allowed under any parent.
 *
 * @param {{ dev: boolean, path?: string }} options `dev: true` leaves out the CSP, because Vite's
 *   dev server injects inline scripts and styles for hot reloading. `path`: the request path
 *   relative to the site's base (default `/`), decoded and normalised by
 *   {@link normaliseRequestPath} (a raw path is normalised here; one it refuses gets the headers
 *   of an ordinary page).
 * @returns {Record<string, string>}
 */
export function securityHeaders({ dev, path = '/' }) {
  const normal = normaliseRequestPath(path) ?? '/';
  const embed = isEmbedPath(normal);
  const cells = runsCells(normal);
  /** @type {Record<string, string>} */
  const headers = {
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Embedder-Policy': 'require-corp',
    'Cross-Origin-Resource-Policy': embed ? 'cross-origin' : 'same-origin',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Permissions-Policy': PERMISSIONS_POLICY,
  };
  if (!dev) {
    headers['Content-Security-Policy'] = embed
      ? EMBED_CONTENT_SECURITY_POLICY
      : cells
        ? CELLS_CONTENT_SECURITY_POLICY
        : CONTENT_SECURITY_POLICY;
  }
  return headers;
}

/**
 * The `_headers` file (Netlify, Cloudflare Pages) with the same rules as `securityHeaders`: the
 * site-wide block, then `/lessons/*` (cells: 'unsafe-eval') and `/embed/*` (cells, framable by any
 * site, CORP cross-origin) and the same two under `/ja/`, each first detaching (`! Name`, Cloudflare's syntax) the values the
 * site-wide block set. Hosts match these rules on the decoded, normalised path.
 * @returns {string}
 */
export function headersFile() {
  /** @param {Record<string, string>} headers @param {string[]} [detach] */
  const block = (headers, detach = []) =>
    [
      ...detach.map((name) => `  ! ${name}`),
      ...Object.entries(headers).map(([name, value]) => `  ${name}: ${value}`),
    ].join('\n');
  const all = securityHeaders({ dev: false });
  /** @param {string} path */
  const differing = (path) => {
    const mine = securityHeaders({ dev: false, path });
    return Object.fromEntries(Object.entries(mine).filter(([name, value]) => all[name] !== value));
  };
  const lessons = differing(`${LESSONS_PREFIX}x/`);
  const embed = differing(`${EMBED_PREFIX}x/`);
  return (
    [
      `/*\n${block(all)}`,
      `${LESSONS_PREFIX}*\n${block(lessons, Object.keys(lessons))}`,
      `${EMBED_PREFIX}*\n${block(embed, Object.keys(embed))}`,
      `${JA_PREFIX}${LESSONS_PREFIX}*\n${block(lessons, Object.keys(lessons))}`,
      `${JA_PREFIX}${EMBED_PREFIX}*\n${block(embed, Object.keys(embed))}`,
    ].join('\n') + '\n'
  );
}
