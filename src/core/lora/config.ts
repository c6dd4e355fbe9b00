/**
 * LoRA's configuration, mirroring Hugging Face PEFT's `LoraConfig` (peft/tuners/lora/config.py) in
 * camelCase, with one validator that throws a typed error naming the field and the value.
 *
 * Orientation used everywhere in the core: `h = x·W + x·A·B·scaling` with `W: [dIn, dOut]`,
 * `A: [dIn, r]`, `B: [r, dOut]` (row vectors, as TF.js and the source article write it). PEFT
 * writes the same product as `B·A·x` with `lora_A.weight: [r, dIn]` and `lora_B.weight: [dOut, r]`;
 * we convert only at save/load (`lora/io.ts`).
 */

/**
 * How the adapter starts:
 * - `true` / `'default'`: A ~ Kaiming-uniform U(−1/√dIn, 1/√dIn), B = 0 — PEFT's default
 *   (`kaiming_uniform_(lora_A, a=√5)`, after Microsoft's loralib), so the adapted model starts equal
 *   to the base model.
 * - `'gaussian'`: A ~ N(0, (1/r)²), B = 0 — PEFT's `init_lora_weights="gaussian"`; the LoRA paper
 *   (Hu et al. 2021, §4.1) says "random Gaussian initialization for A and zero for B".
 * - `false` / `'random-both'`: A and B both random (A Kaiming-uniform, B ~ N(0, initScale²)); the
 *   adapted model does not start at the base model (PEFT's `False` makes both random too).
 * - `'zero-both'`: A = B = 0: every gradient of A and B is zero, so nothing ever trains (a lesson's
 *   counter-example).
 * - `'a-zero-b-random'`: A = 0, B ~ N(0, initScale²): starts at the base model, but the roles of A
 *   and B are swapped (B gets no gradient at first).
 * - `'gated'`: A Kaiming-uniform, B ~ N(0, initScale²) and a learned scalar gate g = 0 multiplying
 *   the adapter's output, after LLaMA-Adapter's zero-initialised gating (Zhang et al. 2023, §3.2):
 *   starts at the base model, and only g gets a gradient at the first step.
 * - `'pissa'`: A and B from the base weight's top-r singular triplets and the base weight replaced
 *   by the residual W0 − s·A·B (Meng et al. 2024, PiSSA; PEFT's `init_lora_weights="pissa"`, full
 *   SVD): starts at the base model, but the base now holds the residual (so disabling or unloading
 *   the adapter gives the residual, as in PEFT). Needs an SVD: create it with
 *   `addAdapterAsync`/`getPeftModelAsync`. Linear layers with a float weight only; the adapter
 *   must be the model's only one. (`pissa_niter_*`, PEFT's fast randomised SVD, is not supported.)
 */
export type InitLoraWeights =
  | boolean
  | 'default'
  | 'gaussian'
  | 'random-both'
  | 'zero-both'
  | 'a-zero-b-random'
  | 'gated'
  | 'pissa';

/** Every accepted value of {@link InitLoraWeights}. */
export const INIT_LORA_WEIGHTS: readonly InitLoraWeights[] = [
  true,
  false,
  'default',
  'gaussian',
  'random-both',
  'zero-both',
  'a-zero-b-random',
  'gated',
  'pissa',
];

/** Which modules get an adapter: names (exact or dotted suffix), or a regex over the full name. */
export type TargetModules = readonly string[] | RegExp | string;

