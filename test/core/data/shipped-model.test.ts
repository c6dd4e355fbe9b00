/**
 * The shipped encoder (public/models/tiny-roberta) is what its manifest says: files match their
 * sha256, the weights load into the core's encoder, and they reproduce the manifest's masked-token
 * accuracy on the UCI validation sentences (same seeded masking as scripts/pretrain.ts).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadPretrained, makeMlmBatch, type MlmBatch } from '../../../src/core/data/index.ts';
import { Rng } from '../../../src/core/rng.ts';
import { mlmScore } from '../../../src/core/train/evaluate.ts';
import { readUciSplit } from '../../../scripts/lib/uci.ts';
import { checkNoLeaks, useBackend } from '../helpers.ts';

checkNoLeaks();

const dir = 'public/models/tiny-roberta';
interface Manifest {
  seed: number;
  training: { sequenceLength: number };
  files: Record<string, { bytes: number; sha256: string }>;
  evaluation: { final: Record<string, { accuracy: number; loss: number; positions: number }> };
}
const manifest = JSON.parse(readFileSync(`${dir}/manifest.json`, 'utf8')) as Manifest;

describe('the shipped tiny-roberta', () => {
  it('has the files the manifest lists, byte for byte', () => {
    for (const [f, v] of Object.entries(manifest.files)) {
      const bytes = readFileSync(`${dir}/${f}`);
      expect(bytes.length, f).toBe(v.bytes);
      expect(createHash('sha256').update(bytes).digest('hex'), f).toBe(v.sha256);
    }
  });

  it('loads into the core encoder and reproduces the manifest masked-token accuracy', async () => {
    await useBackend('wasm');
    const { encoder, tokenizer, report } = loadPretrained(
      {
        config: JSON.parse(readFileSync(`${dir}/config.json`, 'utf8')) as unknown,
        tokenizer: JSON.parse(readFileSync(`${dir}/tokenizer.json`, 'utf8')) as unknown,
        weights: new Uint8Array(readFileSync(`${dir}/model.safetensors`)),
      },
      { mlmHead: true },
    );
    expect(report.missing).toEqual([]);
    const seqLen = manifest.training.sequenceLength;
    const segs = readUciSplit()
      .validation.map((e) => Int32Array.from(tokenizer.wordIds(e.text)))
      .filter((s) => s.length > 0);
    const r = new Rng(manifest.seed).fork('mlm-eval').fork('uci-validation');
    const batches: MlmBatch[] = [];
    for (let i = 0; i < segs.length; i += 64) {
      batches.push(
        makeMlmBatch(segs.slice(i, i + 64), {
          maxLen: seqLen,
          vocabSize: tokenizer.size,
          rand: () => r.next(),
        }),
      );
    }
    const score = await mlmScore(encoder, batches);
    const want = manifest.evaluation.final['uci-validation'];
    expect(score.positions).toBe(want?.positions);
    // Same backend (wasm) and same batches as the pretraining script: equal up to float32 ties.
    expect(Math.abs(score.accuracy - (want?.accuracy ?? -1))).toBeLessThanOrEqual(
      2 / score.positions,
    );
    expect(score.loss).toBeCloseTo(want?.loss ?? -1, 3);
    // And far better than chance over a 16,000-word vocabulary.
    expect(score.accuracy).toBeGreaterThan(0.05);
    encoder.dispose();
  });
});
