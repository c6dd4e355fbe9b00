/**
 * LoRA+ (Hayou, Ghosh & Yu 2024, "LoRA+: Efficient Low Rank Adaptation of Large Models"): B's
 * factors train with a learning rate `loraplusLrRatio` times A's. PEFT's
 * `create_loraplus_optimizer(model, optimizer_cls, optimizer_kwargs, loraplus_lr_ratio,
 * loraplus_lr_embedding=1e-6)` builds optimiser groups by parameter name; here the same grouping
 * becomes a per-variable scale of the (possibly scheduled) learning rate, which the core's
 * {@link Adam} takes as `lrScale` — so the existing trainer runs LoRA+ unchanged.
 *
 * PEFT's grouping, followed literally: every trainable parameter whose name contains `lora_B`, or
 * that is one-dimensional (biases, LayerNorm, DoRA's magnitude, the gate), gets `lr · ratio`;
 * everything else `lr`. Decoupled weight decay uses each variable's own rate, as PyTorch's AdamW
 * does per group. Embedding adapters: PEFT means them to train at `loraplus_lr_embedding`, but its
 * test `isinstance(attrgetter(name)(model), Embedding)` looks at the parameter, not its module, so
 * in PEFT's code they train at `lr` (and `lora_embedding_B` does not contain `lora_B`). We do the
 * same by default; give `loraplusLrEmbedding` together with `learningRate` (a number: the peak
 * rate, so that a schedule scales the embedding rate alike) to get the intended behaviour.
 */
import type * as tf from '@tensorflow/tfjs';
import type { NamedParameter } from '../models/types.ts';
import { Adam, OptimizerError, type AdamOptions } from './adam.ts';

/** PEFT's `loraplus_lr_ratio` has no default; 16 = 2⁴ is the value axolotl's LoRA+ docs recommend. */
export const LORAPLUS_DEFAULT_RATIO = 16;

/** Options of {@link loraPlusLrScale}. */
export interface LoraPlusOptions {
  /** η_B / η_A (PEFT's `loraplus_lr_ratio`, ≥ 1 per the LoRA+ authors). Default 16. */
  readonly loraplusLrRatio?: number;
  /**
   * Learning rate of embedding-adapter factors (PEFT's `loraplus_lr_embedding`, which defaults to
   * 1e-6 but is not applied by PEFT's code: see the module comment). Absent: they train at `lr`.
   */
  readonly loraplusLrEmbedding?: number;
  /** The optimiser's (peak) learning rate; needed only with `loraplusLrEmbedding`. */
  readonly learningRate?: number;
}

/**
 * The LoRA+ scale of each trainable variable that does not train at the base rate (a variable not
 * in the map keeps scale 1). `params` is e.g. `peft.namedParameters()`.
 * @throws {OptimizerError} naming the field for a ratio below 1 or not finite, or an embedding rate
 *   without a numeric `learningRate`.
 */
export function loraPlusLrScale(
  params: readonly NamedParameter[],
  o: LoraPlusOptions = {},
): Map<tf.Variable, number> {
  const ratio = o.loraplusLrRatio ?? LORAPLUS_DEFAULT_RATIO;
  if (typeof ratio !== 'number' || !Number.isFinite(ratio) || ratio < 1)
    throw new OptimizerError('loraplusLrRatio', ratio, 'must be a finite number ≥ 1');
  let embeddingScale: number | null = null;
  if (o.loraplusLrEmbedding !== undefined) {
    const e = o.loraplusLrEmbedding;
    if (typeof e !== 'number' || !Number.isFinite(e) || e < 0)
      throw new OptimizerError('loraplusLrEmbedding', e, 'must be a finite number ≥ 0');
    const lr = o.learningRate;
    if (typeof lr !== 'number' || !Number.isFinite(lr) || lr <= 0)
      throw new OptimizerError(
        'learningRate',
        lr,
        'must be the optimiser’s peak learning rate (a number > 0) when loraplusLrEmbedding is given',
      );
    embeddingScale = e / lr;
  }
  const out = new Map<tf.Variable, number>();
  for (const p of params) {
    if (!p.trainable) continue;
    if (/\.lora_embedding_[AB]\./.test(p.name)) {
      if (embeddingScale !== null) out.set(p.variable, embeddingScale);
    } else if (p.name.includes('lora_B') || p.variable.rank === 1) {
      out.set(p.variable, ratio);
    }
  }
  return out;
}

/**
 * An {@link Adam} with LoRA+'s learning rates for `params` (PEFT's `create_loraplus_optimizer`
 * with Adam/AdamW): `opts` are Adam's options, `lrScale` filled in from {@link loraPlusLrScale}.
 */
export function createLoraPlusOptimizer(
  params: readonly NamedParameter[],
  opts: AdamOptions & Omit<LoraPlusOptions, 'learningRate'>,
): Adam {
  const { loraplusLrRatio, loraplusLrEmbedding, ...adam } = opts;
  const lrScale = loraPlusLrScale(params, {
    ...(loraplusLrRatio === undefined ? {} : { loraplusLrRatio }),
    ...(loraplusLrEmbedding === undefined ? {} : { loraplusLrEmbedding }),
    ...(typeof adam.learningRate === 'number' ? { learningRate: adam.learningRate } : {}),
  });
  return new Adam({ ...adam, lrScale });
}
