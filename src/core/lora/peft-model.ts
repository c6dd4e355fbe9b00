/**
 * `PeftModel`: LoRA adapters on any {@link Module} (the encoder, the MLP), with PEFT's verbs —
 * `getPeftModel`, `addAdapter`, `setAdapter`, `disableAdapters`/`enableAdapters`, `deleteAdapter`,
 * `merge`/`unmerge`/`mergeAndUnload`, `getDeltaWeight` — and parameter accounting.
 *
 * The adapted model is the base model itself (`peft.model`): each targeted {@link Linear} gets a
 * {@link LoraLinear} hook (an embedding table, which a model lists in `embeddingModules()`, gets a
 * {@link LoraEmbedding}: PEFT's `lora_embedding_A/B`), so switching adapters only flips which factors the hooks use; the base
 * weights are never copied or reloaded. Freezing: base parameters become `trainable = false` except
 * those under the active adapter's `modulesToSave`; only the active adapter's factors are trainable.
 *
 * Differences from PEFT, on purpose: `modulesToSave` trains the base module in place rather than a
 * per-adapter copy (so with several adapters those modules are shared), and each parameter is
 * counted once.
 */
import * as tf from '@tensorflow/tfjs';
import type { ParamRow } from '../accounting.ts';
import { Rng } from '../rng.ts';
import type { Module, NamedParameter } from '../models/types.ts';
import { LoraConfigError, type LoraConfig, type LoraConfigInput } from './config.ts';
import { AdapterStateError, LoraMergeError } from './errors.ts';
import { initEmbeddingFactors, initLoraFactors } from './init.ts';
import { LoraEmbedding, LoraLinear, type AdapterState, type LoraFactors } from './layer.ts';
import { adapterFactorNames, planLora, type LinearShape, type LoraPlan } from './plan.ts';
import type { Linear } from '../nn/module.ts';

/** Options of {@link getPeftModel} and {@link PeftModel.addAdapter}. */
export interface AdapterOptions {
  /** Adapter name (PEFT's default is "default"). */
  readonly adapterName?: string;
  /** Seed of the factors' initialisation (default 0). */
  readonly seed?: number;
}

/** Explicit initial factor values, `[dIn, r]` and `[r, dOut]` row-major (used by loading). */
export interface FactorValues {
  readonly a: Float32Array;
  readonly b: Float32Array;
  readonly gate: number | null;
}

/** LoRA adapters on a base model. */
export class PeftModel<M extends Module = Module> {
  private readonly state: AdapterState = { active: null, disabled: false, merged: new Set() };
  private readonly layers = new Map<string, LoraLinear>();
  private readonly plans = new Map<string, LoraPlan>();
  private readonly originalTrainable = new Map<tf.Variable, boolean>();
  private released = false;

  /** Wraps `model` with no adapter yet (use {@link getPeftModel} or `addAdapter`). */
  constructor(readonly model: M) {
    for (const p of model.namedParameters())
      this.originalTrainable.set(p.variable, p.variable.trainable);
  }

  /** Name of the active adapter (null when none). */
  get activeAdapter(): string | null {
    return this.state.active;
  }

  /** Names of all adapters, in creation order. */
  get adapterNames(): string[] {
    return [...this.plans.keys()];
  }

  /** Whether forward passes currently skip the adapters. */
  get adaptersDisabled(): boolean {
    return this.state.disabled;
  }

  /** Adapters merged into the base weights. */
  get mergedAdapters(): string[] {
    return [...this.state.merged];
  }

  /** The resolved config of an adapter. */
  getConfig(adapter: string = this.requireActive()): LoraConfig {
    return this.requirePlan(adapter).config;
  }

  /** The plan (targets, scaling, modulesToSave) of an adapter. */
  getPlan(adapter: string = this.requireActive()): LoraPlan {
    return this.requirePlan(adapter);
  }

  /**
   * Adds an adapter named `name` (it becomes active if it is the first). Everything is validated
   * before anything is created: on error the model is exactly as it was.
   * @throws {LoraConfigError} on an invalid config or name.
   */
  addAdapter(name: string, config: LoraConfigInput, opts: { seed?: number } = {}): void {
    const c = this.planFor(config).config;
    const root = new Rng(opts.seed ?? 0).fork(name);
    this.createAdapter(name, config, (t) =>
      t.kind === 'embedding'
        ? initEmbeddingFactors(
            c.initLoraWeights,
            t.inFeatures,
            t.outFeatures,
            c.r,
            root.fork(t.name),
          )
        : initLoraFactors(
            c.initLoraWeights,
            t.inFeatures,
            t.outFeatures,
            c.r,
            root.fork(t.name),
            c.initScale,
          ),
    );
  }

