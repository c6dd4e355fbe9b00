/**
 * Which modules, which layers, which rank: one sentiment run of an encoder with a chosen part of it
 * trained — the classifier alone, LoRA on a set of linear modules in a set of layers at rank r (plus
 * the classifier, as PEFT's `modulesToSave: ['classifier']`), or everything — after Kamp's "Dive
 * Into LoRA Adapters", part 2 (RoBERTa-base on SST-2), at this site's scale. Dropout is off, so a
 * run is a function of its seeds.
 */
import { parameterRows, summarizeParams } from '../../core/accounting.ts';
import type { Encoder } from '../../core/models/encoder.ts';
import { softmaxCrossEntropy } from '../../core/nn/loss.ts';
import { getPeftModel, type PeftModel } from '../../core/lora/peft-model.ts';
import { Rng } from '../../core/rng.ts';
import { tailMean } from '../../core/stats.ts';
import type { EncodedRows } from '../../core/data/tasks.ts';
import { encoderAccuracy } from '../../core/train/evaluate.ts';
import { Adam } from '../../core/train/adam.ts';
import { BatchOrder, disposeBatch, rowsTensors, StepBatch } from '../../core/train/batches.ts';
import { trainLoop } from '../../core/train/loop.ts';
import { PlacementError } from './errors.ts';

/** The linear modules of one encoder layer, by the names Kamp's part 2 uses. */
export type ModuleKey = 'query' | 'key' | 'value' | 'attention-output' | 'ffn-up' | 'ffn-down';

/** Every module key, in layer order. */
export const MODULE_KEYS: readonly ModuleKey[] = [
  'query',
  'key',
  'value',
  'attention-output',
  'ffn-up',
  'ffn-down',
];

/** The Hugging Face module path (inside a layer) of each key. */
export const MODULE_PATHS: Readonly<Record<ModuleKey, string>> = {
  query: 'attention.self.query',
  key: 'attention.self.key',
  value: 'attention.self.value',
  'attention-output': 'attention.output.dense',
  'ffn-up': 'intermediate.dense',
  'ffn-down': 'output.dense',
};

/** Which layers: the upper half, the lower half, or all. */
export type LayerChoice = 'all' | 'upper' | 'lower';

/** What a run trains. */
export type PlacementSetting =
  | { readonly kind: 'classifier' }
  | { readonly kind: 'full' }
  | {
      readonly kind: 'lora';
      readonly modules: readonly ModuleKey[];
      readonly layers: LayerChoice;
      readonly r: number;
    };

/** The layer indices of a choice among L layers (upper = the top ⌊L/2⌋, lower = the rest). */
export function layerIndices(choice: LayerChoice, numLayers: number): number[] {
  const c: string = choice;
  const all = Array.from({ length: numLayers }, (_, i) => i);
  const half = Math.floor(numLayers / 2);
  if (c === 'all') return all;
  if (c === 'upper') return all.filter((i) => i >= numLayers - half);
  if (c === 'lower') return all.filter((i) => i < numLayers - half);
  throw new PlacementError('layers', choice, "must be 'all', 'upper' or 'lower'");
}

/**
 * The `targetModules` regex (whole-name match) for LoRA on `modules` in the chosen layers, e.g.
 * `^roberta\.encoder\.layer\.(1)\.(attention\.self\.query|output\.dense)$`.
 * @throws {PlacementError} for an empty or unknown module list or no layer selected.
 */
export function placementTargets(
  modules: readonly ModuleKey[],
  layers: LayerChoice,
  numLayers: number,
): RegExp {
  if (modules.length === 0) throw new PlacementError('modules', '[]', 'must name a module');
  for (const m of modules)
    if (!MODULE_KEYS.includes(m))
      throw new PlacementError('modules', m, `must be among ${MODULE_KEYS.join(', ')}`);
  const idx = layerIndices(layers, numLayers);
  if (idx.length === 0)
    throw new PlacementError('layers', layers, `selects no layer of ${numLayers}`);
  const paths = modules.map((m) => MODULE_PATHS[m].replace(/\./g, '\\.'));
  return new RegExp(`^roberta\\.encoder\\.layer\\.(${idx.join('|')})\\.(${paths.join('|')})$`);
}

