/**
 * Every training path of the site gives the numbers it gave before the one training loop and
 * the one batcher replaced its own (issue 17): the same seeds must give the same shuffles, so the
 * same batches, so the same losses, bit for bit. The expected values in
 * `same-numbers.fixture.json` were recorded from the code before that change (on the cpu
 * backend, whose float32 maths is plain JavaScript and the same on every machine); a change to
 * any batch order, optimiser step or loss changes them.
 *
 * Re-record only on purpose (a change meant to change the figures, whose results files are then
 * remade too): `RECORD_SAME_NUMBERS=1 npx vitest run test/experiments/same-numbers.test.ts`.
 */
import * as tf from '@tensorflow/tfjs';
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { standInSplit } from '../../src/core/data/tasks.ts';
import { Encoder, encoderConfig } from '../../src/core/models/encoder.ts';
import { Rng } from '../../src/core/rng.ts';
import { initRunToEnd, mlpTeacherTask } from '../../src/experiments/initialisation/index.ts';
import { encoderRunToEnd, mnistRun } from '../../src/experiments/intrinsic/index.ts';
import { placementRun, placementRunToEnd } from '../../src/experiments/placement/index.ts';
import { fineTune } from '../../src/experiments/lowrank/index.ts';
import { DEFAULT_RUN, FineTuneSession } from '../../src/experiments/training/index.ts';
import { checkNoLeaks, useBackend } from '../core/helpers.ts';

const FIXTURE = new URL('./same-numbers.fixture.json', import.meta.url);
const RECORD = process.env.RECORD_SAME_NUMBERS === '1';
const recorded: Record<string, number[]> = RECORD
  ? {}
  : (JSON.parse(readFileSync(FIXTURE, 'utf8')) as Record<string, number[]>);

function pin(name: string, values: readonly number[]): void {
  expect(values.length).toBeGreaterThan(0);
  if (RECORD) recorded[name] = [...values];
  else expect(values, name).toEqual(recorded[name]);
}

const micro = encoderConfig('micro', { hiddenDropoutProb: 0, attentionDropoutProb: 0 });

/**
 * `n` rows of `T` tokens whose ids depend on the label (so a run can learn something); with
 * `padded`, row i keeps its first 2 + (i mod (T − 1)) tokens and the rest is padding (id 1, mask 0).
 */
function encodedRows(seed: number, n: number, T: number, padded = false) {
  const rng = new Rng(seed);
  const ids = new Int32Array(n * T);
  const mask = new Int32Array(n * T);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = rng.int(2);
    const len = padded ? Math.min(T, 2 + (i % (T - 1))) : T;
    for (let t = 0; t < T; t++) {
      ids[i * T + t] = t < len ? 3 + ((labels[i] ?? 0) * 20 + rng.int(20)) : 1;
      mask[i * T + t] = t < len ? 1 : 0;
    }
  }
  return { n, maxLen: T, ids, mask, labels };
}

/** A labelled set of `n` random 16-pixel "images" in 3 classes. */
function images(seed: number, n: number) {
  const rng = new Rng(seed);
  const y = Array.from({ length: n }, () => rng.int(3));
  const x = y.flatMap((c) =>
    Array.from({ length: 16 }, (_, j) => (j % 3 === c ? 1 : 0) + rng.next()),
  );
  return { x: tf.tensor2d(x, [n, 16]), y: tf.tensor1d(y, 'int32') };
}

async function losses<T extends { loss: number }>(
  it: AsyncGenerator<T, unknown, undefined>,
): Promise<number[]> {
  const out: number[] = [];
  for (;;) {
    const r = await it.next();
    if (r.done === true) return out;
    out.push(r.value.loss);
  }
}

