/**
 * The training lesson's session (src/experiments/training) on Node's cpu and wasm backends, with a
 * micro-sized random encoder on the generated stand-in split (fast, deterministic):
 * merge equivalence, adapter save/load round trip, hot-swap round trips, stop/resume equal to an
 * uninterrupted run, loss falls, and the first losses of cpu and wasm agree.
 *
 * Tolerances: merged vs unmerged logits differ only by float32 rounding of W0 + s·A·B against
 * x·W0 + s·(x·A)·B — a few ulps of the logits' size, so 1e-5 × max(1, |logit|max). A saved and
 * reloaded adapter is bit-exact (float32 written and read as is), so its logits are identical.
 * cpu vs wasm: same float32 maths, different kernels (XNNPACK vs plain JS) and summation order,
 * so the losses agree to ~1e-6 relative at step 1 and drift slowly as Adam steps on them; 1e-4
 * relative over the first 5 steps leaves room for that drift and still catches any real
 * difference (a wrong op changes the loss in the 2nd–3rd digit).
 */
import { describe, expect, it as vit } from 'vitest';
import {
  DEFAULT_RUN,
  FineTuneError,
  FineTuneSession,
  type RunConfig,
} from '../../../src/experiments/training/index.ts';
import { standInSplit } from '../../../src/core/data/tasks.ts';
import { meanSd } from '../../../src/core/stats.ts';
import * as tf from '@tensorflow/tfjs';
import { Adam, Rng, randn } from '../../../src/core/index.ts';
import { checkNoLeaks, NODE_BACKENDS, useBackend } from '../../core/helpers.ts';

const RUN: RunConfig = { ...DEFAULT_RUN, steps: 12, batchSize: 8, evalEvery: 0, seed: 3 };

function session(): FineTuneSession {
  return new FineTuneSession({
    split: standInSplit(1),
    dataLabel: 'stand-in',
    pretrained: null,
    whyNoPretrained: 'test',
    preset: 'micro',
  });
}

// The whole suite on wasm; on cpu (about 10x slower here) only the adapter round trip, since
// 'backends agree' below already ties cpu's losses to wasm's.
const CPU_TOO = new Set(['a saved adapter loads into a fresh model with bit-identical logits']);

for (const backend of NODE_BACKENDS) {
  const it = (name: string, fn: () => Promise<void>) => {
    if (backend === 'wasm' || CPU_TOO.has(name)) vit(name, fn);
  };
  describe(`training lesson session on ${backend}`, () => {
    checkNoLeaks();

    it('merged predictions equal unmerged ones, and the adapter did change the logits', async () => {
      await useBackend(backend);
      const s = session();
      try {
        await s.train({ ...RUN, steps: 20, learningRate: 1e-2 });
        const m = await s.mergeCheck(1);
        // B moved away from 0, and merging changes the logits far less than the adapter does.
        expect(m.maxAbsAdapterEffect).toBeGreaterThan(100 * m.maxAbsLogitDiff);
        expect(m.maxAbsAdapterEffect).toBeGreaterThan(1e-5);
        expect(m.maxAbsLogitDiff).toBeLessThanOrEqual(1e-5 * Math.max(1, m.maxAbsLogit));
        expect(m.samePredictions).toBe(true);
        expect(m.mergedMs).toBeGreaterThan(0);
      } finally {
        s.dispose();
      }
    });

    it('a saved adapter loads into a fresh model with bit-identical logits', async () => {
      await useBackend(backend);
      const s = session();
      try {
        await s.train({ ...RUN, learningRate: 1e-2 });
        const files = await s.saveAdapter();
        const config = JSON.parse(files.adapterConfigJson) as Record<string, unknown>;
        expect(config.r).toBe(RUN.r);
        expect(config.target_modules).toEqual(RUN.targetModules);
        expect(config.modules_to_save).toEqual(['classifier']);
        const rt = await s.roundTrip(files);
        expect(rt.maxAbsLogitDiff).toBe(0);
        // A corrupted file is refused with a typed error, not half-loaded.
        const bad = {
          ...files,
          adapterConfigJson: files.adapterConfigJson.replace('"r": 2', '"r": 3'),
        };
        await expect(s.roundTrip(bad)).rejects.toThrow(/shape|lora_A/);
      } finally {
        s.dispose();
      }
    });

    it('hot-swapping two adapters (in place and merged) leaves each task’s predictions identical', async () => {
      await useBackend(backend);
      const s = session();
      try {
        await s.train({ ...RUN, learningRate: 1e-2 });
        const acc1 = await s.accuracy('sentiment');
        await s.trainSecondAdapter('source', 12);
        // The first adapter (and its head) is active again, unchanged.
        expect(await s.accuracy('sentiment')).toBe(acc1);
        for (const merged of [false, true]) {
          const r = await s.swapCheck(4, merged);
          expect(r.times).toHaveLength(4);
          expect(r.tasks.map((t) => t.task)).toEqual(['sentiment', 'source']);
          for (const t of r.tasks) {
            expect(t.identical).toBe(true);
            expect(t.accuracyAfter).toBe(t.accuracyBefore);
          }
        }
        await expect(s.trainSecondAdapter('sentiment', 2)).rejects.toThrow(FineTuneError);
      } finally {
        s.dispose();
      }
    });

    it('stop then resume gives exactly the losses of an uninterrupted run', async () => {
      await useBackend(backend);
      const s = session();
      try {
        const whole = await s.train(RUN);
        const held = await s.memory();
        // The first step left Adam's two moments, m and v: one float32 each per trainable weight.
        expect(whole.optimizerStateBytes).toBe(2 * 4 * whole.trainableParams);
        const ctl = new AbortController();
        const first = await s.train(
          RUN,
          (e) => {
            if (e.kind === 'progress' && e.step === 5) ctl.abort();
          },
          ctl.signal,
        );
        expect(first.stopped).toBe(true);
        expect(first.stepsDone).toBe(5);
        // Stop does not hold up the reader with a validation pass: no accuracy measured yet.
        expect(first.accuracy).toBeNaN();
        // A stopped run holds exactly what a finished one does (no step's tensors left behind).
        expect(await s.memory()).toEqual(held);
        const rest = await s.resume(0);
        expect(rest.stopped).toBe(false);
        expect(rest.stepsDone).toBe(RUN.steps);
        expect(rest.losses).toEqual(whole.losses);
      } finally {
        s.dispose();
      }
    });

    it('the loss falls, for LoRA and for full fine-tuning', async () => {
      await useBackend(backend);
      const s = session();
      try {
        for (const method of ['lora', 'full'] as const) {
          const r = await s.train({
            ...RUN,
            method,
            // A frozen random body: LoRA needs ~80 steps to leave the plateau at ln 2 (measured).
            steps: method === 'lora' ? 120 : 40,
            learningRate: method === 'lora' ? 1e-2 : 2e-3,
          });
          const head = meanSd(r.losses.slice(0, 10)).mean;
          const tail = meanSd(r.losses.slice(-10)).mean;
          expect(tail, `${method}: ${String(head)} → ${String(tail)}`).toBeLessThan(0.5 * head);
          expect(r.trainableParams).toBeLessThan(r.totalParams + 1);
          if (method === 'lora') expect(r.trainableParams).toBeLessThan(0.5 * r.totalParams);
        }
      } finally {
        s.dispose();
      }
    });

    it('rejects bad run settings with the field named', async () => {
      await useBackend(backend);
      const s = session();
      try {
        await expect(s.train({ ...RUN, r: 0 })).rejects.toThrow(/^r = 0/);
        await expect(s.train({ ...RUN, learningRate: -1 })).rejects.toThrow(/learningRate/);
        await expect(s.mergeCheck()).rejects.toThrow(/train a model first/);
      } finally {
        s.dispose();
      }
    });
  });
}

