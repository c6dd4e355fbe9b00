/**
 * A Vite plugin that lets TF.js's threaded WASM build start its threads under the site's CSP
 * (`script-src 'self'`, `worker-src 'self'`) without widening it — the approach ONNX Runtime Web
 * took for the same problem (microsoft/onnxruntime#19708).
 *
 * @tensorflow/tfjs-backend-wasm 4.22's `init()` (dist/backend_wasm.js) builds two blobs: the
 * pthread worker script (`locateFile('….worker.js')` returns `URL.createObjectURL(new Blob([
 * wasmWorkerContents]))`) and the emscripten main script each pthread worker `importScripts()`
 * (`mainScriptUrlOrBlob = new Blob(['var WasmBackendModuleThreadedSimd = ' +
 * factory.toString()])`). The CSP refuses `blob:` workers and scripts, and a bundled factory's
 * `toString()` is not self-contained anyway. This plugin
 * 1. emits both scripts as same-origin build assets (`_astro/…`, so the offline service worker
 *    saves them with the other assets) and serves them in dev: the emscripten main script
 *    `wasm-out/tfjs-backend-wasm-threaded-simd.js` as it ships (a classic script defining the
 *    global `WasmBackendModuleThreadedSimd`), and the worker script, which the package ships only
 *    as the string `wasmWorkerContents`, written out the way TF.js writes it into its blob;
 * 2. replaces exactly those two blob constructions in the bundled `backend_wasm.js` with the
 *    assets' URLs, and fails the build when either is not found exactly once, or when the backend
 *    is bundled from another file, so a TF.js upgrade cannot silently fall back to blobs;
 * 3. makes `setThreadsCount(n)` mean n threads. TF.js's C++ (`init_with_threads_count`) caps the
 *    count at `emscripten_num_logical_cores() / 2` — half of `navigator.hardwareConcurrency`,
 *    assuming two hyperthreads per core — so a 2-core machine always got one thread. The bundled
 *    factory's `_emscripten_num_logical_cores` answers `2 × n` instead when the site asked for n
 *    threads (read once, by the C++ static initialisers on the thread that starts the backend;
 *    TF.js's own cap of 8 still holds). The pthread workers' copy of the script is left as it
 *    ships: they never run those initialisers.
 *
 * It must be in both `vite.plugins` and `vite.worker.plugins`: the training worker bundles TF.js
 * on its own.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Plugin } from 'vite';

/** The bundled files the transform applies to. */
const BACKEND_FILE = /[\\/]@tensorflow[\\/]tfjs-backend-wasm[\\/]dist[\\/]backend_wasm\.js$/;
const FACTORY_FILE =
  /[\\/]@tensorflow[\\/]tfjs-backend-wasm[\\/]wasm-out[\\/]tfjs-backend-wasm-threaded-simd\.js$/;
/** Any JavaScript of the package (to notice a bundle that no longer goes through BACKEND_FILE). */
const PACKAGE_JS = /[\\/]@tensorflow[\\/]tfjs-backend-wasm[\\/].*\.js$/;

/** The pthread worker's blob, from `const response = …` to `return URL.createObjectURL(blob);`. */
const WORKER_BLOB =
  /const response = wasmWorkerContents\.replace\(\/\\n\/g, '\\\\n'\);\s*const blob = new Blob\(\[response\], \{ type: 'application\/javascript' \}\);\s*return URL\.createObjectURL\(blob\);/g;
/** The main script's blob, assigned to `factoryConfig.mainScriptUrlOrBlob`. */
const MAIN_BLOB =
  /factoryConfig\.mainScriptUrlOrBlob = new Blob\(\[`var WasmBackendModuleThreadedSimd = ` \+\s*wasmFactoryThreadedSimd\.toString\(\)\], \{ type: 'text\/javascript' \}\);/g;

/** Where `init()` calls the threaded factory: the site's thread count goes into its config. */
const FACTORY_CALL = /wasm = wasmFactoryThreadedSimd\(factoryConfig\);/g;
/** The factory's answer to the C++ `emscripten_num_logical_cores()`. */
const LOGICAL_CORES =
  /function _emscripten_num_logical_cores\(\)\{if\(ENVIRONMENT_IS_NODE\)return require\("os"\)\.cpus\(\)\.length;return navigator\["hardwareConcurrency"\]\}/g;
/** The factory config's field that carries 2 × the asked-for thread count. */
const CORES_FIELD = 'tfjsLogicalCores';

/** File names of the two emitted scripts (Vite adds a content hash in builds). */
export const MAIN_SCRIPT_NAME = 'tfjs-backend-wasm-threaded-simd.js';
export const WORKER_SCRIPT_NAME = 'tfjs-backend-wasm-threaded-simd.worker.js';
/** Where the dev server serves them. */
const DEV_PREFIX = '/@tfjs-wasm-threads/';

/** The two scripts' sources, read from the installed package. */
export function threadScripts(): { main: string; worker: string } {
  const require = createRequire(import.meta.url);
  const pkg = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
  const main = readFileSync(join(pkg, 'wasm-out', MAIN_SCRIPT_NAME), 'utf8');
  const { wasmWorkerContents } = require(join(pkg, 'wasm-out', WORKER_SCRIPT_NAME)) as {
    wasmWorkerContents?: unknown;
  };
  if (typeof wasmWorkerContents !== 'string') {
    throw new Error(
      `tfjs-wasm-threads: wasm-out/${WORKER_SCRIPT_NAME} no longer exports the string wasmWorkerContents`,
    );
  }
  // As TF.js does before making its blob: the template literal turned the worker's "\n" escapes
  // into newlines, which would end its string literals.
  return { main, worker: wasmWorkerContents.replace(/\n/g, '\\n') };
}