  /** Validates without side effects (throws {@link LoraConfigError}); returns the plan. */
  planFor(config: LoraConfigInput): LoraPlan {
    const shapes: LinearShape[] = [...this.adaptable().values()].map((l) => ({
      name: l.name,
      inFeatures: l.inFeatures,
      outFeatures: l.outFeatures,
      kind: l.kind,
    }));
    return planLora(
      shapes,
      this.model.namedParameters().map((p) => p.name),
      config,
    );
  }

  /** Every module an adapter may target: the linear layers, then any embedding tables. */
  private adaptable(): Map<string, Linear> {
    const out = new Map<string, Linear>(this.model.linearModules());
    for (const [n, e] of this.model.embeddingModules?.() ?? []) out.set(n, e);
    return out;
  }

  /**
   * Creates an adapter with factor values from `values` (for loading). Validation first; `values`
   * is called only after every check passed.
   * @internal used by `addAdapter` and `lora/io.ts`.
   */
  createAdapter(
    name: string,
    config: LoraConfigInput,
    values: (target: LinearShape) => FactorValues,
  ): LoraPlan {
    this.requireLive();
    if (typeof name !== 'string' || name.length === 0 || /[.\s]/.test(name)) {
      throw new LoraConfigError(
        'adapterName',
        name,
        'must be a non-empty name without dots or spaces',
      );
    }
    if (this.plans.has(name)) throw new LoraConfigError('adapterName', name, 'already exists');
    const plan = this.planFor(config);
    const linears = this.adaptable();
    for (const t of plan.targets) {
      const lin = linears.get(t.name);
      if (!lin) throw new LoraConfigError('targetModules', t.name, 'is not an adaptable module');
      if (lin.hook !== null && !this.layers.has(t.name)) {
        throw new LoraConfigError(
          'targetModules',
          t.name,
          'is already adapted by another PeftModel',
        );
      }
    }
    const created = plan.targets.map((t) => ({ t, v: values(t) }));
    for (const { t, v } of created) {
      const r = plan.config.r;
      if (v.a.length !== t.inFeatures * r || v.b.length !== r * t.outFeatures) {
        throw new LoraConfigError(
          'factors',
          t.name,
          `must be [${t.inFeatures}, ${r}] and [${r}, ${t.outFeatures}]`,
        );
      }
    }
    for (const { t, v } of created) {
      const lin = linears.get(t.name);
      if (!lin) continue; // checked above
      let layer = this.layers.get(t.name);
      if (!layer) {
        layer =
          lin.kind === 'embedding'
            ? new LoraEmbedding(lin, this.state)
            : new LoraLinear(lin, this.state);
        this.layers.set(t.name, layer);
        lin.hook = layer;
      }
      const r = plan.config.r;
      const mk = (data: Float32Array, shape: number[]): tf.Variable => {
        const init = tf.tensor(data, shape, 'float32');
        const v = tf.variable(init, true);
        init.dispose();
        return v;
      };
      const factors: LoraFactors = {
        a: mk(v.a, [t.inFeatures, r]),
        b: mk(v.b, [r, t.outFeatures]),
        gate: v.gate === null ? null : mk(new Float32Array([v.gate]), [1]),
        scaling: plan.scaling,
        dropout: plan.config.loraDropout,
      };
      layer.adapters.set(name, factors);
    }
    this.plans.set(name, plan);
    this.state.active ??= name;
    this.refreshTrainable();
    return plan;
  }

  /**
   * Makes `name` the active adapter (only its factors and modulesToSave train). Never copies the
   * base. @throws {AdapterStateError} for an unknown name or while adapters are merged.
   */
  setAdapter(name: string): void {
    this.requireLive();
    this.requirePlan(name);
    if (this.state.merged.size > 0 && !this.state.merged.has(name)) {
      throw new AdapterStateError(
        'adapter',
        name,
        `cannot switch while ${[...this.state.merged].join(', ')} is merged; unmerge() first`,
      );
    }
    this.state.active = name;
    this.refreshTrainable();
  }

  /** Forward passes use the base model only (PEFT's `disable_adapter`). */
  disableAdapters(): void {
    this.requireLive();
    if (this.state.merged.size > 0)
      throw new AdapterStateError(
        'merged',
        [...this.state.merged].join(', '),
        'unmerge() before disabling adapters',
      );
    this.state.disabled = true;
  }