describe('the core module', () => {
  vit('exports meanSd once (two `export *` of one name silently export neither)', async () => {
    const core = await import('../../../src/core/index.ts');
    expect(core.meanSd([1, 2, 3])).toEqual({ mean: 2, sd: 1, n: 3 });
  });
});

describe("Adam's epsilon and the WebGL discrepancy", () => {
  // environment.md: a rank-8 LoRA on a 512×512 layer with Adam, 30 steps, ended at loss 4.7467 on
  // WebGL and 4.8452 elsewhere (2%). TF.js's own optimisers default ε to backend.epsilon(): 1e-7 at
  // 32 bits, 1e-4 where the backend reports 16-bit floats (WebGL in our Chromium worker does; see
  // the lesson's backends table). Here, on one backend, only ε changes.
  vit(
    'changing only ε from 1e-7 to 1e-4 moves a 30-step LoRA loss by about 2%; 1e-8 vs 1e-7 by < 0.1%',
    async () => {
      await useBackend('wasm');
      const rng = new Rng(1);
      const [d, r, n] = [512, 8, 64];
      const x = randn(rng, [n, d], 1);
      const w0 = randn(rng, [d, d], 1 / Math.sqrt(d));
      const target = tf.tidy(() =>
        tf.matMul(x, tf.add(w0, tf.matMul(randn(rng, [d, r], 0.3), randn(rng, [r, d], 0.3)))),
      );
      const finalLoss = async (epsilon: number): Promise<number> => {
        const a = tf.variable(randn(new Rng(2), [d, r], 1 / Math.sqrt(d)));
        const b = tf.variable(tf.zeros([r, d]));
        const opt = new Adam({ learningRate: 1e-2, epsilon });
        let last = Number.NaN;
        for (let s = 0; s < 30; s++) {
          const l = opt.step(
            () =>
              tf.mean<tf.Scalar>(
                tf.square(tf.sub(tf.add(tf.matMul(x, w0), tf.matMul(tf.matMul(x, a), b)), target)),
              ),
            [a, b],
          );
          last = (await l.data())[0] ?? Number.NaN;
          l.dispose();
        }
        opt.dispose();
        tf.dispose([a, b]);
        return last;
      };
      try {
        const [l8, l7, l4] = [await finalLoss(1e-8), await finalLoss(1e-7), await finalLoss(1e-4)];
        // Measured: 5.6461, 5.6444, 5.7418. The training lesson quotes the last two ("ended 30
        // Adam steps at loss 5.644 with ε = 1e-7 and 5.742 with 1e-4"): they must stay true.
        expect(l7).toBeCloseTo(5.644, 2);
        expect(l4).toBeCloseTo(5.742, 2);
        expect(Math.abs(l7 - l8) / l8).toBeLessThan(1e-3);
        const gap = Math.abs(l4 - l7) / l7;
        expect(gap).toBeGreaterThan(5e-3);
        expect(gap).toBeLessThan(5e-2);
      } finally {
        tf.dispose([x, w0, target]);
      }
    },
  );
});

describe('backends agree', () => {
  vit('the first five losses on cpu and wasm agree within 1e-4 relative', async () => {
    const losses: number[][] = [];
    for (const backend of NODE_BACKENDS) {
      await useBackend(backend);
      const s = session();
      try {
        losses.push((await s.train({ ...RUN, steps: 5 })).losses);
      } finally {
        s.dispose();
      }
    }
    const [cpu = [], wasm = []] = losses;
    expect(cpu).toHaveLength(5);
    cpu.forEach((l, i) => {
      expect(Math.abs(l - (wasm[i] ?? Number.NaN)) / Math.abs(l)).toBeLessThan(1e-4);
    });
  });
});
