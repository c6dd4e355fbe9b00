/**
 * The shipped low-rank results (public/results/lowrank/sentiment.json, made by
 * `npm run reproduce:low-rank`): made with the weights the site serves, complete, with at least
 * three seeds behind every accuracy the lesson averages; the summaries agree with the singular
 * values they summarise; the random reference has the update's norm; truncation at full rank gives
 * the fine-tuned model's own accuracy back; φ lies in [0, 1].
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  effectiveRank,
  energyShare,
  parseLowRankResults,
} from '../../../src/experiments/lowrank/index.ts';

const results = parseLowRankResults(
  JSON.parse(readFileSync('public/results/lowrank/sentiment.json', 'utf8')),
);
const s = results.settings;

describe('shipped low-rank results', () => {
  it('were made with the weights the site serves, complete, over at least three seeds', () => {
    const weights = readFileSync('public/models/tiny-roberta/model.safetensors');
    expect(s.modelSha256, 'rerun npm run reproduce:low-rank').toBe(
      createHash('sha256').update(weights).digest('hex'),
    );
    expect(results.complete).toBe(true);
    expect(results.standin).toBe(false);
    expect(s.seeds.length).toBeGreaterThanOrEqual(3);
    const full = results.runs.filter((r) => r.method.kind === 'full').map((r) => r.seed);
    expect(full).toEqual(s.seeds);
    const lora = results.runs.filter(
      (r) => r.method.kind === 'lora' && r.method.r === s.loraRanks[0],
    );
    expect(lora.map((r) => r.seed)).toEqual(s.seeds);
    expect(results.spectra.map((x) => x.seed)).toEqual(s.seeds);
    expect(results.truncation.map((x) => x.seed)).toEqual(s.seeds);
    for (const r of results.runs) expect(r.steps, r.label).toBe(s.steps);
  });

  it('each accuracy is k / (sentences); the MLM score before training is the same for every run', () => {
    for (const r of results.runs) {
      for (const [acc, n] of [
        [r.test, s.testExamples],
        [r.validation, s.validationExamples],
      ] as const) {
        const k = acc * n;
        expect(Math.abs(k - Math.round(k)), r.label).toBeLessThan(0.01); // stored to 5 digits
      }
      expect(r.mlmBefore.loss).toBeCloseTo(results.runs[0]?.mlmBefore.loss ?? Number.NaN, 3);
    }
  });

  it('spectrum summaries agree with their singular values; the random matrix has the same norm', () => {
    for (const run of results.spectra)
      for (const m of run.modules) {
        expect(m.delta.s).toHaveLength(Math.min(m.rows, m.cols));
        expect(m.random.frobenius / m.delta.frobenius).toBeCloseTo(1, 3);
        for (const x of [m.delta, m.random]) {
          expect(x.effectiveRank).toBeCloseTo(effectiveRank(x.s), 2);
          expect(x.share['8']).toBeCloseTo(energyShare(x.s, 8), 3);
          for (let i = 1; i < x.s.length; i++)
            expect(x.s[i] ?? 0).toBeLessThanOrEqual((x.s[i - 1] ?? 0) * (1 + 1e-4));
        }
      }
  });

  it('truncation at full rank, rest fine-tuned, is the fine-tuned model', () => {
    const full = Math.max(...s.truncationRanks);
    for (const t of results.truncation) {
      const run = results.runs.find((r) => r.method.kind === 'full' && r.seed === t.seed);
      const p = t.points.find((q) => q.r === full && q.rest === 'tuned');
      expect(p?.test).toBeCloseTo(run?.test ?? Number.NaN, 2);
      expect(t.points).toHaveLength(2 * s.truncationRanks.length);
    }
  });

  it('φ lies in [0, 1], and the amplification factor is ‖ΔW‖ / ‖UᵀWV‖', () => {
    expect(results.overlap.length).toBeGreaterThan(0);
    for (const o of results.overlap)
      for (const m of o.modules)
        for (const row of m.phi)
          for (const v of row) {
            expect(v).toBeGreaterThanOrEqual(-1e-9);
            expect(v).toBeLessThanOrEqual(1 + 1e-6);
          }
    expect(results.amplification.length).toBeGreaterThan(0);
    for (const a of results.amplification) {
      expect(a.factor).toBeCloseTo(a.deltaNorm / a.onDelta, 2);
      expect(a.onDelta).toBeLessThanOrEqual(a.onW * (1 + 1e-4));
    }
  });
});
