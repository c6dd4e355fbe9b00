/**
 * The backend decision (src/core/backend.ts): the documented order, `?backend=` honoured only when
 * available, and nonsense in it named in the reason, shortened so a long URL cannot flood the page.
 */
import { describe, expect, it } from 'vitest';
import { chooseBackend, type BackendProbe } from '../../src/core/backend.ts';

const all: BackendProbe[] = [
  { name: 'webgpu', available: true, isFallbackAdapter: true, description: 'swiftshader' },
  { name: 'wasm', available: true },
  { name: 'webgl', available: true },
  { name: 'cpu', available: true },
];

describe('chooseBackend', () => {
  it('prefers WASM over a software WebGPU adapter, and a hardware adapter over everything', () => {
    expect(chooseBackend(all).name).toBe('wasm');
    const hardware = all.map((p) => (p.name === 'webgpu' ? { ...p, isFallbackAdapter: false } : p));
    expect(chooseBackend(hardware).name).toBe('webgpu');
  });

  it('honours an available ?backend= and says so', () => {
    const choice = chooseBackend(all, 'webgl');
    expect(choice).toMatchObject({ name: 'webgl', forced: true });
    expect(choice.reason).toMatch(/^forced by \?backend=webgl/);
  });

  it('names an unavailable or unknown ?backend= and falls back to the automatic choice', () => {
    const noGpu = all.filter((p) => p.name !== 'webgpu');
    const missing = chooseBackend(noGpu, 'webgpu');
    expect(missing).toMatchObject({ name: 'wasm', forced: false });
    expect(missing.reason).toMatch(/^\?backend=webgpu was asked for but is not available here; /);
    const unknown = chooseBackend(all, 'foo');
    expect(unknown.name).toBe('wasm');
    expect(unknown.reason).toMatch(
      /^\?backend=foo is not a backend \(use one of webgpu, wasm, webgl, cpu\); /,
    );
  });

  it('quotes at most 24 characters of a long ?backend= value', () => {
    const choice = chooseBackend(all, 'x'.repeat(3000));
    expect(choice.name).toBe('wasm');
    expect(choice.reason).toMatch(new RegExp(`^\\?backend=${'x'.repeat(24)}… is not a backend`));
    expect(choice.reason.length).toBeLessThan(200);
  });
});
