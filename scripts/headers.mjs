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
 * - `object-src 'none'`, `base-uri 'self'`, `form-action 'self'`, `frame-ancestors 'self'`.
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

/** The Content-Security-Policy header value. */
export const CONTENT_SECURITY_POLICY = Object.entries(CSP_DIRECTIVES)
  .map(([name, value]) => `${name} ${value}`)
  .join('; ');

/**
 * Headers for every response.
 * @param {{ dev: boolean }} options `dev: true` leaves out the CSP, because Vite's dev server
 *   injects inline scripts and styles for hot reloading; everything else is the same.
 * @returns {Record<string, string>}
 */
export function securityHeaders({ dev }) {
  /** @type {Record<string, string>} */
  const headers = {
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Embedder-Policy': 'require-corp',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
  };
  if (!dev) headers['Content-Security-Policy'] = CONTENT_SECURITY_POLICY;
  return headers;
}