/** Module names in the Japanese edition's words (its lesson text uses the same). */
const MODULES_JA: Readonly<Record<ModuleKey, string>> = {
  query: 'query',
  key: 'key',
  value: 'value',
  'attention-output': 'アテンション出力',
  'ffn-up': 'FFNの上方射影',
  'ffn-down': 'FFNの下方射影',
};
const LAYERS_JA: Readonly<Record<LayerChoice, string>> = {
  all: '全層',
  upper: '上半分の層',
  lower: '下半分の層',
};

/** A module's name for display: its key in English ("ffn-down"), the lesson's words in Japanese. */
export function moduleLabel(m: ModuleKey, lang = 'en'): string {
  return lang === 'ja' ? MODULES_JA[m] : m;
}

/** Which layers, for display: "upper layers" in English, "上半分の層" in Japanese. */
export function layersLabel(layers: LayerChoice, lang = 'en'): string {
  return lang === 'ja' ? LAYERS_JA[layers] : `${layers} layers`;
}

/**
 * A short label: "classifier only", "full fine-tuning", "LoRA r=8 query+value, all layers". The
 * English label is also the setting's key in results files. `lang` is the page's language (cells
 * pass `document.documentElement.lang`): 'ja' gives the Japanese edition's label for display
 * ("LoRA r=8、query+value、全層"), anything else the English.
 */
export function settingLabel(s: PlacementSetting, lang = 'en'): string {
  const ja = lang === 'ja';
  if (s.kind === 'classifier') return ja ? '分類器のみ' : 'classifier only';
  if (s.kind === 'full') return ja ? 'フルファインチューニング' : 'full fine-tuning';
  const all = s.modules.length === MODULE_KEYS.length;
  const mods = all
    ? ja
      ? '全モジュール'
      : 'all modules'
    : s.modules.map((m) => moduleLabel(m, lang)).join('+');
  return ja
    ? `LoRA r=${s.r}、${mods}、${layersLabel(s.layers, lang)}`
    : `LoRA r=${s.r} ${mods}, ${layersLabel(s.layers, lang)}`;
}

/** Options of {@link placementRun}. */
export interface PlacementRunOptions {
  /** The model (with a 2-label classifier); trained in place, restored to no adapter at the end. */
  readonly encoder: Encoder;
  readonly train: EncodedRows;
  readonly test: EncodedRows;
  readonly setting: PlacementSetting;
  /** Seed of the adapter init and the batch order. */
  readonly seed: number;
  readonly steps: number;
  /** Batch size (default 32). */
  readonly batchSize?: number;
  readonly learningRate: number;
  /** LoRA α; default 2·r (scaling 2 at every rank). */
  readonly loraAlpha?: number;
  readonly signal?: AbortSignal;
}

/** Outcome of one run. */
export interface PlacementRunResult {
  readonly label: string;
  readonly setting: PlacementSetting;
  readonly seed: number;
  readonly trainable: number;
  readonly all: number;
  /** 100·trainable/all, PEFT's trainable%. */
  readonly percent: number;
  readonly steps: number;
  readonly accuracy: number;
  readonly finalLoss: number;
  readonly ms: number;
  readonly stopped: boolean;
}

/**
 * Trains the chosen part of `encoder` (yielding every step) and returns test accuracy and the
 * trainable share. Afterwards the encoder carries no adapter and every parameter's trainable flag
 * is as before; its weights are changed (the caller disposes it).
 */
