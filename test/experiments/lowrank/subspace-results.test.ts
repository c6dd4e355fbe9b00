/**
 * The shipped "structure or count?" results (public/results/lowrank/subspace.json, made by
 * `npm run reproduce:low-rank-subspace`): made with the weights the site serves, complete; the
 * subspace has exactly as many trainable weights as the LoRA runs of results/lowrank/sentiment.json
 * it is compared with, and the same steps and batch size; the chosen learning rate is the search's
 * best on validation, and the search seed's run at that rate is its evaluation run; the ΔW
 * summaries agree with their singular values.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  effectiveRank,
  parseLowRankResults,
  parseSubspaceResults,
} from '../../../src/experiments/lowrank/index.ts';

const subspace = parseSubspaceResults(
  JSON.parse(readFileSync('public/results/lowrank/subspace.json', 'utf8')),
);
const lowrank = parseLowRankResults(
  JSON.parse(readFileSync('public/results/lowrank/sentiment.json', 'utf8')),
);
const s = subspace.settings;

describe('shipped subspace results', () => {
  it('were made with the weights the site serves, complete, on the LoRA runs’ budget', () => {
    const weights = readFileSync('public/models/tiny-roberta/model.safetensors');
    expect(s.modelSha256, 'rerun npm run reproduce:low-rank-subspace').toBe(
      createHash('sha256').update(weights).digest('hex'),
    );
    expect(subspace.complete).toBe(true);
    expect(subspace.standin).toBe(false);
    const lora = lowrank.runs.filter((r) => r.method.kind === 'lora' && r.method.r === s.loraRank);
    expect(lora.length).toBeGreaterThan(0);
    for (const r of lora) expect(r.trainable).toBe(s.d);
    expect(s.steps).toBe(lowrank.settings.steps);
    expect(s.batchSize).toBe(lowrank.settings.batchSize);
    expect(subspace.runs.map((r) => r.seed)).toEqual(s.seeds);
    for (const r of subspace.runs) {
      expect(r.trainable).toBe(s.d);
      expect(r.method).toEqual({ kind: 'subspace', d: s.d });
      expect(r.steps).toBe(s.steps);
    }
  });

  it('chose the learning rate on validation; the search seed’s run is its evaluation run', () => {
    expect(subspace.search.map((x) => x.learningRate)).toEqual(s.learningRates);
    const best = Math.max(...subspace.search.map((x) => x.validation));
    const chosen = subspace.search.find((x) => x.learningRate === subspace.learningRate);
    expect(chosen?.validation).toBe(best);
    const run = subspace.runs.find((r) => r.seed === s.searchSeed);
    if (run) {
      expect(run.validation).toBe(chosen?.validation);
      expect(run.test).toBe(chosen?.test);
    }
  });

  it('summarises each ΔW by its own singular values', () => {
    expect(subspace.spectra.map((x) => x.seed)).toEqual(s.seeds);
    for (const m of subspace.spectra.flatMap((x) => x.modules)) {
      expect(m.delta.effectiveRank).toBeCloseTo(effectiveRank(m.delta.s), 2);
      expect(m.random.frobenius).toBeCloseTo(m.delta.frobenius, 3);
    }
  });
});
