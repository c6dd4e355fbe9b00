/**
 * The experiment runner (src/experiments): runs give the core's own results, stream their steps,
 * stop on a signal, and, through a worker, send each large array once. The worker's side is the
 * real host behind a stand-in Worker that copies every message with `structuredClone`, as
 * `postMessage` does.
 */
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { mnistRunToEnd, mnistTensors } from '../../src/experiments/intrinsic/index.ts';
import { Rng } from '../../src/core/rng.ts';
import { startExperiments, type MnistData } from '../../src/experiments/client.ts';
import { createExperimentHost } from '../../src/experiments/host.ts';
import type { FromWorker, ToWorker } from '../../src/experiments/protocol.ts';
import { Encoder, encoderConfig } from '../../src/core/models/encoder.ts';
import { prepareBase, qloraRun } from '../../src/experiments/qlora/index.ts';
import { separableRows } from './fixtures.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterEach(() => {
  vi.unstubAllGlobals();
});

/** 8×8 stand-in digits (class c lights the pixels p with p mod 10 = c), as the lesson makes them. */
function digits(count: number, seed: number): MnistData {
  const rng = new Rng(seed);
  const pixels = new Uint8Array(count * 64);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const c = rng.int(10);
    labels[i] = c;
    for (let p = 0; p < 64; p++)
      pixels[i * 64 + p] = Math.floor(rng.next() * 90) + (p % 10 === c ? 150 : 0);
  }
  return { images: { count, rows: 8, cols: 8, pixels }, labels };
}

const sizes = [64, 16, 10];
const opts = { d: 20, seed: 3, steps: 6, batchSize: 32, learningRate: 0.03, sizes } as const;

/** A Worker whose other side is the real host, every message cloned as postMessage clones it. */
class ClonedWorker extends EventTarget {
  static sent: ToWorker[] = [];
  readonly host = createExperimentHost(
    (m: FromWorker) => {
      queueMicrotask(() =>
        this.dispatchEvent(new MessageEvent('message', { data: structuredClone(m) })),
      );
    },
    () => Promise.resolve({ name: 'cpu', reason: 'test' }),
  );
  postMessage(m: ToWorker): void {
    ClonedWorker.sent.push(m);
    this.host.receive(structuredClone(m));
  }
  terminate(): void {
    this.host.dispose();
  }
}

