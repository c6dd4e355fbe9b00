/**
 * The linear modules of the site's tiny encoder (2 layers, width 128, feed-forward 512) as a
 * shape-only spec, counted with the core's own accounting (`accountingRows`, which plans LoRA
 * with PEFT's rule for `targetModules`: a name adapts every module whose name equals it or ends
 * with `.name`). The adapter-placement and training-run exercises check answers against it;
 * test/cells/exercises/checks.test.ts checks it against the core's spec of the whole model.
 * Only the pure accounting modules are imported, so a check never loads TF.js.
 */
import { accountingRows } from '../../core/models/spec-rows.ts';
import type { ModelSpec } from '../../core/models/model-spec.ts';

/** Layers of the tiny encoder. */
export const TINY_LAYERS = 2;

/** Each layer's linear modules (name within the layer → [d_in, d_out]). */
export const TINY_MODULES: Readonly<Record<string, readonly [number, number]>> = {
  'attention.self.query': [128, 128],
  'attention.self.key': [128, 128],
  'attention.self.value': [128, 128],
  'attention.output.dense': [128, 128],
  'intermediate.dense': [128, 512],
  'output.dense': [512, 128],
};

/** The linear layers of the tiny encoder, as the core names them. */
export const TINY_SPEC: ModelSpec = (() => {
  const parameters: { name: string; shape: number[] }[] = [];
  const linearModules: { name: string; inFeatures: number; outFeatures: number }[] = [];
  for (let i = 0; i < TINY_LAYERS; i++) {
    for (const [m, [dIn, dOut]] of Object.entries(TINY_MODULES)) {
      const name = `roberta.encoder.layer.${String(i)}.${m}`;
      parameters.push(
        { name: `${name}.weight`, shape: [dIn, dOut] },
        { name: `${name}.bias`, shape: [dOut] },
      );
      linearModules.push({ name, inFeatures: dIn, outFeatures: dOut });
    }
  }
  return { name: 'tiny encoder (linear layers)', parameters, linearModules };
})();

/** Weights LoRA of rank r adds to one linear layer from d_in to d_out: A (d_in × r) and B (r × d_out). */
export function loraWeights(dIn: number, dOut: number, r: number): number {
  return r * (dIn + dOut);
}

/**
 * Weights LoRA of rank r on `targetModules` (PEFT's rule) adds to the tiny encoder, counted by
 * the core; throws the core's LoraConfigError when a name matches no module.
 */
export function tinyAdapterWeights(targetModules: readonly string[], r: number): number {
  return accountingRows(TINY_SPEC, { r, targetModules: [...targetModules] })
    .filter((row) => row.name.includes('.lora_'))
    .reduce((n, row) => n + row.count, 0);
}
