/** Masked-token accuracy and loss of an encoder on fixed MLM batches. */
import type { MlmBatch } from '../../src/core/data/index.ts';
import type { Encoder } from '../../src/core/models/encoder.ts';
import { mlmScore, type MlmScore } from '../../src/core/train/evaluate.ts';

/** Result on one group of batches: the core's masked-LM score. */
export type { MlmScore };

/** Scores every group; also the position-weighted overall figure under key `all`. */
export async function scoreGroups(
  enc: Encoder,
  groups: ReadonlyMap<string, readonly MlmBatch[]>,
): Promise<Record<string, MlmScore>> {
  const out: Record<string, MlmScore> = {};
  let c = 0;
  let l = 0;
  let n = 0;
  for (const [name, batches] of groups) {
    const s = await mlmScore(enc, batches);
    out[name] = s;
    if (name !== 'uci-validation') {
      c += s.accuracy * s.positions;
      l += s.loss * s.positions;
      n += s.positions;
    }
  }
  out['held-out'] = { accuracy: c / Math.max(1, n), loss: l / Math.max(1, n), positions: n };
  return out;
}