/** A LoRA configuration (PEFT's `LoraConfig`, camelCase). Omitted fields take the defaults. */
export interface LoraConfig {
  /** Rank of the update ΔW = A·B (PEFT default 8). */
  readonly r: number;
  /** Scaling numerator: scaling = loraAlpha / r (or / √r with useRslora). PEFT default 8. */
  readonly loraAlpha: number;
  /** Dropout on the adapter's input only (the base path never sees it). Default 0. */
  readonly loraDropout: number;
  /**
   * Modules to adapt. A list matches a module whose name equals an entry or ends with `.entry`
   * (PEFT's rule); a RegExp or a string is a regular expression that must match the whole name.
   */
  readonly targetModules: TargetModules;
  /** Modules trained in full alongside the adapter (e.g. `['classifier']`). Default none. */
  readonly modulesToSave: readonly string[];
  /** Initialisation (see {@link InitLoraWeights}). Default `true`. */
  readonly initLoraWeights: InitLoraWeights;
  /** Rank-stabilised scaling loraAlpha / √r (Kalajdzievski 2023, rsLoRA). Default false. */
  readonly useRslora: boolean;
  /** Std of the random factor in 'random-both', 'a-zero-b-random' and 'gated' (default 0.02). */
  readonly initScale: number;
  /**
   * DoRA (Liu et al. 2024, "DoRA: Weight-Decomposed Low-Rank Adaptation"; PEFT's `use_dora`): each
   * adapted weight becomes `m ⊙ (W0 + s·A·B) / ‖W0 + s·A·B‖_col`, with a trainable magnitude `m`
   * (one entry per output unit) that starts at the column norms of `W0 + s·A·B`, so the model starts
   * unchanged. Linear layers only; not with the `'gated'` init. Default false.
   */
  readonly useDora: boolean;
}

/** Fields a caller may give; the rest take PEFT's defaults. */
export type LoraConfigInput = Partial<LoraConfig> & Pick<LoraConfig, 'targetModules'>;

/** PEFT's defaults (r 8, alpha 8, dropout 0, init true, no rsLoRA, no DoRA). */
export const LORA_DEFAULTS: Omit<LoraConfig, 'targetModules'> = {
  r: 8,
  loraAlpha: 8,
  loraDropout: 0,
  modulesToSave: [],
  initLoraWeights: true,
  useRslora: false,
  initScale: 0.02,
  useDora: false,
};

/** Thrown for an invalid LoRA configuration; `field` and `value` say what was wrong. */
export class LoraConfigError extends Error {
  override readonly name = 'LoraConfigError';
  constructor(
    readonly field: string,
    readonly value: unknown,
    reason: string,
  ) {
    super(`${field} = ${describe(value)}: ${reason}`);
  }
}

function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v instanceof RegExp) return String(v);
  if (Array.isArray(v)) return JSON.stringify(v);
  return String(v);
}

/**
 * Fills defaults and validates every field that does not depend on the model (the rank against
 * layer sizes and the module matches are checked when the adapter is applied).
 * @throws {LoraConfigError}
 */
export function resolveLoraConfig(input: LoraConfigInput): LoraConfig {
  const c: LoraConfig = { ...LORA_DEFAULTS, ...input };
  if (!Number.isInteger(c.r) || c.r <= 0)
    throw new LoraConfigError('r', c.r, 'must be a positive integer');
  if (typeof c.loraAlpha !== 'number' || !Number.isFinite(c.loraAlpha) || c.loraAlpha <= 0) {
    throw new LoraConfigError('loraAlpha', c.loraAlpha, 'must be a finite number > 0');
  }
  if (typeof c.loraDropout !== 'number' || !(c.loraDropout >= 0 && c.loraDropout < 1)) {
    throw new LoraConfigError('loraDropout', c.loraDropout, 'must be in [0, 1)');
  }
  if (!INIT_LORA_WEIGHTS.includes(c.initLoraWeights)) {
    throw new LoraConfigError(
      'initLoraWeights',
      c.initLoraWeights,
      `must be one of ${INIT_LORA_WEIGHTS.map(describe).join(', ')}`,
    );
  }
  if (typeof c.useRslora !== 'boolean')
    throw new LoraConfigError('useRslora', c.useRslora, 'must be a boolean');
  if (typeof c.useDora !== 'boolean')
    throw new LoraConfigError('useDora', c.useDora, 'must be a boolean');
  if (c.useDora && c.initLoraWeights === 'gated')
    throw new LoraConfigError(
      'useDora',
      true,
      "cannot be combined with initLoraWeights = 'gated' (the gate would scale only B·A, not the normalised weight)",
    );
  if (typeof c.initScale !== 'number' || !Number.isFinite(c.initScale) || c.initScale < 0) {
    throw new LoraConfigError('initScale', c.initScale, 'must be a finite number ≥ 0');
  }
  const t = c.targetModules as unknown;
  if (typeof t === 'string') {
    try {
      new RegExp(t);
    } catch {
      throw new LoraConfigError('targetModules', t, 'is not a valid regular expression');
    }
  } else if (Array.isArray(t)) {
    if (t.length === 0)
      throw new LoraConfigError('targetModules', t, 'must name at least one module');
    for (const m of t) {
      if (typeof m !== 'string' || m.length === 0)
        throw new LoraConfigError('targetModules', t, 'entries must be non-empty strings');
    }
  } else if (!(t instanceof RegExp)) {
    throw new LoraConfigError(
      'targetModules',
      t,
      'must be a list of names, a RegExp or a regex string',
    );
  }
  if (
    !Array.isArray(c.modulesToSave) ||
    !c.modulesToSave.every((m) => typeof m === 'string' && m.length > 0)
  ) {
    throw new LoraConfigError(
      'modulesToSave',
      c.modulesToSave,
      'must be a list of non-empty names',
    );
  }
  return c;
}