describe('every training path gives the numbers it gave before (cpu)', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });
  afterAll(() => {
    if (RECORD) writeFileSync(FIXTURE, `${JSON.stringify(recorded, null, 1)}\n`);
  });
  checkNoLeaks();

  it('intrinsic: mnistRun in a subspace and in full (batches wrap past an epoch)', async () => {
    const train = images(1, 10);
    const test = images(2, 6);
    try {
      for (const d of [5, 'full'] as const) {
        const it = mnistRun(train, test, { d, seed: 3, steps: 7, batchSize: 4, sizes: [16, 8, 3] });
        pin(`mnistRun.${String(d)}`, await losses(it));
      }
    } finally {
      tf.dispose([train.x, train.y, test.x, test.y]);
    }
  });

  it('intrinsic: encoderRun in a subspace and in full', async () => {
    for (const d of [8, 'full'] as const) {
      const encoder = new Encoder({ ...micro, numLabels: 2 }, { seed: 5 });
      try {
        const steps: number[] = [];
        const r = await encoderRunToEnd({
          encoder,
          train: encodedRows(1, 10, 5),
          test: encodedRows(2, 6, 5),
          d,
          seed: 4,
          steps: 6,
          batchSize: 4,
          learningRate: 1e-2,
        });
        steps.push(r.finalLoss, r.accuracy);
        pin(`encoderRun.${String(d)}`, steps);
      } finally {
        encoder.dispose();
      }
    }
  });

  it('intrinsic: encoderRun step by step', async () => {
    const { encoderRun } = await import('../../src/experiments/intrinsic/index.ts');
    const encoder = new Encoder({ ...micro, numLabels: 2 }, { seed: 5 });
    try {
      const it = encoderRun({
        encoder,
        train: encodedRows(1, 10, 5),
        test: encodedRows(2, 6, 5),
        d: 'full',
        seed: 4,
        steps: 6,
        batchSize: 4,
        learningRate: 1e-2,
      });
      pin('encoderRun.steps', await losses(it));
    } finally {
      encoder.dispose();
    }
  });

  it('placement: classifier only, LoRA on two modules, full fine-tuning', async () => {
    const settings = [
      { kind: 'classifier' },
      { kind: 'lora', modules: ['query', 'value'], layers: 'all', r: 2 },
      { kind: 'full' },
    ] as const;
    for (const setting of settings) {
      const encoder = new Encoder({ ...micro, numLabels: 2 }, { seed: 11 });
      try {
        const it = placementRun({
          encoder,
          train: encodedRows(1, 10, 5),
          test: encodedRows(2, 6, 5),
          setting,
          seed: 2,
          steps: 6,
          batchSize: 4,
          learningRate: 1e-2,
        });
        pin(`placementRun.${setting.kind}`, await losses(it));
      } finally {
        encoder.dispose();
      }
    }
  });

  it('placement: padded rows (each batch cut to its longest row)', async () => {
    const encoder = new Encoder({ ...micro, numLabels: 2 }, { seed: 11 });
    try {
      const r = await placementRunToEnd({
        encoder,
        train: encodedRows(1, 10, 7, true),
        test: encodedRows(2, 6, 7, true),
        setting: { kind: 'lora', modules: ['query', 'value'], layers: 'all', r: 2 },
        seed: 2,
        steps: 6,
        batchSize: 4,
        learningRate: 1e-2,
      });
      pin('placementRun.padded', [r.finalLoss, r.accuracy]);
    } finally {
      encoder.dispose();
    }
  });

  it('training: the fine-tuning session (batches that run past an epoch)', async () => {
    const s = new FineTuneSession({
      split: standInSplit(1, 2),
      dataLabel: 'stand-in',
      pretrained: null,
      whyNoPretrained: 'test',
      preset: 'micro',
    });
    try {
      const r = await s.train({
        ...DEFAULT_RUN,
        steps: 7,
        batchSize: 5,
        evalEvery: 0,
        seed: 3,
        learningRate: 1e-2,
      });
      pin('session.losses', r.losses);
      pin('session.accuracy', [r.accuracy]);
    } finally {
      s.dispose();
    }
  });

  it('initialisation: the MLP teacher task and a run on it', async () => {
    const task = await mlpTeacherTask({ seed: 1, pretrainSteps: 8, batches: 3, batchSize: 8 });
    try {
      const run = await initRunToEnd(task, {
        settings: { r: 2, loraAlpha: 4, initScale: 0.3, initLoraWeights: true },
        seed: 0,
        steps: 5,
        learningRate: 1e-2,
      });
      pin(
        'initRun',
        run.map((s) => s.loss),
      );
      pin(
        'initRun.normB',
        run.map((s) => s.normB),
      );
    } finally {
      task.dispose();
    }
  });

  it('low-rank lesson: full fine-tuning and LoRA on every linear (padded rows)', async () => {
    for (const method of [{ kind: 'full' }, { kind: 'lora', r: 2 }] as const) {
      const enc = new Encoder({ ...micro, numLabels: 2 }, { seed: 6 });
      try {
        const it = fineTune({
          encoder: enc,
          train: encodedRows(1, 12, 6, true),
          validation: encodedRows(2, 6, 6),
          test: encodedRows(3, 6, 6),
          method,
          seed: 0,
          steps: 5,
          batchSize: 4,
          learningRate: 1e-2,
        });
        const steps: number[] = [];
        let r = await it.next();
        while (r.done !== true) {
          steps.push(r.value.loss);
          r = await it.next();
        }
        pin(`lowrank.${method.kind}`, [...steps, r.value.finalLoss, r.value.accuracy.test]);
        r.value.dispose();
      } finally {
        enc.dispose();
      }
    }
  });
});
