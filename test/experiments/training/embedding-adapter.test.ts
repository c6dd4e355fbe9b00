/**
 * The training lesson's session with an adapter on the word-embedding table as well as on the
 * linears (a run config may name `word_embeddings` among its target modules), on wasm with the
 * micro encoder: it trains (the loss falls), merges with the same predictions, and its saved files carry
 * PEFT's `lora_embedding_A/B` and load back with bit-identical logits.
 */
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_RUN,
  FineTuneSession,
  type RunConfig,
} from '../../../src/experiments/training/index.ts';
import { standInSplit } from '../../../src/core/data/tasks.ts';
import { decodeSafetensors } from '../../../src/core/io/safetensors.ts';
import { checkNoLeaks, useBackend } from '../../core/helpers.ts';

const RUN: RunConfig = {
  ...DEFAULT_RUN,
  targetModules: ['query', 'value', 'word_embeddings'],
  steps: 30,
  batchSize: 8,
  evalEvery: 0,
  seed: 5,
  learningRate: 1e-2,
};

describe('training lesson session with an adapter on the word embeddings (wasm)', () => {
  checkNoLeaks();

  it('trains, merges to the same predictions, and round-trips in PEFT form', async () => {
    await useBackend('wasm');
    const s = new FineTuneSession({
      split: standInSplit(1),
      dataLabel: 'stand-in',
      pretrained: null,
      whyNoPretrained: 'test',
      preset: 'micro',
    });
    try {
      const run = await s.train(RUN);
      const head = run.losses.slice(0, 5).reduce((a, b) => a + b, 0) / 5;
      const tail = run.losses.slice(-5).reduce((a, b) => a + b, 0) / 5;
      expect(tail).toBeLessThan(head);
      const m = await s.mergeCheck(1);
      expect(m.samePredictions).toBe(true);
      expect(m.maxAbsLogitDiff).toBeLessThanOrEqual(1e-5 * Math.max(1, m.maxAbsLogit));
      const files = await s.saveAdapter();
      const names = Object.keys(decodeSafetensors(files.adapterModelSafetensors).tensors);
      expect(names).toContain(
        'base_model.model.roberta.embeddings.word_embeddings.lora_embedding_A',
      );
      expect(names).toContain(
        'base_model.model.roberta.embeddings.word_embeddings.lora_embedding_B',
      );
      expect((await s.roundTrip(files)).maxAbsLogitDiff).toBe(0);
    } finally {
      s.dispose();
    }
  });
});
