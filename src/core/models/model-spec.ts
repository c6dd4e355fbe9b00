/** The shape of a model without its weights (specs.ts builds them; spec-rows.ts counts them). */
import type { LinearShape } from '../lora/plan.ts';

/** A model described by shapes only. */
export interface ModelSpec {
  /** Display name. */
  readonly name: string;
  /** Every parameter once, in model order. */
  readonly parameters: readonly { readonly name: string; readonly shape: readonly number[] }[];
  /** Linear modules (LoRA targets) with their widths. */
  readonly linearModules: readonly LinearShape[];
  /** Embedding tables LoRA may adapt (`kind: 'embedding'`), if any. */
  readonly embeddingModules?: readonly LinearShape[];
}
