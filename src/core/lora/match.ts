/**
 * Which modules a LoRA config targets, with PEFT's rules (peft/tuners/tuners_utils.py,
 * `check_target_module_exists`): a list entry matches a module whose name equals it or ends with
 * `.entry`; a string or RegExp must match the whole module name.
 */
import { LoraConfigError, type TargetModules } from './config.ts';

/** Whether `name` is targeted by `target`. */
export function matchesTarget(name: string, target: TargetModules): boolean {
  if (typeof target === 'string' || target instanceof RegExp) {
    const src = typeof target === 'string' ? target : target.source;
    const flags = target instanceof RegExp ? target.flags.replace(/[gy]/g, '') : '';
    return new RegExp(`^(?:${src})$`, flags).test(name);
  }
  return target.some((t) => name === t || name.endsWith(`.${t}`));
}

/** Whether `key` names `module` exactly or as a dotted suffix (used for modulesToSave). */
export function matchesName(module: string, key: string): boolean {
  return module === key || module.endsWith(`.${key}`);
}

/**
 * The targeted names among `names`, in order.
 * @throws {LoraConfigError} when nothing matches (naming the patterns and a few module names).
 */
export function selectTargets(names: readonly string[], target: TargetModules): string[] {
  const hit = names.filter((n) => matchesTarget(n, target));
  if (hit.length === 0) {
    const sample = names.slice(0, 4).join(', ');
    throw new LoraConfigError(
      'targetModules',
      target,
      `matches no linear module (the model has ${names.length}, e.g. ${sample})`,
    );
  }
  return hit;
}

/** All module paths a parameter name lies under: `a.b.c.weight` → `a`, `a.b`, `a.b.c`. */
export function ancestorModules(paramName: string): string[] {
  const parts = paramName.split('.');
  const out: string[] = [];
  for (let i = 1; i < parts.length; i++) out.push(parts.slice(0, i).join('.'));
  return out;
}

/**
 * Parameters belonging to a module listed in `modulesToSave` (matched exactly or as a dotted suffix
 * of a module path).
 * @throws {LoraConfigError} when an entry matches no module.
 */
export function selectModulesToSave(
  paramNames: readonly string[],
  modulesToSave: readonly string[],
): Set<string> {
  const out = new Set<string>();
  for (const key of modulesToSave) {
    let found = false;
    for (const p of paramNames) {
      if (ancestorModules(p).some((m) => matchesName(m, key))) {
        out.add(p);
        found = true;
      }
    }
    if (!found) throw new LoraConfigError('modulesToSave', key, 'matches no module of the model');
  }
  return out;
}
