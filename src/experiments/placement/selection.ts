/**
 * Choosing what to tune, by parameter name (Hugging Face RoBERTa names, as our encoder and the
 * shape-only specs use). Two framings (Kamp, "Dive Into LoRA Adapters", part 1):
 * - task-based: the head and the top k layers train, lower layers and embeddings stay frozen
 *   (optionally with learning rates shrinking layer by layer towards the input, "layer-wise
 *   learning-rate decay", Howard & Ruder 2018 / Clark et al. 2020);
 * - architecture-based: pick component kinds — LayerNorm weights and biases, embeddings, the
 *   attention linear modules, the feed-forward linear modules, the head.
 * Everything here works on `{name, count}` rows, so it counts a real model and a spec alike.
 */
import type { ParamRow } from '../../core/accounting.ts';
import { PlacementError } from './errors.ts';

/** Kinds of parameter in a RoBERTa-style encoder. */
export type ParamGroup = 'embeddings' | 'layerNorm' | 'attention' | 'ffn' | 'head' | 'other';

/** Every group, in model order. */
export const PARAM_GROUPS: readonly ParamGroup[] = [
  'embeddings',
  'layerNorm',
  'attention',
  'ffn',
  'head',
  'other',
];

/** The group of one parameter name. LayerNorms are a group of their own wherever they sit. */
export function paramGroup(name: string): ParamGroup {
  if (/LayerNorm|layer_norm/.test(name)) return 'layerNorm';
  if (name.startsWith('roberta.embeddings.')) return 'embeddings';
  if (
    name.startsWith('classifier.') ||
    name.startsWith('lm_head.') ||
    name.startsWith('roberta.pooler.')
  )
    return 'head';
  if (/\.attention\.(self\.(query|key|value)|output\.dense)\./.test(name)) return 'attention';
  if (/\.(intermediate|output)\.dense\./.test(name)) return 'ffn';
  return 'other';
}

/** The encoder layer index of a parameter (`roberta.encoder.layer.3.…` → 3), else null. */
export function layerIndex(name: string): number | null {
  const m = /^roberta\.encoder\.layer\.(\d+)\./.exec(name);
  return m ? Number(m[1]) : null;
}

/** Scalars per group (every group present, zeros included). */
export function groupCounts(
  rows: readonly Pick<ParamRow, 'name' | 'count'>[],
): Record<ParamGroup, number> {
  const out: Record<ParamGroup, number> = {
    embeddings: 0,
    layerNorm: 0,
    attention: 0,
    ffn: 0,
    head: 0,
    other: 0,
  };
  for (const r of rows) out[paramGroup(r.name)] += r.count;
  return out;
}

function layersOf(rows: readonly Pick<ParamRow, 'name'>[]): number {
  let n = 0;
  for (const r of rows) {
    const i = layerIndex(r.name);
    if (i !== null) n = Math.max(n, i + 1);
  }
  return n;
}

/**
 * Task-based choice: the head plus the top `topLayers` encoder layers are trainable, everything
 * below (and the embeddings) frozen. `topLayers = 0` is "classifier only"; the number of layers
 * trains everything but the embeddings.
 * @throws {PlacementError} when topLayers is not an integer in [0, number of layers].
 */
export function taskBasedRows(
  rows: readonly Pick<ParamRow, 'name' | 'count'>[],
  topLayers: number,
): ParamRow[] {
  const L = layersOf(rows);
  if (!Number.isInteger(topLayers) || topLayers < 0 || topLayers > L)
    throw new PlacementError('topLayers', topLayers, `must be an integer in [0, ${L}]`);
  return rows.map((r) => {
    const i = layerIndex(r.name);
    const on = paramGroup(r.name) === 'head' || (i !== null && i >= L - topLayers);
    return { name: r.name, count: r.count, trainable: on ? 1 : 0 };
  });
}

/**
 * Architecture-based choice: parameters whose group is in `groups` are trainable.
 * @throws {PlacementError} for an unknown group name.
 */
export function architectureRows(
  rows: readonly Pick<ParamRow, 'name' | 'count'>[],
  groups: readonly ParamGroup[],
): ParamRow[] {
  for (const g of groups)
    if (!PARAM_GROUPS.includes(g))
      throw new PlacementError('groups', g, `must be among ${PARAM_GROUPS.join(', ')}`);
  const on = new Set(groups);
  return rows.map((r) => ({
    name: r.name,
    count: r.count,
    trainable: on.has(paramGroup(r.name)) ? 1 : 0,
  }));
}

/** One row of a layer-wise learning-rate table. */
export interface LayerRate {
  /** 'head', 'layer i' or 'embeddings'. */
  readonly part: string;
  /** Scalars in that part. */
  readonly count: number;
  /** Its learning rate. */
  readonly learningRate: number;
}

/**
 * Layer-wise learning-rate decay: the head gets `base`, encoder layer i (of L) `base·decay^(L−i)`,
 * the embeddings `base·decay^(L+1)`. `decay = 1` is uniform; `decay → 0` approaches freezing the
 * lower parts. LayerNorms follow their layer (the embeddings' LayerNorm the embeddings).
 * @throws {PlacementError} for base ≤ 0 or decay outside (0, 1].
 */
export function layerwiseRates(
  rows: readonly Pick<ParamRow, 'name' | 'count'>[],
  base: number,
  decay: number,
): LayerRate[] {
  if (!(base > 0) || !Number.isFinite(base)) throw new PlacementError('base', base, 'must be > 0');
  if (!(decay > 0 && decay <= 1)) throw new PlacementError('decay', decay, 'must be in (0, 1]');
  const L = layersOf(rows);
  const counts = new Map<string, number>();
  for (const r of rows) {
    const i = layerIndex(r.name);
    const part =
      i !== null ? `layer ${i}` : r.name.startsWith('roberta.embeddings.') ? 'embeddings' : 'head';
    counts.set(part, (counts.get(part) ?? 0) + r.count);
  }
  const out: LayerRate[] = [{ part: 'head', count: counts.get('head') ?? 0, learningRate: base }];
  for (let i = L - 1; i >= 0; i--)
    out.push({
      part: `layer ${i}`,
      count: counts.get(`layer ${i}`) ?? 0,
      learningRate: base * decay ** (L - i),
    });
  out.push({
    part: 'embeddings',
    count: counts.get('embeddings') ?? 0,
    learningRate: base * decay ** (L + 1),
  });
  return out;
}