  /** Undoes {@link disableAdapters}. */
  enableAdapters(): void {
    this.requireLive();
    this.state.disabled = false;
  }

  /**
   * Deletes an adapter and frees its factors; the next remaining adapter becomes active if it was.
   * @throws {AdapterStateError} for an unknown or merged adapter.
   */
  deleteAdapter(name: string): void {
    this.requireLive();
    this.requirePlan(name);
    if (this.state.merged.has(name))
      throw new AdapterStateError('adapter', name, 'is merged; unmerge() first');
    for (const [mod, layer] of this.layers) {
      layer.remove(name);
      if (layer.adapters.size === 0) {
        layer.module.hook = null;
        this.layers.delete(mod);
      }
    }
    this.plans.delete(name);
    if (this.state.active === name) this.state.active = this.plans.keys().next().value ?? null;
    this.refreshTrainable();
  }

  /**
   * ΔW = A·B·scaling of one adapted module, `[dIn, dOut]` (caller disposes).
   * @throws {AdapterStateError} for an unknown module or adapter.
   */
  getDeltaWeight(moduleName: string, adapter: string = this.requireActive()): tf.Tensor {
    this.requirePlan(adapter);
    const layer = this.layers.get(moduleName);
    if (!layer?.adapters.has(adapter))
      throw new AdapterStateError('moduleName', moduleName, `has no adapter "${adapter}"`);
    return layer.deltaWeight(adapter);
  }

  /**
   * Adds ΔW into the base weights of every module the adapters target (default: the active one).
   * Refuses, changing nothing, when any ΔW holds NaN or ±Inf. The finiteness check is one small
   * asynchronous read (`await data()`), so it never stalls the thread on a GPU backend; the
   * weights change only after it passes.
   * @throws {LoraMergeError} on non-finite ΔW; {@link AdapterStateError} for unknown/merged names.
   */
  async merge(adapters: readonly string[] = [this.requireActive()]): Promise<void> {
    const { work, finite } = this.prepareMerge(adapters);
    let flags: ArrayLike<number>;
    try {
      flags = await finite.data();
    } finally {
      finite.dispose();
    }
    this.requireLive(); // the model may have been released while we waited
    this.finishMerge(adapters, work, flags);
  }

  /** Validates a merge request and computes every ΔW plus one finiteness flag per ΔW. */
  private prepareMerge(adapters: readonly string[]): {
    work: { layer: LoraLinear; delta: tf.Tensor }[];
    finite: tf.Tensor;
  } {
    this.requireLive();
    if (this.state.disabled)
      throw new AdapterStateError('adaptersDisabled', true, 'enableAdapters() before merging');
    for (const a of adapters) {
      this.requirePlan(a);
      if (this.state.merged.has(a)) throw new AdapterStateError('adapter', a, 'is already merged');
    }
    const work: { layer: LoraLinear; delta: tf.Tensor }[] = [];
    for (const a of adapters) {
      for (const layer of this.layers.values())
        if (layer.adapters.has(a)) work.push({ layer, delta: layer.deltaWeight(a) });
    }
    const finite = tf.tidy(() =>
      tf.stack(work.map((w) => tf.all(tf.isFinite(w.delta)))).cast('int32'),
    );
    return { work, finite };
  }

  /** Refuses on a non-finite ΔW (disposing them all), else adds each ΔW into its base weight. */
  private finishMerge(
    adapters: readonly string[],
    work: { layer: LoraLinear; delta: tf.Tensor }[],
    flags: ArrayLike<number>,
  ): void {
    const bad = work.findIndex((_, i) => flags[i] !== 1);
    if (bad >= 0) {
      const name = work[bad]?.layer.module.name ?? '?';
      tf.dispose(work.map((w) => w.delta));
      throw new LoraMergeError('deltaWeight', name, 'holds NaN or Inf; refusing to merge');
    }
    for (const { layer, delta } of work) {
      tf.tidy(() => {
        layer.module.weight.assign(tf.add(layer.module.weight, delta));
      });
      delta.dispose();
    }
    for (const a of adapters) this.state.merged.add(a);
  }

  /** Subtracts every merged adapter's ΔW again (W0 restored within float32 rounding). */
  unmerge(): void {
    this.requireLive();
    for (const a of [...this.state.merged]) {
      for (const layer of this.layers.values()) {
        if (!layer.adapters.has(a)) continue;
        tf.tidy(() => {
          layer.module.weight.assign(tf.sub(layer.module.weight, layer.deltaWeight(a)));
        });
      }
      this.state.merged.delete(a);
    }
  }

