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
import { slicer, SLICE_MS } from '../yield.ts';
import type { Module, NamedParameter } from '../models/types.ts';
import {
  LoraConfigError,
  resolveLoraConfig,
  type LoraConfig,
  type LoraConfigInput,
} from './config.ts';
import { AdapterStateError, LoraMergeError } from './errors.ts';
import { initEmbeddingFactors, initLoraFactors } from './init.ts';
import { loadPissaLinalg, pissaInit, type PissaInit } from './pissa.ts';
import {
  doraColumnNorm,
  LoraEmbedding,
  LoraLinear,
  type AdapterState,
  type LoraFactors,
} from './layer.ts';
import {
  adapterFactorNames,
  doraMagnitudeName,
  planLora,
  type LinearShape,
  type LoraPlan,
} from './plan.ts';
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
  /**
   * DoRA's magnitude `[dOut]` (loading); absent or null with `useDora` means "start at the column
   * norms of W0 + s·A·B" (PEFT's `dora_init`).
   */
  readonly magnitude?: Float32Array | null;
  /**
   * PiSSA's residual base weight `W0 − s·A0·B0` `[dIn, dOut]` row-major, written into the layer
   * before the adapter is made (and before DoRA's magnitude is measured); only with
   * `initLoraWeights: 'pissa'`, and required there.
   */
  readonly residual?: Float32Array;
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
    // PiSSA's refusal comes first: it is about this method, whatever else the config says.
    if (resolveLoraConfig(config).initLoraWeights === 'pissa')
      throw new LoraConfigError(
        'initLoraWeights',
        'pissa',
        'needs an SVD of each base weight: use await peft.addAdapterAsync(…) or await getPeftModelAsync(…)',
      );
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

  /**
   * {@link addAdapter} for every init, PiSSA's included: with `initLoraWeights: 'pissa'` it reads
   * each targeted weight (awaited), takes its SVD ({@link pissaInit}; `ml-matrix`, loaded on first
   * use), starts A and B at the top-r singular triplets and writes the residual into the base.
   * Validation comes first: on any error nothing changes.
   * @throws {LoraConfigError} on an invalid config or name.
   */
  async addAdapterAsync(
    name: string,
    config: LoraConfigInput,
    opts: { seed?: number } = {},
  ): Promise<void> {
    const plan = this.planFor(config);
    if (plan.config.initLoraWeights !== 'pissa') {
      this.addAdapter(name, config, opts);
      return;
    }
    this.checkCreate(name, plan); // fail before the SVDs, not after
    const inits = await this.pissaInits(plan);
    this.createAdapter(name, config, (t) => {
      const p = inits.get(t.name);
      if (!p) throw new LoraConfigError('targetModules', t.name, 'has no PiSSA init');
      return { a: p.a, b: p.b, gate: null, residual: p.residual };
    });
  }

  /**
   * PiSSA's starting point for every target of `plan`, from the base weights as they are now
   * (read with awaited `data()`). Between two SVDs it hands the event loop back once its slice is
   * spent ({@link slicer}): on a page, one SVD of a 128 × 512 weight takes a long task's worth of
   * time, and the twelve of an encoder in one go froze it for seconds. @internal used by
   * `addAdapterAsync` and `lora/io.ts`.
   */
  async pissaInits(plan: LoraPlan): Promise<Map<string, PissaInit>> {
    const lib = await loadPissaLinalg();
    const linears = this.adaptable();
    const out = new Map<string, PissaInit>();
    const pause = slicer(SLICE_MS);
    for (const t of plan.targets) {
      await pause();
      this.requireLive(); // the model may have been disposed while the page ran
      const lin = linears.get(t.name);
      if (!lin) throw new LoraConfigError('targetModules', t.name, 'is not an adaptable module');
      if (lin.weight.size !== t.inFeatures * t.outFeatures)
        throw new LoraConfigError(
          'initLoraWeights',
          'pissa',
          `${t.name} holds no float weight (a quantised layer); PiSSA needs W0's SVD`,
        );
      const w = await lin.weight.data();
      out.set(t.name, pissaInit(lib, w, t.inFeatures, t.outFeatures, plan.config.r, plan.scaling));
    }
    this.requireLive();
    return out;
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
    const plan = this.planFor(config);
    this.checkCreate(name, plan);
    const linears = this.adaptable();
    for (const t of plan.targets) {
      const lin = linears.get(t.name);
      if (!lin) throw new LoraConfigError('targetModules', t.name, 'is not an adaptable module');
      const c = plan.config;
      if (c.useDora && lin.weight.size !== lin.inFeatures * lin.outFeatures)
        throw new LoraConfigError(
          'useDora',
          true,
          `${t.name} holds no float weight (a quantised layer); DoRA needs W0's column norms`,
        );
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
      const pissa = plan.config.initLoraWeights === 'pissa';
      if (
        pissa !== (v.residual !== undefined) ||
        (v.residual && v.residual.length !== t.inFeatures * t.outFeatures)
      )
        throw new LoraConfigError(
          'initLoraWeights',
          plan.config.initLoraWeights,
          pissa
            ? `needs the residual base [${t.inFeatures}, ${t.outFeatures}] of ${t.name}: use addAdapterAsync (or loadAdapterAsync)`
            : 'a residual base weight is given but the init is not PiSSA',
        );
      if (v.magnitude && (!plan.config.useDora || v.magnitude.length !== t.outFeatures))
        throw new LoraConfigError(
          'magnitude',
          t.name,
          plan.config.useDora ? `must be [${t.outFeatures}]` : 'is given but useDora is false',
        );
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
      if (v.residual) {
        const res = v.residual;
        tf.tidy(() => {
          lin.weight.assign(tf.tensor(res, [t.inFeatures, t.outFeatures], 'float32'));
        });
      }
      const a = mk(v.a, [t.inFeatures, r]);
      const b = mk(v.b, [r, t.outFeatures]);
      const factors: LoraFactors = {
        a,
        b,
        gate: v.gate === null ? null : mk(new Float32Array([v.gate]), [1]),
        magnitude: plan.config.useDora
          ? v.magnitude
            ? mk(v.magnitude, [t.outFeatures])
            : doraInitialMagnitude(lin.weight, a, b, plan.scaling)
          : null,
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
   * The checks of a new adapter that do not depend on factor values: a free, valid name, and PiSSA's
   * rule that its adapter is the model's only one (it rewrites the base the others were made for).
   */
  private checkCreate(name: string, plan: LoraPlan): void {
    this.requireLive();
    if (typeof name !== 'string' || name.length === 0 || /[.\s]/.test(name)) {
      throw new LoraConfigError(
        'adapterName',
        name,
        'must be a non-empty name without dots or spaces',
      );
    }
    if (this.plans.has(name)) throw new LoraConfigError('adapterName', name, 'already exists');
    const pissa = [...this.plans].find(([, p]) => p.config.initLoraWeights === 'pissa')?.[0];
    if (pissa !== undefined)
      throw new LoraConfigError(
        'adapterName',
        name,
        `cannot be added next to the PiSSA adapter "${pissa}": the base holds its residual`,
      );
    if (plan.config.initLoraWeights === 'pissa' && this.plans.size > 0)
      throw new LoraConfigError(
        'initLoraWeights',
        'pissa',
        `must be the model's only adapter (it rewrites the base weights that ${[...this.plans.keys()].join(', ')} adapt)`,
      );
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

  /**
   * Forward passes use the base model only (PEFT's `disable_adapter`). With a PiSSA adapter the
   * base is its residual W0 − s·A0·B0, as in PEFT, not W0.
   */
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

  /**
   * Validates a merge request and computes every ΔW (for DoRA the new weight
   * m ⊙ (W0 + s·A·B)/‖·‖) plus one finiteness flag per tensor. A DoRA adapter merges alone: its
   * merged weight is a function of the weight it is merged into, not a sum that commutes.
   */
  private prepareMerge(adapters: readonly string[]): {
    work: { layer: LoraLinear; adapter: string; value: tf.Tensor }[];
    finite: tf.Tensor;
  } {
    this.requireLive();
    if (this.state.disabled)
      throw new AdapterStateError('adaptersDisabled', true, 'enableAdapters() before merging');
    for (const a of adapters) {
      this.requirePlan(a);
      if (this.state.merged.has(a)) throw new AdapterStateError('adapter', a, 'is already merged');
    }
    const merging = [...adapters, ...this.state.merged];
    if (merging.length > 1) {
      const dora = merging.find((a) => this.plans.get(a)?.config.useDora === true);
      if (dora !== undefined)
        throw new AdapterStateError(
          'adapter',
          dora,
          'is a DoRA adapter: merge it alone (its merged weight is not a sum with others)',
        );
    }
    for (const a of adapters) {
      for (const [name, layer] of this.layers) {
        const m = layer.module;
        if (layer.adapters.has(a) && m.weight.size !== m.inFeatures * m.outFeatures)
          throw new LoraMergeError(
            'module',
            name,
            'holds no float weight (a quantised base layer, QLoRA): an adapter cannot be merged into its codes; keep the adapter separate, or replace the layer by its float copy (QuantizedLinear.toLinear) first',
          );
      }
    }
    const work: { layer: LoraLinear; adapter: string; value: tf.Tensor }[] = [];
    for (const a of adapters) {
      for (const layer of this.layers.values())
        if (layer.adapters.has(a)) work.push({ layer, adapter: a, value: layer.mergeValue(a) });
    }
    const finite = tf.tidy(() =>
      tf.stack(work.map((w) => tf.all(tf.isFinite(w.value)))).cast('int32'),
    );
    return { work, finite };
  }

  /** Refuses on a non-finite ΔW (disposing them all), else merges each into its base weight. */
  private finishMerge(
    adapters: readonly string[],
    work: { layer: LoraLinear; adapter: string; value: tf.Tensor }[],
    flags: ArrayLike<number>,
  ): void {
    const bad = work.findIndex((_, i) => flags[i] !== 1);
    if (bad >= 0) {
      const name = work[bad]?.layer.module.name ?? '?';
      tf.dispose(work.map((w) => w.value));
      throw new LoraMergeError('deltaWeight', name, 'holds NaN or Inf; refusing to merge');
    }
    for (const { layer, adapter, value } of work) {
      layer.mergeWeight(adapter, value);
      value.dispose();
    }
    for (const a of adapters) this.state.merged.add(a);
  }

  /**
   * Undoes every merge: subtracts each merged LoRA adapter's ΔW again (W0 restored within float32
   * rounding); a merged DoRA adapter puts back the W0 it kept (exact).
   */
  unmerge(): void {
    this.requireLive();
    for (const a of [...this.state.merged]) {
      for (const layer of this.layers.values()) {
        if (!layer.adapters.has(a)) continue;
        layer.unmergeWeight(a);
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

  /**
   * Removes every adapter without merging (unmerging first), returning the base model (after a
   * PiSSA adapter: the residual base, as PEFT's `unload`).
   */
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
        if (f.magnitude)
          out.push({
            name: doraMagnitudeName(mod, name),
            variable: f.magnitude,
            trainable: f.magnitude.trainable,
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
        if (f.magnitude) f.magnitude.trainable = on;
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

/**
 * DoRA's initial magnitude: the column norms of W0 + s·A·B, `[dOut]` (PEFT's `dora_init`), computed
 * by the same ops as the forward pass's norm, so that m / ‖·‖ is exactly 1 at creation.
 */
function doraInitialMagnitude(
  w0: tf.Variable,
  a: tf.Variable,
  b: tf.Variable,
  scaling: number,
): tf.Variable {
  return tf.tidy(() =>
    tf.variable(
      doraColumnNorm(w0, { a, b, gate: null, magnitude: null, scaling, dropout: 0 }),
      true,
    ),
  );
}

/** The shape of a module as the planner sees it. */
function shapeOf(l: Linear): LinearShape {
  return { name: l.name, inFeatures: l.inFeatures, outFeatures: l.outFeatures, kind: l.kind };
}

/**
 * {@link getPeftModel} for every init, PiSSA's included (its SVDs are asynchronous: see
 * {@link PeftModel.addAdapterAsync}). On any config error `model` is left untouched.
 */
export async function getPeftModelAsync<M extends Module>(
  model: M,
  config: LoraConfigInput,
  opts: AdapterOptions = {},
): Promise<PeftModel<M>> {
  const peft = new PeftModel(model);
  await peft.addAdapterAsync(opts.adapterName ?? 'default', config, { seed: opts.seed ?? 0 });
  return peft;
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
