import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RUN, type RunSummary } from '../../src/experiments/training/index.ts';
import { createHost, deviceLostMessage, type BackendStarter } from '../../src/worker/host.ts';
import type { FromWorker, InitResult } from '../../src/worker/protocol.ts';

/**
 * The training worker's host when the WebGPU device is lost (src/worker/host.ts), in Node: the
 * backend starter is a stand-in whose "device" we lose on purpose; the training is real (TF.js on
 * this thread's backend, the micro model on the generated stand-in).
 */
function harness() {
  const messages: FromWorker[] = [];
  const waiters: (() => void)[] = [];
  const started: (string | null)[] = [];
  /** One per WebGPU start, in order: loses that start's device. */
  const losers: ((reason: string) => void)[] = [];
  const startBackend: BackendStarter = (forced) => {
    started.push(forced);
    const onGpu = forced !== 'wasm';
    const lost = new Promise<string>((resolve) => {
      if (onGpu) losers.push(resolve);
    });
    return Promise.resolve({
      name: onGpu ? 'webgpu' : 'wasm',
      reason: 'test',
      floatPrecision: tf.backend().floatPrecision(),
      epsilon: tf.backend().epsilon(),
      ...(onGpu ? { lost } : {}),
    });
  };
  const host = createHost((m) => {
    messages.push(m);
    for (const w of waiters.splice(0)) w();
  }, startBackend);
  let nextId = 1;
  const call = (method: string, args: unknown[]) => {
    const id = nextId++;
    host.receive({ type: 'call', id, method, args } as never);
    return new Promise<FromWorker>((resolve) => {
      const check = () => {
        const done = messages.find((m) => m.id === id && m.type !== 'event');
        if (done) resolve(done);
        else waiters.push(check);
      };
      check();
    });
  };
  const events = (id: number) => messages.filter((m) => m.id === id && m.type === 'event');
  return {
    call,
    events,
    started,
    /** Loses the device of the `which`-th WebGPU start (default: the latest). */
    lose: (reason: string, which = losers.length - 1) => {
      losers[which]?.(reason);
    },
    host,
  };
}

const run = (steps: number) => ({
  ...DEFAULT_RUN,
  method: 'full',
  steps,
  batchSize: 4,
  evalEvery: 0,
});

describe('the training worker when the WebGPU device is lost', () => {
  it('ends the running call with a message, moves to WASM on its own, and trains there', async () => {
    const h = harness();
    const init = await h.call('init', [{ backend: 'webgpu', base: null, small: true }]);
    expect(init.type).toBe('result');
    expect((init as { value: InitResult }).value.backend).toBe('webgpu');

    const long = h.call('train', [run(5000)]);
    // Lose the device once the run is under way.
    while (h.events(2).length < 2) await new Promise((r) => setTimeout(r, 10));
    h.lose('Device was destroyed.');
    const ended = await long;
    expect(ended).toEqual({
      type: 'error',
      id: 2,
      error: {
        name: 'DeviceLostError',
        message: deviceLostMessage('Device was destroyed.', 'wasm'),
      },
    });
    expect(deviceLostMessage('x', 'wasm')).toBe(
      'the WebGPU device was lost in the training worker (x); the trainer now runs on wasm with the model loaded again: press Start to train again',
    );
    // The fallback started the same session again, on WASM.
    expect(h.started).toEqual(['webgpu', 'wasm']);
    const again = await h.call('train', [run(3)]);
    expect(again.type).toBe('result');
    const summary = (again as { value: RunSummary }).value;
    expect(summary.stepsDone).toBe(3);
    expect(summary.stopped).toBe(false);
    h.host.dispose();
  });

  it("ignores the loss of an older start's device once a new one runs", async () => {
    const h = harness();
    await h.call('init', [{ backend: 'webgpu', base: null, small: true }]);
    await h.call('init', [{ backend: 'webgpu', base: null, small: true }]);
    expect(h.started).toEqual(['webgpu', 'webgpu']);
    h.lose('late', 0); // the first start's device, replaced by the second
    await new Promise((r) => setTimeout(r, 20));
    const next = await h.call('train', [run(2)]);
    expect(next.type).toBe('result');
    expect(h.started).toEqual(['webgpu', 'webgpu']); // no fallback to WASM
    h.lose('now'); // the running device: this one counts
    const after = await h.call('train', [run(2)]);
    expect(after.type).toBe('error');
    expect(h.started).toEqual(['webgpu', 'webgpu', 'wasm']);
    h.host.dispose();
  });

  it('leaves calls alone while the device works, and a failure without a loss stays that failure', async () => {
    const h = harness();
    await h.call('init', [{ backend: 'webgpu', base: null, small: true }]);
    expect((await h.call('train', [run(2)])).type).toBe('result');
    const bad = await h.call('train', [{ ...run(2), r: -1, method: 'lora' }]);
    expect(bad.type).toBe('error');
    expect((bad as { error: { name: string } }).error.name).not.toBe('DeviceLostError');
    expect(h.started).toEqual(['webgpu']);
    h.host.dispose();
  });
});
