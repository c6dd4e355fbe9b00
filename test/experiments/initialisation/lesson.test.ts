/**
 * The initialisation lesson's experiments (src/experiments/initialisation/lesson.ts) on the small MLP task,
 * checked against what the maths fixes exactly: the no-op schemes' output change is 0; both-zero
 * never gets a gradient; "both random" at init scale 0 is LoRA with B = 0, so its loss jump at step
 * 0 is exactly 0; at r = 1, α/r and α/√r are the same scaling, so the two rank curves meet exactly
 * there; an aborted experiment returns null. Then the shipped precomputed first frames
 * (public/results/initialisation/encoder.json): made with the model the site serves, at the
 * lesson's opening settings, and obeying the same exact invariants.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  INIT_LESSON_DEFAULTS,
  INIT_LESSON_ENCODER_TASK,
  INIT_RANKS,
  INIT_SCHEMES,
  INIT_SEED_COUNT,
  INIT_SPIKE_SCALES,
  rankRuns,
  runToResult,
  sameInitSettings,
  schemeRuns,
  spikeRuns,
  startChanges,
  type RankRuns,
  type SchemeRuns,
  type SpikeRuns,
  type StartChange,
} from '../../../src/experiments/initialisation/lesson.ts';
import { InitExperimentError } from '../../../src/experiments/initialisation/experiments.ts';
import { mlpTeacherTask } from '../../../src/experiments/initialisation/tasks.ts';
import { initLabel } from '../../../src/experiments/initialisation/labels.ts';
import { NODE_BACKENDS, checkNoLeaks, must, useBackend } from '../../core/helpers.ts';

const NO_OP = ['default', 'zero-both', 'a-zero-b-random', 'gated'];

/** The exact claims both the live runs and the precomputed file must satisfy. */
function checkInvariants(
  change: readonly StartChange[],
  runs: SchemeRuns,
  spike: SpikeRuns,
  ranks: RankRuns,
): void {
  expect(change.map((c) => c.id)).toEqual(INIT_SCHEMES.map((d) => d.id));
  for (const c of change) {
    if (NO_OP.includes(c.id)) expect(c.change, c.id).toBe(0);
    else expect(c.change, c.id).toBeGreaterThan(0);
  }
  const get = (id: string) => must(runs.results.find((r) => r.id === id)).perSeed;
  for (const run of get('zero-both'))
    for (const s of run) expect([s.normA, s.normB]).toEqual([0, 0]);
  for (const run of get('default')) {
    expect(must(run[0]).normA).toBe(0);
    expect(must(run[0]).normB).toBeGreaterThan(0);
    expect(must(run[1]).normA).toBeGreaterThan(0);
  }
  for (const run of get('a-zero-b-random')) {
    expect(must(run[0]).normB).toBe(0);
    expect(must(run[0]).normA).toBeGreaterThan(0);
  }
  for (const run of get('gated')) {
    expect([must(run[0]).normA, must(run[0]).normB]).toEqual([0, 0]);
    expect(must(run[0]).normGate).toBeGreaterThan(0);
  }
  // Scale 0 makes "both random" start with B = 0: the model is the base model at step 0.
  const zero = spike.scales.indexOf(0);
  expect(zero).toBeGreaterThanOrEqual(0);
  for (const v of spike.variants) expect(Math.abs(must(v.jump[zero]))).toBeLessThan(1e-6);
  // r = 1: α/r = α/√r, the same runs bit for bit.
  const one = ranks.ranks.indexOf(1);
  expect(one).toBeGreaterThanOrEqual(0);
  const [lora, rs] = ranks.variants;
  expect(must(lora).final[one]).toBe(must(rs).final[one]);
  expect(must(lora).useRslora).toBe(false);
  expect(must(rs).useRslora).toBe(true);
}

