/**
 * The browser backend probe and initialisation, in jsdom with a stand-in `navigator.gpu` and a
 * stand-in TF.js (real backends need a real browser; the e2e tests initialise them there).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { chooseBrowserBackend, initBackend, probeBackends } from '../../src/cells/backend.ts';
import type { TfModule } from '../../src/cells/builtins.ts';

function fakeGpu(
  info: { isFallbackAdapter: boolean; vendor: string; architecture: string } | null,
): void {
  Object.defineProperty(navigator, 'gpu', {
    configurable: true,
    value: { requestAdapter: () => Promise.resolve(info && { info }) },
  });
}

afterEach(() => {
  Reflect.deleteProperty(navigator, 'gpu');
  delete document.documentElement.dataset.backend;
});

describe('browser backend choice', () => {
  it('a software WebGPU adapter does not win by default; ?backend=webgpu forces it', async () => {
    fakeGpu({ isFallbackAdapter: true, vendor: 'google', architecture: 'swiftshader' });
    const probes = await probeBackends();
    expect(probes.find((p) => p.name === 'webgpu')).toMatchObject({
      available: true,
      isFallbackAdapter: true,
      description: 'google swiftshader',
    });
    const auto = await chooseBrowserBackend('');
    expect(auto.name).toBe('wasm');
    expect(auto.reason).toMatch(/software fallback/);
    const forced = await chooseBrowserBackend('?backend=webgpu');
    expect(forced).toMatchObject({ name: 'webgpu', forced: true });
  });

  it('a hardware adapter wins', async () => {
    fakeGpu({ isFallbackAdapter: false, vendor: 'nvidia', architecture: 'hopper' });
    expect((await chooseBrowserBackend('')).name).toBe('webgpu');
  });

  it('no adapter: WASM; a forced backend that is missing falls back and says so', async () => {
    fakeGpu(null);
    expect((await chooseBrowserBackend('')).name).toBe('wasm');
    const c = await chooseBrowserBackend('?backend=webgpu');
    expect(c.name).toBe('wasm');
    expect(c.reason).toMatch(/not available here/);
  });

  it('initBackend falls back when the chosen backend fails, and announces the result', async () => {
    const tried: string[] = [];
    const tf = {
      setBackend: (name: string) => {
        tried.push(name);
        return Promise.resolve(name === 'cpu');
      },
      ready: () => Promise.resolve(),
      env: () => ({ set: () => undefined }),
    } as unknown as TfModule;
    const events: unknown[] = [];
    const listener = (e: Event): void => {
      events.push((e as CustomEvent).detail);
    };
    document.addEventListener('backendchange', listener);
    try {
      const result = await initBackend(tf, { name: 'webgl', reason: 'test', forced: false });
      expect(tried).toEqual(['webgl', 'wasm', 'cpu']);
      expect(result.name).toBe('cpu');
      expect(result.reason).toMatch(/webgl, wasm failed to start here, so cpu/);
      expect(document.documentElement.dataset.backend).toBe('cpu');
      expect(events).toEqual([{ name: 'cpu', reason: result.reason }]);
    } finally {
      document.removeEventListener('backendchange', listener);
    }
  });
});
