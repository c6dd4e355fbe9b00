/**
 * Saving and loading one adapter in PEFT's on-disk shape, so files are interchangeable in form with
 * `PeftModel.save_pretrained` / `PeftModel.from_pretrained`:
 * - `adapter_config.json`: PEFT's `LoraConfig` fields in snake_case (`peft_type: "LORA"`, `r`,
 *   `lora_alpha`, `lora_dropout`, `target_modules`, `modules_to_save`, `init_lora_weights`,
 *   `use_rslora`, `bias: "none"`, …).
 * - `adapter_model.safetensors`: `base_model.model.<module>.lora_A.weight` `[r, dIn]` and
 *   `….lora_B.weight` `[dOut, r]` (PEFT's orientation: our A and B transposed), plus every
 *   modulesToSave parameter as `base_model.model.<param>` (linear weights as `[out, in]`). On an
 *   embedding table the factors are `….lora_embedding_A` `[r, rows]` and `….lora_embedding_B`
 *   `[width, r]` (PEFT's names and orientation; again our A and B transposed).
 *   The zero-init gate of `'gated'` (not a PEFT feature) is saved as `….lora_gate` `[1]`.
 *   DoRA's magnitude is `….lora_magnitude_vector` `[dOut]` (PEFT's key: its parameter
 *   `lora_magnitude_vector.<adapter>.weight` with the adapter name and `.weight` removed).
 * The round trip is exact (float32 bits), and loading validates every name and shape before it
 * changes anything. A PiSSA adapter (`init_lora_weights: "pissa"`) is saved as PEFT saves it and
 * loads with `loadAdapterAsync` onto the original base (PiSSA is re-run there first, as in PEFT),
 * or is converted on save into a rank-2r LoRA on W0 (`SaveOptions.pissaInitial`).
 */
import * as tf from '@tensorflow/tfjs';
import { decodeSafetensors, encodeSafetensors, type RawTensor } from '../io/safetensors.ts';
import {
  INIT_LORA_WEIGHTS,
  unsafePatternReason,
  type InitLoraWeights,
  type LoraConfigInput,
} from './config.ts';
import { AdapterLoadError } from './errors.ts';
import type { PeftModel } from './peft-model.ts';
import type { LinearShape, LoraPlan } from './plan.ts';
import type { Module } from '../models/types.ts';

/** The two files of a saved adapter. */
export interface AdapterFiles {
  /** Contents of `adapter_config.json`. */
  readonly adapterConfigJson: string;
  /** Contents of `adapter_model.safetensors`. */
  readonly adapterModelSafetensors: Uint8Array;
}

/** Extra fields written into `adapter_config.json`. */
export interface SaveOptions {
  /** `base_model_name_or_path` (e.g. "tiny-roberta"). */
  readonly baseModelNameOrPath?: string;
  /** PEFT task type, e.g. "SEQ_CLS". */
  readonly taskType?: string | null;
  /**
   * A PiSSA adapter's files as saved right after it was created (PEFT's
   * `path_initial_model_for_weight_conversion`): the adapter is then saved as the plain LoRA
   * adapter of rank 2r that makes the same model from the original base W0 —
   * `A' = [A | A0]`, `B' = [B ; −B0]`, r' = 2r, lora_alpha' = 2·alpha (√2·alpha with rsLoRA, so
   * the scaling stays), `init_lora_weights: true` — which loads with plain `loadAdapter` on W0.
   */
  readonly pissaInitial?: AdapterFiles;
}

const PREFIX = 'base_model.model.';

function transpose2d(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++)
    for (let j = 0; j < cols; j++) out[j * rows + i] = data[i * cols + j] ?? 0;
  return out;
}

/** The file's keys of an adapter's factors on one module (PEFT's, adapter name removed). */
function savedFactorKeys(t: LinearShape): [string, string] {
  return t.kind === 'embedding'
    ? [`${PREFIX}${t.name}.lora_embedding_A`, `${PREFIX}${t.name}.lora_embedding_B`]
    : [`${PREFIX}${t.name}.lora_A.weight`, `${PREFIX}${t.name}.lora_B.weight`];
}

/** The file's key of DoRA's magnitude on one module (PEFT's `….lora_magnitude_vector`). */
function magnitudeKey(t: LinearShape): string {
  return `${PREFIX}${t.name}.lora_magnitude_vector`;
}