/** The longest `target_modules` pattern a file may carry (characters). */
export const MAX_FILE_PATTERN_LENGTH = 256;
/** The most repeating quantifiers (`*`, `+`, `{n,}`, `{n,m}`) a file's pattern may have. */
export const MAX_FILE_PATTERN_REPEATS = 4;

/**
 * Why a regular expression from a file (PEFT's `target_modules` string) could make matching slow,
 * or null when it is safe. Safe means: at most {@link MAX_FILE_PATTERN_LENGTH} characters, no
 * quantifier on a group (`(a+)+`, `(a|aa)*`: backtracking exponential in the name's length), no
 * back-references or look-arounds, and at most {@link MAX_FILE_PATTERN_REPEATS} repeating
 * quantifiers; matched whole (`^(?:…)$`, as `matchesTarget` does) such a pattern costs at most a
 * polynomial of low degree in the module name's length. Every pattern PEFT's docs show passes
 * (`.*\.(query|value)`, `.*encoder.*\.layer\.[0-9]+\.attention.*`). JavaScript's RegExp cannot
 * be interrupted, so a pattern is checked before it is ever run.
 */
export function unsafePatternReason(source: string): string | null {
  if (source.length > MAX_FILE_PATTERN_LENGTH)
    return `is longer than ${String(MAX_FILE_PATTERN_LENGTH)} characters`;
  try {
    new RegExp(source);
  } catch {
    return 'is not a valid regular expression';
  }
  let repeats = 0;
  let lastWasGroup = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i] ?? '';
    const groupBefore = lastWasGroup;
    lastWasGroup = false;
    if (c === '\\') {
      const next = source[i + 1] ?? '';
      if (/[1-9k]/.test(next)) return 'uses a back-reference';
      i += 1;
    } else if (c === '[') {
      // A class is one character; skip to its unescaped end.
      for (i += 1; i < source.length && source[i] !== ']'; i++) if (source[i] === '\\') i += 1;
    } else if (c === '(') {
      if (source[i + 1] === '?' && source[i + 2] !== ':') return 'uses a look-around';
    } else if (c === ')') {
      lastWasGroup = true;
    } else if (c === '*' || c === '+' || c === '?' || c === '{') {
      if (source[i - 1] === '*' || source[i - 1] === '+' || source[i - 1] === '}') {
        if (c === '?') continue; // A lazy quantifier (`.*?`), not a new one.
      }
      const bounded = c === '?' || (c === '{' && /^\{\d+\}/.test(source.slice(i)));
      if (groupBefore && !(c === '?' && bounded))
        return 'repeats a group (nested repetition can take exponential time)';
      if (!bounded) repeats += 1;
      if (c === '{') while (i < source.length && source[i] !== '}') i += 1;
    }
  }
  if (repeats > MAX_FILE_PATTERN_REPEATS)
    return `has ${String(repeats)} repeating quantifiers (at most ${String(MAX_FILE_PATTERN_REPEATS)})`;
  return null;
}

/** scaling = loraAlpha / r, or loraAlpha / √r with useRslora (Kalajdzievski 2023). */
export function loraScaling(c: Pick<LoraConfig, 'r' | 'loraAlpha' | 'useRslora'>): number {
  return c.useRslora ? c.loraAlpha / Math.sqrt(c.r) : c.loraAlpha / c.r;
}
