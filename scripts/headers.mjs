// @ts-check
/**
 * The HTTP headers every response of the site carries: one list, used by `scripts/serve.mjs`, by
 * `astro dev`/`astro preview` (astro.config.mjs) and copied into the README for static hosts.
 *
 * Content-Security-Policy, directive by directive:
 * - `default-src 'self'`: nothing is ever loaded from another host (the site works offline).
 * - `script-src 'self' 'unsafe-eval' 'wasm-unsafe-eval'`: every script is an external file from
 *   this origin (no inline scripts: astro.config.mjs keeps Astro from inlining them). Lesson cells
 *   are Observable JavaScript the reader can edit, compiled at run time with `new Function`, which a
 *   CSP only allows with 'unsafe-eval'; there is no way to hash code that does not exist at build
 *   time. 'wasm-unsafe-eval' lets TF.js compile its WebAssembly backend.
 * - `style-src 'self' 'unsafe-inline'`: KaTeX and Shiki write `style="…"` attributes, and
 *   CodeMirror and Plotly insert `<style>` elements at run time; styles cannot run code.
 * - `img-src 'self' data: blob:`: Plotly's and the inspector's generated images.
 * - `worker-src 'self'`. TF.js's multi-threaded WASM build would start workers that
 *   `importScripts` a blob: URL (needing `blob:` in script-src, and it also breaks once bundled);
 *   src/cells/backend.ts runs WASM single-threaded instead, measured as fast for training steps.
 * - `object-src 'none'`, `base-uri 'self'`, `form-action 'self'`, `frame-ancestors 'self'`
 *   (except under `/embed/`, see `securityHeaders`).
 *
 * Cross-Origin-Opener-Policy `same-origin` + Cross-Origin-Embedder-Policy `require-corp` make the
 * page cross-origin isolated, which `SharedArrayBuffer` (multi-threaded WASM) and precise timers need.
 */

/** @type {Readonly<Record<string, string>>} */
const CSP_DIRECTIVES = {
  'default-src': "'self'",
  'script-src': "'self' 'unsafe-eval' 'wasm-unsafe-eval'",
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

/**
 * @param {string} path a request path relative to the site's base, e.g. `/embed/lesson/cell/`
 * @returns {boolean}
 */
export function isEmbedPath(path) {
  return path.startsWith(EMBED_PREFIX);
}

/**
 * @param {{ embed: boolean }} options
 * @returns {string}
 */
function contentSecurityPolicy({ embed }) {
  /** @type {Record<string, string>} */
  const directives = { ...CSP_DIRECTIVES };
  if (embed) directives['frame-ancestors'] = '*';
  return Object.entries(directives)
    .map(([name, value]) => `${name} ${value}`)
    .join('; ');
}

/** The Content-Security-Policy header value of every page but the embeds. */
export const CONTENT_SECURITY_POLICY = contentSecurityPolicy({ embed: false });

/** The Content-Security-Policy header value of `/embed/…` pages: any site may frame them. */
export const EMBED_CONTENT_SECURITY_POLICY = contentSecurityPolicy({ embed: true });

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
 *   relative to the site's base (default `/`).
 * @returns {Record<string, string>}
 */
export function securityHeaders({ dev, path = '/' }) {
  const embed = isEmbedPath(path);
  /** @type {Record<string, string>} */
  const headers = {
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Embedder-Policy': 'require-corp',
    'Cross-Origin-Resource-Policy': embed ? 'cross-origin' : 'same-origin',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
  };
  if (!dev) {
    headers['Content-Security-Policy'] = embed
      ? EMBED_CONTENT_SECURITY_POLICY
      : CONTENT_SECURITY_POLICY;
  }
  return headers;
}
