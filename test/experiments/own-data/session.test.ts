/**
 * The own-data session on wasm with a micro encoder and a generated three-label table read through
 * the lesson's own path (parseTable → labelledFromTable → stratifiedSplit): LoRA learns it, Stop
 * then Resume gives the losses of an unbroken run, the classifier alone trains only the head,
 * and the saved adapter loads back into a fresh model with the same probabilities; label names
 * that are not the data's are refused.
 */
import { describe, expect, it } from 'vitest';
import {
  labelledFromTable,
  stratifiedSplit,
  type LabelledSplit,
} from '../../../src/core/data/labelled.ts';
import { tokenizerFromExamples } from '../../../src/core/data/tasks.ts';
import { Encoder, encoderConfig } from '../../../src/core/models/encoder.ts';
import {
  OWN_DEFAULT_RUN,
  OwnDataSession,
  parseTable,
  type OwnRunConfig,
} from '../../../src/experiments/own-data/index.ts';
import { checkNoLeaks, useBackend } from '../../core/helpers.ts';

const WORDS = {
  red: ['apple', 'cherry', 'rose'],
  green: ['leaf', 'grass', 'lime'],
  blue: ['sky', 'sea', 'ink'],
};

async function data(): Promise<LabelledSplit> {
  const lines = ['sentence\tcolour'];
  for (let i = 0; i < 40; i++)
    for (const [label, words] of Object.entries(WORDS))
      lines.push(`the ${words[i % 3] ?? ''} number ${i} is ${words[(i + 1) % 3] ?? ''}\t${label}`);
  const table = await parseTable(lines.join('\r\n'), 'auto', 'colours.tsv');
  return stratifiedSplit(labelledFromTable(table, 'sentence', 'colour'), 3, 0.2);
}

const bodies: Record<string, { dispose(): void }>[] = [];

function session(split: LabelledSplit): OwnDataSession {
  const tokenizer = tokenizerFromExamples(
    split.train.map((e) => ({ text: e.text, label: 0, source: 'imdb' as const })),
    200,
  );
  const config = encoderConfig('micro', {
    vocabSize: tokenizer.size,
    numLabels: split.labels.length,
    mlmHead: false,
    hiddenDropoutProb: 0,
    attentionDropoutProb: 0,
  });
  // As a pretrained start: the same body for every seed, only the classifier seeded.
  const base = new Encoder(config, { seed: 100 });
  const body = Object.fromEntries(
    Object.entries(base.getWeights()).filter(([n, t]) => {
      if (n.startsWith('classifier.')) t.dispose();
      return !n.startsWith('classifier.');
    }),
  );
  base.dispose();
  bodies.push(body);
  return new OwnDataSession({
    encoder: (seed) => {
      const m = new Encoder(config, { seed: 100 + seed });
      m.setWeights(body, { strict: false });
      return m;
    },
    tokenizer,
    split,
    maxLen: 16,
  });
}

const RUN: OwnRunConfig = {
  ...OWN_DEFAULT_RUN,
  steps: 150,
  batchSize: 16,
  learningRate: 1e-2,
  targetModules: ['query', 'value', 'intermediate.dense', 'output.dense'],
  evalEvery: 0,
};

describe('own-data session (wasm, micro encoder)', () => {
  checkNoLeaks();

  it('learns three labels with LoRA; stop + resume = one run; the adapter round-trips', async () => {
    await useBackend('wasm');
    const split = await data();
    expect(split.labels).toEqual(['blue', 'green', 'red']);
    const s = session(split);
    try {
      const whole = await s.train(RUN);
      expect(whole.stopped).toBe(false);
      expect(whole.accuracy).toBeGreaterThan(0.6);
      const events: number[] = [];
      const first = s.train(RUN, (e) => {
        if (e.kind === 'progress') {
          events.push(e.step);
          if (e.step === 10) s.stop();
        }
      });
      const stopped = await first;
      expect(stopped.stopped).toBe(true);
      expect(stopped.stepsDone).toBe(10);
      const resumed = await s.resume(0);
      expect(resumed.stepsDone).toBe(150);
      expect(resumed.losses).toEqual(whole.losses);
      const ev = await s.evaluate();
      expect(ev.accuracy).toBe(resumed.accuracy);
      expect(ev.confusion.flat().reduce((a, b) => a + b, 0)).toBe(split.validation.length);
      const files = await s.saveAdapter();
      expect(JSON.parse(files.adapterConfigJson)).toMatchObject({
        peft_type: 'LORA',
        r: 2,
        task_type: 'SEQ_CLS',
      });
      const back = await s.loadAdapter(files);
      expect(back.predicted).toEqual(ev.predicted);
      const diff = Math.max(
        ...back.probs.flat().map((p, i) => Math.abs(p - (ev.probs.flat()[i] ?? 0))),
      );
      expect(diff).toBeLessThan(1e-6);
      const [p] = await s.predictTexts(['the sky is ink']);
      expect(p?.length).toBe(3);
      expect(p?.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      await expect(
        s.loadAdapter({ ...files, labelsJson: '{"labels": ["red", "green", "blue"]}' }),
      ).rejects.toThrow(/are not this data's/);
    } finally {
      s.dispose();
      for (const b of bodies.splice(0)) for (const t of Object.values(b)) t.dispose();
    }
  });

  it('the classifier alone trains only the head', async () => {
    await useBackend('wasm');
    const s = session(await data());
    try {
      const run = await s.train({ ...RUN, method: 'head', steps: 5 });
      const H = encoderConfig('micro').hiddenSize;
      expect(run.trainableParams).toBe(H * H + H + H * 3 + 3);
      await expect(s.saveAdapter()).rejects.toThrow(/needs a LoRA run/);
    } finally {
      s.dispose();
      for (const b of bodies.splice(0)) for (const t of Object.values(b)) t.dispose();
    }
  });
});
