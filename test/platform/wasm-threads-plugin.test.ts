/**
 * The Vite plugin that serves TF.js's WASM pthread scripts from the site
 * (src/platform/wasm-threads-plugin.ts), applied to the installed @tensorflow/tfjs-backend-wasm:
 * both blob constructions are replaced by the given URLs and nothing of them is left, the thread
 * count reaches the factory, the result still parses, the two emitted scripts are valid classic
 * scripts (the main one defines the global the pthread workers call), and code the plugin does not
 * recognise fails loudly instead of falling back to blobs.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Script, createContext, runInContext } from 'node:vm';
import { transformSync } from 'esbuild';
import { describe, expect, it } from 'vitest';
import {
  replaceLogicalCores,
  replaceThreadBlobs,
  threadScripts,
} from '../../src/platform/wasm-threads-plugin.ts';

const pkg = dirname(
  createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json'),
);
const backendFile = join(pkg, 'dist', 'backend_wasm.js');
const factoryFile = join(pkg, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.js');
const backend = readFileSync(backendFile, 'utf8');
const factory = readFileSync(factoryFile, 'utf8');
const urls = { main: '"/_astro/main.js"', worker: '"/_astro/worker.js"' };

describe('replaceThreadBlobs on the installed backend_wasm.js', () => {
  const out = replaceThreadBlobs(backend, backendFile, urls);

  it('replaces both blobs by the URLs and leaves no blob behind', () => {
    expect(backend).toContain('new Blob(');
    expect(out).not.toContain('new Blob(');
    expect(out).not.toContain('createObjectURL');
    expect(out).toContain('return "/_astro/worker.js";');
    expect(out).toContain('factoryConfig.mainScriptUrlOrBlob = "/_astro/main.js";');
    expect(out).toContain('factoryConfig.tfjsLogicalCores = 2 * threadsCount');
    // Only the three spots changed: the module is as long as shipped, give or take them.
    expect(Math.abs(out.length - backend.length)).toBeLessThan(400);
  });

  it('still parses as an ES module', () => {
    expect(() => transformSync(out, { loader: 'js', format: 'esm' })).not.toThrow();
  });

  it('fails when a construction is missing (already replaced) or found twice', () => {
    expect(() => replaceThreadBlobs(out, backendFile, urls)).toThrow(
      /expected the pthread worker blob .* exactly once .* found it 0 times/,
    );
    const twice = backend.replace(
      'wasm = wasmFactoryThreadedSimd(factoryConfig);',
      'wasm = wasmFactoryThreadedSimd(factoryConfig);\nwasm = wasmFactoryThreadedSimd(factoryConfig);',
    );
    expect(() => replaceThreadBlobs(twice, backendFile, urls)).toThrow(
      /threaded factory call exactly once .* found it 2 times/,
    );
  });
});

describe('replaceLogicalCores on the installed threaded factory', () => {
  it('answers the config field first, and fails on unknown code', () => {
    const out = replaceLogicalCores(factory, factoryFile);
    expect(out).toContain('return Module["tfjsLogicalCores"]||navigator["hardwareConcurrency"]}');
    expect(() => replaceLogicalCores(out, factoryFile)).toThrow(/found it 0 times/);
  });

  it('hands the C++ side 2 × the asked-for threads, or the real core count', () => {
    const out = replaceLogicalCores(factory, factoryFile);
    const body = /function _emscripten_num_logical_cores\(\)\{[^}]*\}/.exec(out)?.[0] ?? '';
    const run = (module: Record<string, unknown>) => {
      const context = createContext({
        Module: module,
        ENVIRONMENT_IS_NODE: false,
        navigator: { hardwareConcurrency: 2 },
      });
      return runInContext(`${body}; _emscripten_num_logical_cores()`, context) as number;
    };
    expect(body).not.toBe('');
    expect(run({ tfjsLogicalCores: 4 })).toBe(4);
    expect(run({})).toBe(2);
  });
});

describe('threadScripts: the two same-origin scripts', () => {
  const { main, worker } = threadScripts();

  it('the worker script is a valid classic script that imports the main script', () => {
    expect(() => new Script(worker)).not.toThrow();
    expect(worker).toContain('importScripts(e.data.urlOrBlob)');
    expect(worker).toContain('WasmBackendModuleThreadedSimd(Module)');
  });

  it('the main script defines the global factory the workers call', () => {
    const context = createContext({});
    runInContext(main, context);
    expect(
      typeof (context as { WasmBackendModuleThreadedSimd?: unknown }).WasmBackendModuleThreadedSimd,
    ).toBe('function');
  });
});
