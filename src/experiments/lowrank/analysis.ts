/**
 * What a finished run's update is made of, beyond one matrix's spectrum: where the squared update
 * norm went (word embeddings, linear modules, LayerNorms, …), the word-embedding update's own
 * spectrum, and how two runs' updates share directions (Hu et al. 2021, §7.2).
 */
import type { Encoder } from '../../core/models/encoder.ts';
import { LowRankError } from './errors.ts';
import type { FineTuned } from './experiment.ts';
import { mat, singularValues, subspaceOverlap, type Svd } from './linalg.ts';
import { summarizeSpectrum, type SpectrumSummary } from './experiment.ts';

/** The group a parameter belongs to, for the update-norm breakdown. */
export function parameterGroup(name: string): string {
  if (name === 'roberta.embeddings.word_embeddings.weight') return 'word embeddings';
  if (name.startsWith('roberta.embeddings.') && name.includes('_embeddings.'))
    return 'position and type embeddings';
  if (name.includes('LayerNorm') || name.includes('layer_norm')) return 'LayerNorms';
  if (name.startsWith('classifier.')) return 'classifier head';
  if (name.startsWith('lm_head.')) return 'MLM head';
  if (name.endsWith('.bias')) return 'linear biases';
  return 'linear weights';
}

/** One group's share of the update. */
export interface GroupUpdate {
  readonly group: string;
  readonly params: number;
  /** ‖Δθ_group‖². */
  readonly deltaSq: number;
  /** ‖Δθ_group‖² / ‖Δθ‖². */
  readonly share: number;
  /** ‖Δθ_group‖ / ‖θ_group‖ (before training). */
  readonly relativeChange: number;
}

/**
 * Where a full fine-tuning run's squared update norm went, group by group, and the word-embedding
 * table's update: how many rows (words) changed at all, and the spectrum of the changed rows (the
 * unchanged rows are zero and add no singular value).
 */
export async function updateBreakdown(
  enc: Encoder,
  run: FineTuned,
): Promise<{
  groups: GroupUpdate[];
  wordEmbeddings: { rows: number; rowsChanged: number; spectrum: SpectrumSummary };
}> {
  const acc = new Map<string, { params: number; deltaSq: number; normSq: number }>();
  let total = 0;
  let word: { rows: number; rowsChanged: number; spectrum: SpectrumSummary } | null = null;
  for (const p of enc.namedParameters()) {
    const b = run.before.get(p.name);
    if (!b) continue;
    const now = await p.variable.data();
    const was = await b.data();
    let dsq = 0;
    let nsq = 0;
    for (let i = 0; i < now.length; i++) {
      const d = (now[i] ?? 0) - (was[i] ?? 0);
      dsq += d * d;
      nsq += (was[i] ?? 0) ** 2;
    }
    const g = parameterGroup(p.name);
    const a = acc.get(g) ?? { params: 0, deltaSq: 0, normSq: 0 };
    acc.set(g, { params: a.params + now.length, deltaSq: a.deltaSq + dsq, normSq: a.normSq + nsq });
    total += dsq;
    if (g === 'word embeddings') {
      const [rows = 0, cols = 0] = p.variable.shape;
      const changed: number[] = [];
      for (let r = 0; r < rows; r++)
        for (let c = 0; c < cols; c++)
          if (now[r * cols + c] !== was[r * cols + c]) {
            for (let k = 0; k < cols; k++)
              changed.push((now[r * cols + k] ?? 0) - (was[r * cols + k] ?? 0));
            break;
          }
      const n = changed.length / Math.max(1, cols);
      const spectrum =
        n === 0
          ? summarizeSpectrum(new Array<number>(cols).fill(0))
          : summarizeSpectrum(await singularValues(mat(n, cols, changed)));
      word = { rows, rowsChanged: n, spectrum };
    }
  }
  if (!word) throw new LowRankError('encoder', 'word embeddings', 'not found');
  const groups = [...acc.entries()].map(([group, a]) => ({
    group,
    params: a.params,
    deltaSq: a.deltaSq,
    share: total === 0 ? 0 : a.deltaSq / total,
    relativeChange: a.normSq === 0 ? 0 : Math.sqrt(a.deltaSq / a.normSq),
  }));
  return { groups, wordEmbeddings: word };
}

/**
 * φ(i, j) for every i in `is` and j in `js` between two updates' input-side subspaces (the left
 * singular vectors of ΔW stored `[in, out]`: the span of LoRA's A), Hu et al. (2021) eq. 4.
 */
export function overlapGrid(
  a: Svd,
  b: Svd,
  is: readonly number[],
  js: readonly number[],
): number[][] {
  if (a.U.rows !== b.U.rows)
    throw new LowRankError('d', `${String(a.U.rows)} vs ${String(b.U.rows)}`, 'must match');
  return is.map((i) => js.map((j) => subspaceOverlap(a.U, b.U, i, j)));
}
