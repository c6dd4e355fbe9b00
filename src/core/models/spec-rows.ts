/**
 * Parameter rows of a shape-only spec, plain or with a LoRA adapter planned on it (same validation
 * as the real `PeftModel`, so an invalid config throws the same {@link LoraConfigError}).
 */
import { shapeSize, type ParamRow } from '../accounting.ts';
import type { LoraConfigInput } from '../lora/config.ts';
import { selectModulesToSave } from '../lora/match.ts';
import { adapterParamShapes, planLora } from '../lora/plan.ts';
import type { ModelSpec } from './model-spec.ts';

/**
 * Rows `{name, trainable, count}` of a spec. Without `lora` every parameter is trainable (full
 * fine-tuning); with it, the base is frozen except modulesToSave, and each targeted module adds
 * `lora_A` `[dIn, r]` and `lora_B` `[r, dOut]` (trainable): r·(dIn + dOut) per module (on an
 * embedding table `lora_embedding_A` `[rows, r]` and `lora_embedding_B` `[r, width]`).
 */
export function accountingRows(
  spec: ModelSpec,
  lora?: LoraConfigInput,
  adapterName = 'default',
): ParamRow[] {
  if (!lora)
    return spec.parameters.map((p) => ({ name: p.name, trainable: 1, count: shapeSize(p.shape) }));
  const plan = planLora(
    [...spec.linearModules, ...(spec.embeddingModules ?? [])],
    spec.parameters.map((p) => p.name),
    lora,
  );
  const rows: ParamRow[] = spec.parameters.map((p) => ({
    name: p.name,
    trainable: plan.saveParams.has(p.name) ? 1 : 0,
    count: shapeSize(p.shape),
  }));
  const gated = plan.config.initLoraWeights === 'gated';
  for (const t of plan.targets) {
    for (const a of adapterParamShapes(t, adapterName, plan.config.r, gated, plan.config.useDora))
      rows.push({ name: a.name, trainable: 1, count: shapeSize(a.shape) });
  }
  return rows;
}

/**
 * Rows of a spec with the whole base frozen except `modulesToSave` and no adapter: the
 * "classifier only" baseline (`modulesToSave: ['classifier']`) of the article's comparison.
 * @throws {LoraConfigError} when an entry matches no module (as PEFT's `modules_to_save`).
 */
export function frozenRows(spec: ModelSpec, modulesToSave: readonly string[]): ParamRow[] {
  const save = selectModulesToSave(
    spec.parameters.map((p) => p.name),
    modulesToSave,
  );
  return spec.parameters.map((p) => ({
    name: p.name,
    trainable: save.has(p.name) ? 1 : 0,
    count: shapeSize(p.shape),
  }));
}
