/**
 * The numerics suite in a real browser: bundles `browser/numerics-entry.ts` with esbuild, serves it
 * on localhost and runs it in Chromium (headless, SwiftShader WebGL and the software WebGPU adapter)
 * on the cpu, webgl and webgpu backends. Node covers cpu and wasm (the other test files).
 *
 * Tolerances: gradients 1e-5 absolute (float32 on every backend; measured ≤ 3.6e-7 here, the
 * differences come from summation order). Training losses must match the browser's cpu backend
 * within 1e-3 relative: WebGL's float32 textures round differently (environment.md reports one
 * LoRA run ending 2% apart on webgl), and 10 steps keep that drift far smaller.
 * Skipped when Chromium is missing (CHROMIUM_PATH, default /usr/bin/chromium).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { BackendNumerics } from './browser/numerics-entry.ts';

const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

describe.skipIf(!existsSync(chromiumPath))('core numerics in Chromium (cpu, webgl, webgpu)', () => {
  it('custom gradients match TF.js and training agrees across backends', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'core-numerics-'));
    await build({
      entryPoints: [path.join(import.meta.dirname, 'browser/numerics-entry.ts')],
      bundle: true,
      format: 'esm',
      outfile: path.join(dir, 'bundle.js'),
      logLevel: 'error',
    });
    writeFileSync(
      path.join(dir, 'index.html'),
      '<!doctype html><title>core</title><script type="module" src="bundle.js"></script>',
    );
    const server = http.createServer((req, res) => {
      const file = path.join(
        dir,
        (req.url ?? '/').split('?')[0] === '/' ? 'index.html' : 'bundle.js',
      );
      res.writeHead(200, {
        'content-type': file.endsWith('.js') ? 'text/javascript' : 'text/html',
      });
      res.end(readFileSync(file));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const browser = await chromium.launch({
      executablePath: chromiumPath,
      args: [
        '--no-sandbox',
        '--enable-unsafe-webgpu',
        '--disable-background-networking',
        '--no-first-run',
        '--disable-quic',
      ],
    });
    try {
      const page = await browser.newPage();
      await page.goto(`http://127.0.0.1:${port}/?steps=10`);
      const results = await page.evaluate(
        () =>
          (globalThis as unknown as { __coreNumerics: Promise<BackendNumerics[]> }).__coreNumerics,
      );
      const cpu = results.find((r) => r.backend === 'cpu');
      expect(cpu?.available).toBe(true);
      for (const r of results) {
        if (!r.available) continue; // e.g. no WebGPU adapter on this machine
        expect(r.error, `${r.backend}: ${r.error ?? ''}`).toBeUndefined();
        expect(Object.keys(r.diffs).sort()).toEqual([
          'bmm',
          'crossEntropy',
          'layerNorm',
          'linear',
          'linearTied',
          'scatterAdd',
        ]);
        for (const [k, d] of Object.entries(r.diffs))
          expect(d, `${r.backend} ${k}`).toBeLessThan(1e-5);
        expect(r.loraLosses).toHaveLength(10);
        expect(r.loraLosses.at(-1) ?? 1).toBeLessThan((r.loraLosses[0] ?? 0) * 0.8);
        expect(r.mlmLosses.at(-1) ?? 9).toBeLessThan(r.mlmLosses[0] ?? 0);
        r.loraLosses.forEach((l, i) => {
          const ref = cpu?.loraLosses[i] ?? Number.NaN;
          expect(Math.abs(l - ref), `${r.backend} lora step ${i}`).toBeLessThanOrEqual(
            1e-3 * Math.abs(ref) + 1e-6,
          );
        });
        r.mlmLosses.forEach((l, i) => {
          const ref = cpu?.mlmLosses[i] ?? Number.NaN;
          expect(Math.abs(l - ref), `${r.backend} mlm step ${i}`).toBeLessThanOrEqual(
            1e-3 * Math.abs(ref) + 1e-6,
          );
        });
      }
    } finally {
      await browser.close();
      server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 240_000);
});