/** Serialises one adapter (default: the active one) in PEFT's format. */
export async function saveAdapter<M extends Module>(
  peft: PeftModel<M>,
  adapter: string | null = peft.activeAdapter,
  opts: SaveOptions = {},
): Promise<AdapterFiles> {
  if (adapter === null) throw new AdapterLoadError('adapter', null, 'no adapter to save');
  const plan = peft.getPlan(adapter);
  const c = plan.config;
  const tensors: Record<string, RawTensor> = {};
  for (const t of plan.targets) {
    const f = peft.factors(t.name, adapter);
    const a = (await f.a.data()) as Float32Array; // [dIn, r]
    const b = (await f.b.data()) as Float32Array; // [r, dOut]
    const [keyA, keyB] = savedFactorKeys(t);
    tensors[keyA] = {
      dtype: 'F32',
      shape: [c.r, t.inFeatures],
      data: transpose2d(a, t.inFeatures, c.r),
    };
    tensors[keyB] = {
      dtype: 'F32',
      shape: [t.outFeatures, c.r],
      data: transpose2d(b, c.r, t.outFeatures),
    };
    if (f.gate)
      tensors[`${PREFIX}${t.name}.lora_gate`] = {
        dtype: 'F32',
        shape: [1],
        data: (await f.gate.data()) as Float32Array,
      };
    if (f.magnitude)
      tensors[magnitudeKey(t)] = {
        dtype: 'F32',
        shape: [t.outFeatures],
        data: (await f.magnitude.data()) as Float32Array,
      };
  }
  const linearWeights = new Set([...peft.model.linearModules().keys()].map((m) => `${m}.weight`));
  for (const p of peft.model.namedParameters()) {
    if (!plan.saveParams.has(p.name)) continue;
    const data = (await p.variable.data()) as Float32Array;
    const [d0 = 0, d1 = 0] = p.variable.shape;
    tensors[`${PREFIX}${p.name}`] = linearWeights.has(p.name)
      ? { dtype: 'F32', shape: [d1, d0], data: transpose2d(data, d0, d1) }
      : { dtype: 'F32', shape: p.variable.shape, data };
  }
  let rank = c.r;
  let alpha = c.loraAlpha;
  let init: InitLoraWeights = c.initLoraWeights;
  if (opts.pissaInitial) {
    convertPissa(plan, tensors, opts.pissaInitial);
    rank = 2 * c.r;
    alpha = c.useRslora ? Math.SQRT2 * c.loraAlpha : 2 * c.loraAlpha;
    init = true;
  }
  const target = c.targetModules;
  const config = {
    peft_type: 'LORA',
    task_type: opts.taskType ?? null,
    base_model_name_or_path: opts.baseModelNameOrPath ?? null,
    inference_mode: true,
    r: rank,
    lora_alpha: alpha,
    lora_dropout: c.loraDropout,
    target_modules:
      typeof target === 'string' ? target : target instanceof RegExp ? target.source : [...target],
    modules_to_save: c.modulesToSave.length > 0 ? [...c.modulesToSave] : null,
    init_lora_weights: init,
    use_rslora: c.useRslora,
    bias: 'none',
    fan_in_fan_out: false,
    use_dora: c.useDora,
    layers_to_transform: null,
    layers_pattern: null,
    rank_pattern: {},
    alpha_pattern: {},
    init_scale: c.initScale,
  };
  return {
    adapterConfigJson: `${JSON.stringify(config, null, 2)}\n`,
    adapterModelSafetensors: encodeSafetensors(tensors, { format: 'pt' }),
  };
}

/** A tensor's shape as text, or "missing". */
function shapeText(x: RawTensor | undefined): string {
  return x ? `[${x.shape.join(', ')}]` : 'missing';
}

/**
 * Rewrites a PiSSA adapter's factors in `tensors` (file keys, PEFT orientation) as the rank-2r LoRA
 * relative to W0: s·(A·B − A0·B0) = s·[A | A0]·[B ; −B0] (PEFT's `subtract_mutated_init`).
 * @throws {AdapterLoadError} when the adapter is not PiSSA, uses DoRA, or `initial` does not match.
 */
