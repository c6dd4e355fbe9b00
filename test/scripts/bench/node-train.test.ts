/**
 * The Node training bench (scripts/bench/node-train.ts) through the core's training loop: the
 * numbers it measures that do not depend on the machine — trainable parameters, the bytes each
 * mode holds after its first step, its training state and the FLOP estimate — are the ones it
 * measured with its former hand-written loop (recorded on the cpu backend at batch 2, 8 tokens).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { runTrainBench } from '../../../scripts/bench/node-train.ts';
import { checkNoLeaks, useBackend } from '../../core/helpers.ts';

checkNoLeaks();
beforeAll(() => useBackend('cpu'));

describe('runTrainBench', () => {
  it('measures what its hand-written loop measured, and times each repeat', async () => {
    const rows = await runTrainBench({ batch: 2, seqLen: 8, repeats: 2, vocabSize: 100 });
    expect(rows.map(({ stepMs: _, medianMs: __, gflops: ___, ...fixed }) => fixed)).toEqual([
      {
        mode: 'full fine-tuning',
        trainableParams: 427778,
        heldBytes: 5133336,
        trainStateBytes: 5133336,
        flops: 38141952,
      },
      {
        mode: 'full, embeddings frozen',
        trainableParams: 413314,
        heldBytes: 5017624,
        trainStateBytes: 4959768,
        flops: 38141952,
      },
      {
        mode: 'LoRA r=2 (query, attention.output.dense)',
        trainableParams: 18818,
        heldBytes: 1869848,
        trainStateBytes: 225816,
        flops: 25427968,
      },
      {
        mode: 'classifier only',
        trainableParams: 16770,
        heldBytes: 1845272,
        trainStateBytes: 201240,
        flops: 12713984,
      },
    ]);
    for (const r of rows) {
      expect(r.stepMs).toHaveLength(2);
      expect(r.medianMs).toBeGreaterThan(0);
    }
  });
});