function replaceOnce(code: string, pattern: RegExp, by: string, what: string, id: string): string {
  const hits = code.match(pattern)?.length ?? 0;
  if (hits !== 1) {
    throw new Error(
      `tfjs-wasm-threads: expected the ${what} exactly once in ${id}, found it ${String(hits)} ` +
        'times. @tensorflow/tfjs-backend-wasm changed: update src/platform/wasm-threads-plugin.ts ' +
        'rather than let its threads start from blob: URLs, which the site’s CSP refuses.',
    );
  }
  return code.replace(pattern, () => by);
}

/**
 * Replaces the two blob constructions of `backend_wasm.js` (its text `code`, module id `id`) with
 * the JavaScript expressions `urls.worker` and `urls.main`, which evaluate to the scripts' URLs.
 * @throws Error when either construction is not found exactly once.
 */
export function replaceThreadBlobs(
  code: string,
  id: string,
  urls: { readonly main: string; readonly worker: string },
): string {
  const once = replaceOnce(
    code,
    WORKER_BLOB,
    `return ${urls.worker};`,
    'pthread worker blob (locateFile for .worker.js)',
    id,
  );
  const twice = replaceOnce(
    once,
    MAIN_BLOB,
    `factoryConfig.mainScriptUrlOrBlob = ${urls.main};`,
    'main script blob (mainScriptUrlOrBlob)',
    id,
  );
  return replaceOnce(
    twice,
    FACTORY_CALL,
    `if (threadsCount > 0) factoryConfig.${CORES_FIELD} = 2 * threadsCount;\n` +
      '            wasm = wasmFactoryThreadedSimd(factoryConfig);',
    'threaded factory call',
    id,
  );
}

/**
 * Makes the threaded factory's `_emscripten_num_logical_cores` (text `code` of
 * wasm-out/tfjs-backend-wasm-threaded-simd.js) answer the count `init()` put in its config.
 * @throws Error when the function is not found exactly once.
 */
export function replaceLogicalCores(code: string, id: string): string {
  return replaceOnce(
    code,
    LOGICAL_CORES,
    'function _emscripten_num_logical_cores(){if(ENVIRONMENT_IS_NODE)return require("os").cpus().length;' +
      `return Module["${CORES_FIELD}"]||navigator["hardwareConcurrency"]}`,
    '_emscripten_num_logical_cores function',
    id,
  );
}

/** The plugin (see the file's comment). */
export function tfjsWasmThreads(): Plugin {
  let serve = false;
  let transformed = false;
  let factoryPatched = false;
  const seen: string[] = [];
  let scripts: { main: string; worker: string } | null = null;
  const load = () => (scripts ??= threadScripts());
  return {
    name: 'site:tfjs-wasm-threads',
    configResolved(config) {
      serve = config.command === 'serve';
    },
    configureServer(server) {
      const headers = server.config.server.headers;
      server.middlewares.use((req, res, next) => {
        const path = (req.url ?? '').split('?')[0] ?? '';
        const name = path.startsWith(DEV_PREFIX) ? path.slice(DEV_PREFIX.length) : '';
        const body =
          name === MAIN_SCRIPT_NAME
            ? load().main
            : name === WORKER_SCRIPT_NAME
              ? load().worker
              : null;
        if (body === null) {
          next();
          return;
        }
        for (const [k, v] of Object.entries(headers)) if (v !== undefined) res.setHeader(k, v);
        res.setHeader('content-type', 'text/javascript; charset=utf-8');
        res.end(body);
      });
    },
    transform(code, id) {
      const file = id.split('?')[0] ?? id;
      if (!PACKAGE_JS.test(file)) return null;
      seen.push(file);
      if (FACTORY_FILE.test(file)) {
        factoryPatched = true;
        return { code: replaceLogicalCores(code, file), map: null };
      }
      if (!BACKEND_FILE.test(file)) return null;
      transformed = true;
      if (serve) {
        return replaceThreadBlobs(code, file, {
          main: JSON.stringify(DEV_PREFIX + MAIN_SCRIPT_NAME),
          worker: JSON.stringify(DEV_PREFIX + WORKER_SCRIPT_NAME),
        });
      }
      const { main, worker } = load();
      const mainRef = this.emitFile({ type: 'asset', name: MAIN_SCRIPT_NAME, source: main });
      const workerRef = this.emitFile({ type: 'asset', name: WORKER_SCRIPT_NAME, source: worker });
      return {
        code: replaceThreadBlobs(code, file, {
          main: `import.meta.ROLLUP_FILE_URL_${mainRef}`,
          worker: `import.meta.ROLLUP_FILE_URL_${workerRef}`,
        }),
        map: null,
      };
    },
    buildEnd(error) {
      if (error || serve || seen.length === 0 || (transformed && factoryPatched)) return;
      this.error(
        `tfjs-wasm-threads: @tensorflow/tfjs-backend-wasm was bundled (${seen[0] ?? ''}) but not ` +
          'through dist/backend_wasm.js and wasm-out/tfjs-backend-wasm-threaded-simd.js, so its ' +
          'threads would start from blob: URLs; update src/platform/wasm-threads-plugin.ts.',
      );
    },
  };
}