for (const backend of NODE_BACKENDS)
  describe(`initialisation lesson experiments (MLP task, ${backend})`, () => {
    beforeAll(async () => {
      await useBackend(backend);
    });
    checkNoLeaks();
    it('obey the exact invariants, report progress up to 1, and stop on abort', async () => {
      const task = await mlpTeacherTask({ seed: 2, pretrainSteps: 20, batches: 2, batchSize: 16 });
      try {
        const s = { ...INIT_LESSON_DEFAULTS, r: 2, alpha: 4 };
        const o = { steps: 3 };
        const fractions: number[] = [];
        const change = await startChanges(task, s);
        const runs = must(
          await runToResult(schemeRuns(task, s, [0, 1], o), (p) => fractions.push(p.fraction)),
        );
        expect(fractions).toHaveLength(INIT_SCHEMES.length * 2);
        expect(fractions.at(-1)).toBe(1);
        expect(fractions.every((f, i) => i === 0 || f > must(fractions[i - 1]))).toBe(true);
        expect(runs.base).toHaveLength(task.batches);
        expect(runs.results.every((r) => r.perSeed.every((steps) => steps.length === 3))).toBe(
          true,
        );
        const spike = must(await runToResult(spikeRuns(task, s, [0, 1], o)));
        expect(spike.variants.map((v) => v.name)).toEqual([
          'learning rate 0.1',
          'learning rate 0.01',
          'warm-up to 0.1 over 1 steps',
        ]);
        // The Japanese edition's names for the same variants and task (labels.ts).
        expect(spike.variants.map((v) => initLabel(v.name, 'ja'))).toEqual([
          '学習率0.1',
          '学習率0.01',
          '1ステップで0.1まで上げるウォームアップ',
        ]);
        expect(initLabel(task.label, 'ja')).toMatch(
          /^教師で事前学習し、ずらした教師に適応させるMLP \[\d+, \d+, \d+, 2\]$/,
        );
        // Scale 1 adds noise at step 0, so its jump is not zero.
        for (const v of spike.variants) expect(Math.abs(must(v.jump[1]))).toBeGreaterThan(1e-4);
        const ranks = must(await runToResult(rankRuns(task, s, [1, 2], o)));
        checkInvariants(change, runs, spike, ranks);

        const controller = new AbortController();
        controller.abort();
        const aborted = await runToResult(
          schemeRuns(task, s, [0], { ...o, signal: controller.signal }),
        );
        expect(aborted).toBeNull();
        await expect(runToResult(schemeRuns(task, s, [], o))).rejects.toThrow(InitExperimentError);
      } finally {
        task.dispose();
      }
    });

    it('sameInitSettings compares every field', () => {
      const d = INIT_LESSON_DEFAULTS;
      expect(sameInitSettings(d, { ...d })).toBe(true);
      for (const k of ['scale', 'r', 'alpha', 'lr', 'seed'] as const)
        expect(sameInitSettings(d, { ...d, [k]: d[k] + 1 }), k).toBe(false);
    });
  });

describe('the precomputed first frames (public/results/initialisation/encoder.json)', () => {
  const frames = JSON.parse(readFileSync('public/results/initialisation/encoder.json', 'utf8')) as {
    modelSha256: string;
    settings: typeof INIT_LESSON_DEFAULTS;
    steps: number;
    startChange: StartChange[];
    runs: SchemeRuns;
    spike: SpikeRuns;
    rankRuns: RankRuns;
  };

  it('were made with the model this site serves, at the opening settings and full sizes', () => {
    const weights = readFileSync('public/models/tiny-roberta/model.safetensors');
    const sha = createHash('sha256').update(weights).digest('hex');
    expect(frames.modelSha256, 'rerun npm run reproduce:initialisation').toBe(sha);
    expect(sameInitSettings(frames.settings, INIT_LESSON_DEFAULTS)).toBe(true);
    expect(frames.steps).toBe(INIT_LESSON_ENCODER_TASK.steps);
    expect(frames.runs.seeds).toEqual(
      Array.from({ length: INIT_SEED_COUNT }, (_, i) => INIT_LESSON_DEFAULTS.seed + i),
    );
    expect(frames.spike.scales).toEqual(INIT_SPIKE_SCALES);
    expect(frames.rankRuns.ranks).toEqual(INIT_RANKS);
    for (const r of frames.runs.results)
      for (const steps of r.perSeed)
        expect(steps.map((s) => s.step)).toEqual(Array.from({ length: frames.steps }, (_, i) => i));
  });

  it('obey the same exact invariants as the live runs', () => {
    checkInvariants(frames.startChange, frames.runs, frames.spike, frames.rankRuns);
    expect(
      frames.runs.results.flatMap((r) => r.perSeed.flat()).every((s) => Number.isFinite(s.loss)),
    ).toBe(true);
  });
});
