/**
 * Validates a LoRA config against a model's shapes and says what it would do, without touching
 * anything: used by `PeftModel.addAdapter` before it creates a single variable (so a bad config
 * leaves the model exactly as it was) and by the shape-only specs for parameter counting.
 */
import {
  LoraConfigError,
  loraScaling,
  resolveLoraConfig,
  type LoraConfig,
  type LoraConfigInput,
} from './config.ts';
import { selectModulesToSave, selectTargets } from './match.ts';

/**
 * The shape of a module LoRA can adapt: a linear layer, or an embedding table (`kind:
 * 'embedding'`, with `inFeatures` = its rows and `outFeatures` = its width).
 */
export interface LinearShape {
  readonly name: string;
  readonly inFeatures: number;
  readonly outFeatures: number;
  /** `'embedding'` for a lookup table; absent or `'linear'` for a linear layer. */
  readonly kind?: 'linear' | 'embedding';
}

/** What applying a config would do. */
export interface LoraPlan {
  /** The resolved config. */
  readonly config: LoraConfig;
  /** loraAlpha / r (or / √r). */
  readonly scaling: number;
  /** Targeted modules (linear layers, then embedding tables), in model order. */
  readonly targets: readonly LinearShape[];
  /** Base parameters made trainable by modulesToSave. */
  readonly saveParams: ReadonlySet<string>;
}

/**
 * Names of the parameters an adapter adds to one module (our in-memory names and shapes): A, B,
 * the gate (`gated`), and DoRA's magnitude `[dOut]` (`dora`).
 */
export function adapterParamShapes(
  module: LinearShape,
  adapter: string,
  r: number,
  gated: boolean,
  dora = false,
): { name: string; shape: number[] }[] {
  const [a, b] = adapterFactorNames(module, adapter);
  const out = [
    { name: a, shape: [module.inFeatures, r] },
    { name: b, shape: [r, module.outFeatures] },
  ];
  if (gated) out.push({ name: `${module.name}.lora_gate.${adapter}`, shape: [1] });
  if (dora)
    out.push({ name: doraMagnitudeName(module.name, adapter), shape: [module.outFeatures] });
  return out;
}

/**
 * In-memory name of DoRA's magnitude on one module, `<module>.lora_magnitude_vector.<adapter>.weight`
 * (PEFT's parameter name; its files drop the adapter name and `.weight`).
 */
export function doraMagnitudeName(module: string, adapter: string): string {
  return `${module}.lora_magnitude_vector.${adapter}.weight`;
}

/**
 * In-memory names of an adapter's two factors on one module: `<module>.lora_A.<adapter>.weight`
 * and `….lora_B…` on a linear layer, `<module>.lora_embedding_A.<adapter>` and `…_B…` on an
 * embedding table (PEFT's names).
 */
export function adapterFactorNames(module: LinearShape, adapter: string): [string, string] {
  return module.kind === 'embedding'
    ? [`${module.name}.lora_embedding_A.${adapter}`, `${module.name}.lora_embedding_B.${adapter}`]
    : [`${module.name}.lora_A.${adapter}.weight`, `${module.name}.lora_B.${adapter}.weight`];
}

/**
 * Resolves `input` and checks it against the model's adaptable modules (linear layers and
 * embedding tables, `kind: 'embedding'`) and parameter names.
 * @throws {LoraConfigError} on any invalid field, a target list that matches nothing, a rank above
 *   min(dIn, dOut) of a targeted layer, or a modulesToSave entry that matches nothing.
 */
export function planLora(
  linears: readonly LinearShape[],
  paramNames: readonly string[],
  input: LoraConfigInput,
): LoraPlan {
  const config = resolveLoraConfig(input);
  const byName = new Map(linears.map((l) => [l.name, l]));
  const targets = selectTargets([...byName.keys()], config.targetModules).flatMap((n) => {
    const l = byName.get(n);
    return l ? [l] : [];
  });
  for (const t of targets) {
    if (t.kind === 'embedding' && config.useDora)
      throw new LoraConfigError(
        'useDora',
        true,
        `is supported on linear layers only; ${t.name} is an embedding table (target linear layers only)`,
      );
    if (t.kind === 'embedding' && config.initLoraWeights === 'pissa')
      throw new LoraConfigError(
        'initLoraWeights',
        'pissa',
        `is supported on linear layers only; ${t.name} is an embedding table (target linear layers only)`,
      );
    if (t.kind === 'embedding' && config.initLoraWeights === 'gated')
      throw new LoraConfigError(
        'initLoraWeights',
        'gated',
        `has no embedding form; ${t.name} is an embedding table (target linear layers only)`,
      );
    const cap = Math.min(t.inFeatures, t.outFeatures);
    if (config.r > cap) {
      throw new LoraConfigError(
        'r',
        config.r,
        `exceeds min(dIn, dOut) = ${cap} of ${t.name} [${t.inFeatures} → ${t.outFeatures}]`,
      );
    }
  }
  const saveParams = selectModulesToSave(paramNames, config.modulesToSave);
  return { config, scaling: loraScaling(config), targets, saveParams };
}
