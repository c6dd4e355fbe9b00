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

/** The shape of a linear module. */
export interface LinearShape {
  readonly name: string;
  readonly inFeatures: number;
  readonly outFeatures: number;
}

/** What applying a config would do. */
export interface LoraPlan {
  /** The resolved config. */
  readonly config: LoraConfig;
  /** loraAlpha / r (or / √r). */
  readonly scaling: number;
  /** Targeted linear modules, in model order. */
  readonly targets: readonly LinearShape[];
  /** Base parameters made trainable by modulesToSave. */
  readonly saveParams: ReadonlySet<string>;
}

/** Names of the parameters an adapter adds to one module (our in-memory names and shapes). */
export function adapterParamShapes(
  module: LinearShape,
  adapter: string,
  r: number,
  gated: boolean,
): { name: string; shape: number[] }[] {
  const out = [
    { name: `${module.name}.lora_A.${adapter}.weight`, shape: [module.inFeatures, r] },
    { name: `${module.name}.lora_B.${adapter}.weight`, shape: [r, module.outFeatures] },
  ];
  if (gated) out.push({ name: `${module.name}.lora_gate.${adapter}`, shape: [1] });
  return out;
}

/**
 * Resolves `input` and checks it against the model's linear modules and parameter names.
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
