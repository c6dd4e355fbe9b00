/**
 * The shipped placement results (public/results/placement/sentiment.json, made by
 * `npm run reproduce:placement`): made with the weights the site serves; every point's mean and
 * sd are those of its runs; every trainable count matches the closed form of LoRA's parameters
 * (r·(d_in + d_out) per adapted module, plus the classifier head it trains beside); the learning
 * rate of each kind is the best of its validation search.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { meanSd } from '../../../src/core/stats.ts';
import { parsePlacementResults } from '../../../src/experiments/placement/results.ts';

const results = parsePlacementResults(
  JSON.parse(readFileSync('public/results/placement/sentiment.json', 'utf8')),
);
describe('shipped placement results', () => {
  const s = results.settings;

  it('were made with the weights the site serves, every point on every seed', () => {
    const weights = readFileSync('public/models/tiny-roberta/model.safetensors');
    expect(s.modelSha256, 'rerun npm run reproduce:placement').toBe(
      createHash('sha256').update(weights).digest('hex'),
    );
    expect(results.complete).toBe(true);
    expect(s.seeds.length).toBeGreaterThanOrEqual(2);
    for (const p of results.points) expect(p.seeds, p.label).toEqual(s.seeds);
  });

  it("each point's mean ± sd is that of its runs, and each accuracy is k / (test sentences)", () => {
    for (const p of results.points) {
      const m = meanSd(p.accuracies);
      expect(p.mean, p.label).toBeCloseTo(m.mean, 12);
      expect(p.sd, p.label).toBeCloseTo(m.sd, 12);
      for (const a of p.accuracies) {
        const k = a * s.testExamples;
        expect(Math.abs(k - Math.round(k)), p.label).toBeLessThan(1e-9);
      }
    }
  });

  it('trainable counts follow the closed form r·(d_in + d_out) per module plus the head', () => {
    const { hiddenSize: H, intermediateSize: I, numHiddenLayers: L } = s.config;
    const head = H * H + H + H * 2 + 2; // classifier.dense and classifier.out_proj
    const dims: Record<string, number> = {
      query: 2 * H,
      key: 2 * H,
      value: 2 * H,
      'attention-output': 2 * H,
      'ffn-up': H + I,
      'ffn-down': I + H,
    };
    for (const p of results.points) {
      if (p.setting.kind === 'classifier') expect(p.trainable).toBe(head);
      if (p.setting.kind !== 'lora') continue;
      const layers = p.setting.layers === 'all' ? L : L / 2;
      const perLayer = (p.setting.modules ?? []).reduce((n, m) => n + (dims[m] ?? Number.NaN), 0);
      expect(p.trainable, p.label).toBe(head + layers * (p.setting.r ?? 0) * perLayer);
    }
  });

  it('the learning rate of each kind is the best of its validation search', () => {
    const chosen: Record<string, number> = {
      lora: s.learningRate,
      classifier: s.classifierLearningRate,
      full: s.fullLearningRate,
    };
    for (const kind of ['lora', 'classifier', 'full']) {
      const rows = results.lrSearch.filter((r) => r.kind === kind);
      expect(rows.length, kind).toBeGreaterThanOrEqual(2);
      const best = Math.max(...rows.map((r) => r.validation));
      expect(rows.find((r) => r.validation === best)?.learningRate, kind).toBe(chosen[kind]);
    }
  });
});