function convertPissa(
  plan: LoraPlan,
  tensors: Record<string, RawTensor>,
  initial: AdapterFiles,
): void {
  const c = plan.config;
  if (c.initLoraWeights !== 'pissa')
    throw new AdapterLoadError(
      'pissaInitial',
      `init ${String(c.initLoraWeights)}`,
      "only an adapter made with initLoraWeights 'pissa' converts to LoRA",
    );
  if (c.useDora)
    throw new AdapterLoadError(
      'pissaInitial',
      'useDora',
      'a PiSSA adapter with DoRA has no LoRA form (its magnitude is relative to the residual)',
    );
  const first = parseAdapterConfig(initial.adapterConfigJson);
  if (first.r !== c.r || first.loraAlpha !== c.loraAlpha || first.useRslora !== c.useRslora)
    throw new AdapterLoadError(
      'pissaInitial',
      `r ${String(first.r)}, alpha ${String(first.loraAlpha)}`,
      `must be the same adapter's first state (r ${String(c.r)}, alpha ${String(c.loraAlpha)})`,
    );
  const init = decodeSafetensors(initial.adapterModelSafetensors).tensors;
  const r = c.r;
  for (const t of plan.targets) {
    const [keyA, keyB] = savedFactorKeys(t);
    const a = tensors[keyA];
    const b = tensors[keyB];
    const a0 = init[keyA];
    const b0 = init[keyB];
    if (!a || !b) continue; // written just before
    const shapeOk = (x: RawTensor | undefined, s: number[]): x is RawTensor =>
      x?.shape.length === 2 && x.shape[0] === s[0] && x.shape[1] === s[1];
    if (!shapeOk(a0, [r, t.inFeatures]))
      throw new AdapterLoadError(
        `pissaInitial ${keyA}`,
        shapeText(init[keyA]),
        `must be [${String(r)}, ${String(t.inFeatures)}]`,
      );
    if (!shapeOk(b0, [t.outFeatures, r]))
      throw new AdapterLoadError(
        `pissaInitial ${keyB}`,
        shapeText(init[keyB]),
        `must be [${String(t.outFeatures)}, ${String(r)}]`,
      );
    // A [r, dIn] on top of A0 [r, dIn]: rows concatenate.
    const aData = new Float32Array(2 * r * t.inFeatures);
    aData.set(a.data, 0);
    aData.set(a0.data, r * t.inFeatures);
    // B [dOut, r] beside −B0 [dOut, r]: each row is B's row then −B0's.
    const bData = new Float32Array(t.outFeatures * 2 * r);
    for (let i = 0; i < t.outFeatures; i++)
      for (let k = 0; k < r; k++) {
        bData[i * 2 * r + k] = b.data[i * r + k] ?? 0;
        bData[i * 2 * r + r + k] = -(b0.data[i * r + k] ?? 0);
      }
    tensors[keyA] = { dtype: 'F32', shape: [2 * r, t.inFeatures], data: aData };
    tensors[keyB] = { dtype: 'F32', shape: [t.outFeatures, 2 * r], data: bData };
  }
}

/** A value from a parsed file, as text for an error message (never throws, unlike String()). */
function shown(v: unknown): string {
  return typeof v === 'string' ? v : v === undefined ? 'undefined' : JSON.stringify(v);
}

/** A field of `adapter_config.json` that must be a number, or absent (PEFT's default). */
function numberField(raw: Record<string, unknown>, name: string, fallback: number): number {
  const v = raw[name];
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v))
    throw new AdapterLoadError(name, JSON.stringify(v), 'must be a finite number');
  return v;
}

/**
 * Reads PEFT's `adapter_config.json` into our config. Strict, since the file may come from
 * anywhere: every field has its JSON type (`r: true`, `"use_rslora": "true"` or `null` are
 * errors, never coerced), absent fields take PEFT's defaults, and a `target_modules` pattern
 * must be safe to run ({@link unsafePatternReason}). Throws {@link AdapterLoadError}.
 */