describe('experiment runner', () => {
  it('in-process: the same result as the core, each step streamed, with a timing breakdown', async () => {
    const train = digits(128, 1);
    const test = digits(64, 2);
    const lab = startExperiments({ inProcess: true });
    expect(lab.mode).toBe('in-process');
    const run = lab.mnistRun(train, test, opts);
    const steps: number[] = [];
    let next = await run.next();
    while (next.done !== true) {
      steps.push(next.value.step);
      next = await run.next();
    }
    expect(steps).toEqual([0, 1, 2, 3, 4, 5]);
    const a = mnistTensors(train.images, train.labels);
    const b = mnistTensors(test.images, test.labels);
    const direct = await mnistRunToEnd(a, b, opts);
    tf.dispose([a.x, a.y, b.x, b.y]);
    expect(next.value.accuracy).toBe(direct.accuracy);
    expect(next.value.finalLoss).toBe(direct.finalLoss);
    expect(next.value.timing.stepMs).toBeGreaterThan(0);
    expect(next.value.timing.setupMs).toBeGreaterThanOrEqual(0);
    expect(next.value.timing.evalMs).toBeGreaterThanOrEqual(0);
    lab.terminate();
  });

  it('stops between steps when its signal aborts', async () => {
    const lab = startExperiments({ inProcess: true });
    const controller = new AbortController();
    const run = lab.mnistRun(digits(128, 1), digits(64, 2), {
      ...opts,
      steps: 50,
      signal: controller.signal,
    });
    await run.next();
    controller.abort();
    let next = await run.next();
    while (next.done !== true) next = await run.next();
    expect(next.value.stopped).toBe(true);
    expect(next.value.steps).toBeLessThan(50);
    lab.terminate();
  });

  it('through a worker: large arrays are sent once, results match in-process ones', async () => {
    vi.stubGlobal('Worker', ClonedWorker);
    ClonedWorker.sent = [];
    const train = digits(256, 1);
    const test = digits(64, 2);
    const lab = startExperiments({ backend: null });
    expect(lab.mode).toBe('worker');
    const first = await lab.mnistRunToEnd(train, test, opts);
    const second = await lab.mnistRunToEnd(train, test, { ...opts, seed: 4 });
    const calls = ClonedWorker.sent.filter((m) => m.type === 'call');
    expect(calls.map((m) => m.put.length)).toEqual([1, 0]); // the 16 KB of pixels, once
    const local = startExperiments({ inProcess: true });
    expect(first.accuracy).toBe((await local.mnistRunToEnd(train, test, opts)).accuracy);
    expect(second.seed).toBe(4);
    local.terminate();
    lab.terminate();
  });

  it("through a worker: the QLoRA lesson's run gives the experiment's own losses, accuracy and base report", async () => {
    vi.stubGlobal('Worker', ClonedWorker);
    const config = encoderConfig('micro', {
      numLabels: 2,
      hiddenDropoutProb: 0,
      attentionDropoutProb: 0,
    });
    const job = {
      train: separableRows(1, 48, 8),
      test: separableRows(3, 16, 8),
      seed: 2,
      steps: 5,
      batchSize: 16,
      learningRate: 1e-2,
      r: 2,
    } as const;
    // In-process, by hand: the encoder the worker would make from the same source.
    const encoder = new Encoder(config, { seed: 7 });
    const report = await prepareBase(encoder, 'nf4-dq');
    const it = qloraRun({ ...job, encoder, variant: 'rslora' });
    const want: number[] = [];
    let result;
    for (;;) {
      const x = await it.next();
      if (x.done === true) {
        result = x.value;
        break;
      }
      want.push(x.value.loss);
    }
    encoder.dispose();
    const lab = startExperiments({ backend: null });
    const model = { config, seed: 7 };
    const run = lab.qloraRun({ ...job, model, base: 'nf4-dq', variant: 'rslora' });
    const got: number[] = [];
    for (;;) {
      const x = await run.next();
      if (x.done === true) {
        expect(x.value.accuracy).toBe(result.accuracy);
        expect(x.value.trainable).toBe(result.trainable);
        expect(x.value.report?.quantizedBytes).toBe(report?.quantizedBytes);
        expect(x.value.report?.matrices.length).toBe(report?.matrices.length);
        expect(x.value.timing.stepMs).toBeGreaterThan(0);
        break;
      }
      got.push(x.value.loss);
    }
    expect(got).toEqual(want);
    // A refusal crosses the boundary with its name and message (DoRA needs float weights).
    const refused = lab.qloraRun({ ...job, model, base: 'nf4', variant: 'dora' });
    const error = await refused.next().then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(error?.name).toBe('LoraConfigError');
    expect(error?.message).toMatch(/useDora = true: .* holds no float weight/);
    lab.terminate();
  });

  it('runs an initialisation experiment with progress within each run', async () => {
    const lab = startExperiments({ inProcess: true });
    const spec = {
      model: 'mlp',
      options: { seed: 0, pretrainSteps: 20, batches: 2, batchSize: 16 },
    } as const;
    expect((await lab.initTask(spec)).label).toMatch(/MLP|perceptron|teacher/i);
    const settings = { scale: 0.5, r: 2, alpha: 4, lr: 0.01, seed: 0 };
    const gen = lab.initExperiment(spec, 'rankRuns', settings, [1, 2], { steps: 3 });
    const fractions: number[] = [];
    let next = await gen.next();
    while (next.done !== true) {
      fractions.push(next.value.fraction);
      next = await gen.next();
    }
    expect(next.value?.ranks).toEqual([1, 2]);
    expect(next.value?.variants).toHaveLength(2);
    // More reports than the four runs, never going backwards.
    expect(fractions.length).toBeGreaterThan(4);
    expect([...fractions].sort((a, b) => a - b)).toEqual(fractions);
    lab.terminate();
  });

  it('a page that loads its digits again does not pile up tensors in the runner', async () => {
    const lab = startExperiments({ inProcess: true });
    const short = { ...opts, steps: 2 };
    const held: number[] = [];
    // Each round is a rerun of the data cell: new arrays for the same digits.
    for (let round = 0; round < 6; round++) {
      const train = digits(96, 1);
      const test = digits(48, 2);
      await lab.mnistRunToEnd(train, test, short);
      await lab.mnistRunToEnd({ ...train, count: 64 }, test, short);
      held.push(tf.memory().numTensors);
    }
    lab.terminate();
    // Three sets per round (train in full and a subset, test): at most MAX_MNIST_SETS are kept,
    // so the count stops growing once the cache is full (it grew by 6 tensors a round before).
    expect(held.at(-1)).toBe(held[1]);
    expect(held.at(-1)).toBeLessThanOrEqual((held[0] ?? 0) + 2);
  });
});
