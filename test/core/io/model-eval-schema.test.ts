/**
 * eval.json's optional evidence fields (scripts/pretrain-eval.ts): per-sentence correctness, the
 * test mean's interval, LoRA−full gaps and the hyper-parameter search. The shipped file predates
 * them; a file that has them must pass, and a malformed one must be refused naming the field.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseModelEval } from '../../../src/core/io/model-files.ts';

const shipped = JSON.parse(
  readFileSync(
    path.resolve(import.meta.dirname, '../../../public/models/tiny-roberta/eval.json'),
    'utf8',
  ),
) as Record<string, unknown> & { runs: Record<string, unknown>[] };

function withEvidence(): Record<string, unknown> & { runs: Record<string, unknown>[] } {
  const copy = structuredClone(shipped);
  copy.runs = copy.runs.map((r) => ({ ...r, testCorrect: '1101' }));
  return {
    ...copy,
    summary: {
      'full/pretrained:mean': {
        n: 5,
        test: { mean: 0.9, sd: 0.01 },
        validation: { mean: 0.8, sd: 0.01 },
        testCi95: { low: 0.87, high: 0.93 },
      },
    },
    gaps: {
      'lora/pretrained:mean − full/pretrained:mean': {
        estimate: -0.04,
        low: -0.07,
        high: -0.01,
        n: [5, 5],
      },
    },
    search: {
      grid: 'lora=1e-3,3e-3@6,12',
      seed: 100,
      chosen: { lora: { lr: 0.003, epochs: 12, validation: 0.77 } },
      trials: [
        { arm: 'lora/pretrained:mean', validation: 0.77, lr: 0.003, epochs: 12, test: null },
      ],
    },
  };
}

describe('eval.json schema: the evidence fields', () => {
  it('accepts the shipped file, and one with intervals, gaps, search and correctness strings', () => {
    expect(() => parseModelEval(shipped)).not.toThrow();
    expect(
      parseModelEval(withEvidence()).gaps?.['lora/pretrained:mean − full/pretrained:mean']?.low,
    ).toBe(-0.07);
  });

  it('refuses a correctness string with other characters, naming the run', () => {
    const bad = withEvidence();
    bad.runs[2] = { ...bad.runs[2], testCorrect: '10x1' };
    expect(() => parseModelEval(bad)).toThrow(
      /eval\.json\.runs\[2\]\.testCorrect = "10x1": expected a string of .0. and .1./,
    );
  });

  it('refuses an interval outside [0, 1] and a gap without both arms\u2019 seed counts', () => {
    const badCi = {
      ...withEvidence(),
      summary: {
        'full/pretrained:mean': {
          n: 5,
          test: { mean: 0.9, sd: 0.01 },
          validation: { mean: 0.8, sd: 0.01 },
          testCi95: { low: 0.87, high: 93 },
        },
      },
    };
    expect(() => parseModelEval(badCi)).toThrow(/testCi95\.high = 93/);
    const badGap = {
      ...withEvidence(),
      gaps: { 'lora − full': { estimate: -0.04, low: -0.07, high: -0.01, n: [5] } },
    };
    expect(() => parseModelEval(badGap)).toThrow(/\.n = an array of 1/);
  });
});