export function parseAdapterConfig(json: string): LoraConfigInput {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (e) {
    throw new AdapterLoadError(
      'adapter_config.json',
      'JSON',
      `is not valid JSON (${(e as Error).message})`,
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new AdapterLoadError('adapter_config.json', JSON.stringify(parsed), 'must be an object');
  const raw = parsed as Record<string, unknown>;
  if (raw.peft_type !== 'LORA')
    throw new AdapterLoadError('peft_type', shown(raw.peft_type), 'must be "LORA"');
  if (raw.bias !== undefined && raw.bias !== 'none')
    throw new AdapterLoadError('bias', shown(raw.bias), 'only "none" is supported');
  const dora = raw.use_dora === undefined ? false : raw.use_dora;
  if (typeof dora !== 'boolean')
    throw new AdapterLoadError('use_dora', JSON.stringify(dora), 'must be a boolean');
  const tm = raw.target_modules;
  if (typeof tm === 'string') {
    const why = unsafePatternReason(tm);
    if (why !== null)
      throw new AdapterLoadError(
        'target_modules',
        JSON.stringify(tm),
        `${why}; a pattern from a file must be safe to run (or list the module names)`,
      );
  } else if (!(Array.isArray(tm) && tm.every((x) => typeof x === 'string'))) {
    throw new AdapterLoadError(
      'target_modules',
      JSON.stringify(tm),
      'must be a list of names or a regex string',
    );
  }
  const init = raw.init_lora_weights === undefined ? true : raw.init_lora_weights;
  if (!INIT_LORA_WEIGHTS.includes(init as InitLoraWeights))
    throw new AdapterLoadError('init_lora_weights', JSON.stringify(init), 'unsupported');
  const mts = raw.modules_to_save ?? [];
  if (!Array.isArray(mts) || !mts.every((m) => typeof m === 'string'))
    throw new AdapterLoadError(
      'modules_to_save',
      JSON.stringify(mts),
      'must be a list of names or null',
    );
  const r = raw.r;
  if (typeof r !== 'number' || !Number.isSafeInteger(r) || r <= 0)
    throw new AdapterLoadError('r', JSON.stringify(r), 'must be a positive integer');
  const rslora = raw.use_rslora === undefined ? false : raw.use_rslora;
  if (typeof rslora !== 'boolean')
    throw new AdapterLoadError('use_rslora', JSON.stringify(rslora), 'must be a boolean');
  return {
    r,
    loraAlpha: numberField(raw, 'lora_alpha', 8),
    loraDropout: numberField(raw, 'lora_dropout', 0),
    targetModules: tm,
    modulesToSave: mts,
    initLoraWeights: init as InitLoraWeights,
    useRslora: rslora,
    initScale: numberField(raw, 'init_scale', 0.02),
    useDora: dora,
  };
}

/**
 * Adds the saved adapter to `peft` under `adapterName` (becoming active if it is the first) and
 * assigns its modulesToSave weights. Every name and shape is checked first; on any mismatch it
 * throws {@link AdapterLoadError} (or `LoraConfigError`) and changes nothing.
 */
export function loadAdapter<M extends Module>(
  peft: PeftModel<M>,
  files: AdapterFiles,
  adapterName = 'default',
): void {
  const checked = checkAdapterFiles(peft, files);
  if (checked.plan.config.initLoraWeights === 'pissa')
    throw new AdapterLoadError(
      'init_lora_weights',
      'pissa',
      "a PiSSA adapter's base is the residual of an SVD of this model's weights: load it with await loadAdapterAsync(…)",
    );
  installAdapter(peft, checked, adapterName, null);
}

/**
 * {@link loadAdapter} for every adapter, PiSSA's included. A file whose `init_lora_weights` is
 * `"pissa"` is loaded as PEFT loads it: the adapter is first initialised by PiSSA from the base
 * weights given (their SVD; the base becomes the residual W0 − s·A0·B0), then A and B are set from
 * the file — so load it onto the original base model W0, not onto a saved residual. (PEFT's own
 * advice for a residual model is to save the initial adapter with `init_lora_weights = true`; such
 * a file is a plain LoRA file here.) Every check runs before anything changes.
 */
export async function loadAdapterAsync<M extends Module>(
  peft: PeftModel<M>,
  files: AdapterFiles,
  adapterName = 'default',
): Promise<void> {
  const checked = checkAdapterFiles(peft, files);
  let residuals: Map<string, Float32Array> | null = null;
  if (checked.plan.config.initLoraWeights === 'pissa') {
    const inits = await peft.pissaInits(checked.plan);
    residuals = new Map([...inits].map(([k, v]) => [k, v.residual]));
  }
  installAdapter(peft, checked, adapterName, residuals); // createAdapter re-checks the state
}

/** A parsed, checked adapter file pair, ready to install. */
interface CheckedAdapter {
  readonly input: LoraConfigInput;
  readonly plan: LoraPlan;
  readonly tensors: Readonly<Record<string, RawTensor>>;
}

/** Parses both files and checks every name, shape and value against `peft`'s model. */
function checkAdapterFiles<M extends Module>(
  peft: PeftModel<M>,
  files: AdapterFiles,
): CheckedAdapter {
  const input = parseAdapterConfig(files.adapterConfigJson);
  const plan = peft.planFor(input); // validates config, targets and rank against this model
  const { tensors } = decodeSafetensors(files.adapterModelSafetensors);
  const expected = new Map<string, number[]>();
  const r = plan.config.r;
  for (const t of plan.targets) {
    const [keyA, keyB] = savedFactorKeys(t);
    expected.set(keyA, [r, t.inFeatures]);
    expected.set(keyB, [t.outFeatures, r]);
    if (plan.config.initLoraWeights === 'gated') expected.set(`${PREFIX}${t.name}.lora_gate`, [1]);
    if (plan.config.useDora) expected.set(magnitudeKey(t), [t.outFeatures]);
  }
  const linearWeights = new Set([...peft.model.linearModules().keys()].map((m) => `${m}.weight`));
  const params = new Map(peft.model.namedParameters().map((p) => [p.name, p.variable]));
  for (const name of plan.saveParams) {
    const shape = params.get(name)?.shape ?? [];
    expected.set(
      `${PREFIX}${name}`,
      linearWeights.has(name) ? [shape[1] ?? 0, shape[0] ?? 0] : [...shape],
    );
  }
  for (const [name, shape] of expected) {
    const t = tensors[name];
    if (!t)
      throw new AdapterLoadError(
        name,
        'missing',
        `the model expects a tensor of shape [${shape.join(', ')}]`,
      );
    if (t.dtype !== 'F32') throw new AdapterLoadError(`${name}.dtype`, t.dtype, 'must be F32');
    const bad = t.data.findIndex((x) => !Number.isFinite(x));
    if (bad >= 0)
      throw new AdapterLoadError(
        `${name}[${String(bad)}]`,
        t.data[bad],
        'is not a finite number: the adapter would turn every output into NaN',
      );
    if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
      throw new AdapterLoadError(
        `${name}.shape`,
        `[${t.shape.join(', ')}]`,
        `the model needs [${shape.join(', ')}]`,
      );
    }
  }
  const unexpected = Object.keys(tensors).filter((n) => !expected.has(n));
  if (unexpected.length > 0)
    throw new AdapterLoadError(
      'tensors',
      unexpected.slice(0, 3).join(', '),
      'are not part of this adapter for this model',
    );
  return { input, plan, tensors };
}

/** Creates the checked adapter (PiSSA: over `residuals`), then assigns modulesToSave. */
function installAdapter<M extends Module>(
  peft: PeftModel<M>,
  { input, plan, tensors }: CheckedAdapter,
  adapterName: string,
  residuals: ReadonlyMap<string, Float32Array> | null,
): void {
  const r = plan.config.r;
  const linearWeights = new Set([...peft.model.linearModules().keys()].map((m) => `${m}.weight`));
  const params = new Map(peft.model.namedParameters().map((p) => [p.name, p.variable]));
  peft.createAdapter(adapterName, input, (t) => {
    const [keyA, keyB] = savedFactorKeys(t);
    const a = tensors[keyA]?.data as Float32Array;
    const b = tensors[keyB]?.data as Float32Array;
    const g = tensors[`${PREFIX}${t.name}.lora_gate`]?.data[0];
    const m = tensors[magnitudeKey(t)]?.data;
    const res = residuals?.get(t.name);
    return {
      a: transpose2d(a, r, t.inFeatures),
      b: transpose2d(b, t.outFeatures, r),
      gate: g ?? null,
      magnitude: m ? Float32Array.from(m) : null,
      ...(res ? { residual: res } : {}),
    };
  });
  for (const name of plan.saveParams) {
    const v = params.get(name);
    const t = tensors[`${PREFIX}${name}`];
    if (!v || !t) continue;
    const [d0 = 0, d1 = 0] = v.shape;
    const data = linearWeights.has(name)
      ? transpose2d(t.data as Float32Array, d1, d0)
      : (t.data as Float32Array);
    tf.tidy(() => {
      v.assign(tf.tensor(data, v.shape, 'float32'));
    });
  }
}