export async function* placementRun(
  o: PlacementRunOptions,
): AsyncGenerator<{ step: number; loss: number; ms: number }, PlacementRunResult, undefined> {
  const t0 = performance.now();
  const batchSize = o.batchSize ?? 32;
  const n = o.train.n;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > n)
    throw new PlacementError('batchSize', batchSize, `must be an integer in [1, ${n}]`);
  if (!Number.isInteger(o.steps) || o.steps < 1)
    throw new PlacementError('steps', o.steps, 'must be a positive integer');
  if (!(o.learningRate > 0))
    throw new PlacementError('learningRate', o.learningRate, 'must be > 0');
  const enc = o.encoder;
  const s = o.setting;
  const kind: string = s.kind;
  if (kind !== 'classifier' && kind !== 'full' && kind !== 'lora')
    throw new PlacementError('setting.kind', kind, "must be 'classifier', 'full' or 'lora'");
  const before = new Map(enc.namedParameters().map((p) => [p.variable, p.variable.trainable]));
  let peft: PeftModel<Encoder> | null = null;
  if (s.kind === 'lora') {
    if (!Number.isInteger(s.r) || s.r < 1)
      throw new PlacementError('r', s.r, 'must be a positive integer');
    peft = getPeftModel(
      enc,
      {
        r: s.r,
        loraAlpha: o.loraAlpha ?? 2 * s.r,
        targetModules: placementTargets(s.modules, s.layers, enc.config.numHiddenLayers),
        modulesToSave: ['classifier'],
      },
      { seed: o.seed },
    );
  } else if (s.kind === 'classifier') {
    for (const p of enc.namedParameters()) p.variable.trainable = p.name.startsWith('classifier.');
  } else {
    for (const p of enc.namedParameters()) p.variable.trainable = true;
  }
  const rows = peft ? peft.parameterRows() : parameterRows(enc);
  const summary = summarizeParams(rows);
  const vars = peft
    ? peft.trainableVariables()
    : enc
        .namedParameters()
        .filter((p) => p.trainable)
        .map((p) => p.variable);
  const opt = new Adam({ learningRate: o.learningRate });
  const order = new BatchOrder({ n, batchSize, rng: new Rng(o.seed).fork('batches') });
  const batch = new StepBatch(
    () => rowsTensors(o.train, order.next(), { trimPadding: true }),
    disposeBatch,
  );
  const losses: number[] = [];
  try {
    // Stopped during a pause, the loop ends before touching the model (it may be freed).
    for await (const s of trainLoop({
      optimizer: opt,
      variables: vars,
      steps: o.steps,
      beforeStep: batch.load,
      afterStep: batch.drop,
      loss: () => {
        const b = batch.current();
        return softmaxCrossEntropy(enc.classify(b.ids, b.mask, { training: false }), b.labels);
      },
      ...(o.signal ? { signal: o.signal } : {}),
    })) {
      losses.push(s.loss);
      yield { step: s.step, loss: s.loss, ms: s.ms };
    }
    const accuracy = await encoderAccuracy(enc, o.test);
    return {
      label: settingLabel(s),
      setting: s,
      seed: o.seed,
      trainable: summary.trainable,
      all: summary.all,
      percent: summary.percent,
      steps: losses.length,
      accuracy,
      finalLoss: tailMean(losses),
      ms: performance.now() - t0,
      stopped: losses.length < o.steps,
    };
  } finally {
    batch.drop();
    opt.dispose();
    peft?.unload();
    for (const [v, t] of before) if (!v.isDisposed) v.trainable = t;
  }
}

/** Runs {@link placementRun} to the end. */
export async function placementRunToEnd(o: PlacementRunOptions): Promise<PlacementRunResult> {
  const it = placementRun(o);
  for (;;) {
    const r = await it.next();
    if (r.done === true) return r.value;
  }
}

/**
 * The experiment grid of the lesson: classifier only; LoRA at r = `baseRank` on each single module
 * and on all of them (all layers); all modules on upper and on lower layers; all modules at every
 * other rank in `ranks`; full fine-tuning. Settings appear once (all modules, all layers, baseRank
 * is shared by the three sweeps).
 */
export function placementGrid(
  ranks: readonly number[] = [1, 2, 4, 8, 16],
  baseRank = 8,
): PlacementSetting[] {
  const lora = (
    modules: readonly ModuleKey[],
    layers: LayerChoice,
    r: number,
  ): PlacementSetting => ({
    kind: 'lora',
    modules,
    layers,
    r,
  });
  return [
    { kind: 'classifier' },
    ...MODULE_KEYS.map((m) => lora([m], 'all', baseRank)),
    lora(MODULE_KEYS, 'all', baseRank),
    lora(MODULE_KEYS, 'upper', baseRank),
    lora(MODULE_KEYS, 'lower', baseRank),
    ...ranks.filter((r) => r !== baseRank).map((r) => lora(MODULE_KEYS, 'all', r)),
    { kind: 'full' },
  ];
}