  /**
   * Merges the active adapter (unless disabled or already merged) and returns the plain base model
   * with no adapter left; this PeftModel is spent afterwards.
   */
  async mergeAndUnload(): Promise<M> {
    this.requireLive();
    const a = this.state.active;
    if (a !== null && !this.state.disabled && !this.state.merged.has(a)) await this.merge([a]);
    return this.release();
  }

  /** Removes every adapter without merging (unmerging first), returning the original base model. */
  unload(): M {
    this.requireLive();
    this.unmerge();
    return this.release();
  }

  /** Base parameters (with current trainable flags) followed by every adapter's factors. */
  namedParameters(): NamedParameter[] {
    const out: NamedParameter[] = [...this.model.namedParameters()];
    for (const [mod, layer] of this.layers) {
      for (const [name, f] of layer.adapters) {
        const [a, b] = adapterFactorNames({ ...shapeOf(layer.module), name: mod }, name);
        out.push({ name: a, variable: f.a, trainable: f.a.trainable });
        out.push({ name: b, variable: f.b, trainable: f.b.trainable });
        if (f.gate)
          out.push({
            name: `${mod}.lora_gate.${name}`,
            variable: f.gate,
            trainable: f.gate.trainable,
          });
      }
    }
    return out;
  }

  /** The variables an optimiser should update now. */
  trainableVariables(): tf.Variable[] {
    return this.namedParameters()
      .filter((p) => p.trainable)
      .map((p) => p.variable);
  }

  /** One row per parameter: name, trainable 0/1, count. */
  parameterRows(): ParamRow[] {
    return this.namedParameters().map((p) => ({
      name: p.name,
      trainable: p.trainable ? 1 : 0,
      count: p.variable.size,
    }));
  }

  /** The factors of one adapter on one module (for lessons, tests and saving). */
  factors(moduleName: string, adapter: string = this.requireActive()): LoraFactors {
    const f = this.layers.get(moduleName)?.adapters.get(adapter);
    if (!f) throw new AdapterStateError('moduleName', moduleName, `has no adapter "${adapter}"`);
    return f;
  }

  /** Frees the adapters and the base model. */
  dispose(): void {
    if (!this.released) this.release();
    this.model.dispose();
  }

  private release(): M {
    for (const layer of this.layers.values()) {
      for (const a of [...layer.adapters.keys()]) layer.remove(a);
      layer.module.hook = null;
    }
    this.layers.clear();
    this.plans.clear();
    this.state.active = null;
    this.state.merged.clear();
    for (const [v, t] of this.originalTrainable) if (!v.isDisposed) v.trainable = t;
    this.released = true;
    return this.model;
  }

  private refreshTrainable(): void {
    const active = this.state.active;
    const save =
      active === null
        ? new Set<string>()
        : (this.plans.get(active)?.saveParams ?? new Set<string>());
    for (const p of this.model.namedParameters()) p.variable.trainable = save.has(p.name);
    for (const layer of this.layers.values()) {
      for (const [name, f] of layer.adapters) {
        const on = name === active;
        f.a.trainable = on;
        f.b.trainable = on;
        if (f.gate) f.gate.trainable = on;
      }
    }
  }

  private requireLive(): void {
    if (this.released)
      throw new AdapterStateError(
        'peftModel',
        'released',
        'was unloaded; use the returned base model',
      );
  }

  private requirePlan(name: string): LoraPlan {
    const p = this.plans.get(name);
    if (!p)
      throw new AdapterStateError(
        'adapter',
        name,
        `no such adapter (have: ${[...this.plans.keys()].join(', ') || 'none'})`,
      );
    return p;
  }

  private requireActive(): string {
    const a = this.state.active;
    if (a === null) throw new AdapterStateError('activeAdapter', null, 'no adapter');
    return a;
  }
}

/** The shape of a module as the planner sees it. */
function shapeOf(l: Linear): LinearShape {
  return { name: l.name, inFeatures: l.inFeatures, outFeatures: l.outFeatures, kind: l.kind };
}

/**
 * Wraps `model` with a first LoRA adapter (PEFT's `get_peft_model`). The base is frozen except
 * `modulesToSave`. On any config error, throws {@link LoraConfigError} and leaves `model` untouched.
 */
export function getPeftModel<M extends Module>(
  model: M,
  config: LoraConfigInput,
  opts: AdapterOptions = {},
): PeftModel<M> {
  const peft = new PeftModel(model);
  peft.addAdapter(opts.adapterName ?? 'default', config, { seed: opts.seed ?? 0 });
  return peft;
}
