/**
 * The page's handle on the training worker (src/worker/client.ts) ends a worker that goes silent
 * (issue 23): a call that runs too long fails with a clear TimeoutError instead of leaving every
 * later call queued behind it forever. A stand-in Worker plays the worker's side.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createTrainer, TrainerError } from '../../src/worker/client.ts';
import type { FromWorker, ToWorker } from '../../src/worker/protocol.ts';

/** A Worker that answers as `reply` says (or never). */
class FakeWorker extends EventTarget {
  static last: FakeWorker | null = null;
  static reply: (m: ToWorker, post: (m: FromWorker) => void) => void = () => undefined;
  terminated = false;
  constructor() {
    super();
    FakeWorker.last = this;
  }
  postMessage(m: ToWorker): void {
    FakeWorker.reply(m, (out) => {
      if (!this.terminated) this.dispatchEvent(new MessageEvent('message', { data: out }));
    });
  }
  terminate(): void {
    this.terminated = true;
  }
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('trainer watchdog', () => {
  it('ends a silent call with a TimeoutError, terminates the worker, and fails later calls at once', async () => {
    vi.stubGlobal('Worker', FakeWorker);
    FakeWorker.reply = () => undefined; // A hung worker: never answers.
    const trainer = createTrainer({ silenceMs: 150 });
    expect(trainer.mode).toBe('worker');
    const started = performance.now();
    const first = trainer.roundTrip({
      adapterConfigJson: '{}',
      adapterModelSafetensors: new Uint8Array(8),
    });
    const queued = trainer.memory();
    await expect(first).rejects.toThrow(TrainerError);
    await expect(first).rejects.toThrow(/did not answer for 0 s while running roundTrip, memory/);
    await expect(queued).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(performance.now() - started).toBeLessThan(2000);
    expect(FakeWorker.last?.terminated).toBe(true);
    const t0 = performance.now();
    await expect(trainer.mergeCheck()).rejects.toThrow(
      /press Run on the cell that makes the trainer/,
    );
    expect(performance.now() - t0).toBeLessThan(50);
  }, 10_000);

  it('keeps a long call that reports progress alive', async () => {
    vi.stubGlobal('Worker', FakeWorker);
    FakeWorker.reply = (m, post) => {
      if (m.type !== 'call') return;
      let step = 0;
      const tick = setInterval(() => {
        step += 1;
        if (step < 8) {
          post({ type: 'event', id: m.id, event: { type: 'step', step } as never });
        } else {
          clearInterval(tick);
          post({ type: 'result', id: m.id, value: { done: true } });
        }
      }, 50);
    };
    const trainer = createTrainer({ silenceMs: 150 });
    const events: unknown[] = [];
    // 8 × 50 ms = 400 ms in all, longer than the silence limit, with an event every 50 ms.
    await expect(trainer.train({} as never, (e) => events.push(e))).resolves.toEqual({
      done: true,
    });
    expect(events).toHaveLength(7);
    expect(FakeWorker.last?.terminated).toBe(false);
    trainer.terminate();
  });
});
