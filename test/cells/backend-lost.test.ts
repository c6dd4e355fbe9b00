/**
 * The loss of the page's WebGPU device (src/cells/backend.ts), in jsdom with a stand-in TF.js
 * whose backend has a device we lose on purpose: the page is told once, with the reason, and only
 * while WebGPU is still TF.js's backend. The badge and the reload are tested in Chromium
 * (test/e2e/reliability.test.mjs).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { deviceLostReason, initBackend } from '../../src/cells/backend.ts';
import type { TfModule } from '../../src/cells/builtins.ts';

afterEach(() => {
  delete document.documentElement.dataset.backend;
  delete document.documentElement.dataset.backendReason;
  delete document.documentElement.dataset.backendLost;
});

function fakeTf() {
  let lose: (info: { reason: string; message: string }) => void = () => undefined;
  const lost = new Promise<{ reason: string; message: string }>((resolve) => {
    lose = resolve;
  });
  let current = 'none';
  const tf = {
    setBackend: (name: string) => {
      current = name;
      return Promise.resolve(true);
    },
    getBackend: () => current,
    backend: () => (current === 'webgpu' ? { device: { lost } } : {}),
    ready: () => Promise.resolve(),
    env: () => ({ set: () => undefined }),
  } as unknown as TfModule;
  return {
    tf,
    lose,
    moveTo: (name: string) => {
      current = name;
    },
  };
}

/** Records `backendchange` details until the returned function is called. */
function listen(): { events: unknown[]; stop: () => void } {
  const events: unknown[] = [];
  const listener = (e: Event): void => {
    events.push((e as CustomEvent).detail);
  };
  document.addEventListener('backendchange', listener);
  return {
    events,
    stop: () => {
      document.removeEventListener('backendchange', listener);
    },
  };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('the WebGPU device lost', () => {
  it('is announced with its reason and `lost`, and the page is marked', async () => {
    const { tf, lose } = fakeTf();
    const { events, stop } = listen();
    try {
      await initBackend(tf, { name: 'webgpu', reason: 'forced', forced: true });
      expect(events).toEqual([{ name: 'webgpu', reason: 'forced' }]);
      lose({ reason: 'destroyed', message: 'Device was destroyed.' });
      await settle();
      expect(events).toHaveLength(2);
      expect(events[1]).toEqual({
        name: 'webgpu',
        reason: deviceLostReason({ reason: 'destroyed', message: 'Device was destroyed.' }),
        lost: true,
      });
      expect(document.documentElement.dataset.backendLost).toBe('true');
    } finally {
      stop();
    }
  });

  it('says nothing once TF.js has moved to another backend', async () => {
    const { tf, lose, moveTo } = fakeTf();
    const { events, stop } = listen();
    try {
      await initBackend(tf, { name: 'webgpu', reason: 'forced', forced: true });
      moveTo('wasm');
      lose({ reason: 'destroyed', message: '' });
      await settle();
      expect(events).toHaveLength(1);
      expect(document.documentElement.dataset.backendLost).toBeUndefined();
    } finally {
      stop();
    }
  });

  it('puts the reason in words, shortened, and falls back to the reason code', () => {
    expect(deviceLostReason({ reason: 'unknown', message: '' })).toMatch(
      /^the WebGPU device was lost \(unknown\), so cells that use TF\.js fail until the page is reloaded\. Reload on WASM to go on: your edits are kept$/,
    );
    expect(deviceLostReason({})).toMatch(/lost \(no reason given\)/);
    const long = deviceLostReason({ message: 'x'.repeat(500) });
    expect(long).toContain(`(${'x'.repeat(120)}…)`);
    expect(long.length).toBeLessThan(300);
  });
});
