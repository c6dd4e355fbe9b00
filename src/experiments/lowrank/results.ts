/**
 * The schema of the low-rank lesson's precomputed results (public/results/lowrank/sentiment.json):
 * scripts/precompute-lowrank.ts checks what it writes against it, and the lesson, the scripts and
 * the tests parse with it.
 */
import {
  arr,
  bool,
  int,
  nullable,
  num,
  obj,
  oneOf,
  optional,
  parse,
  record,
  str,
  type Infer,
  type Schema,
} from '../../core/schema.ts';

const Method = obj({ kind: oneOf('full', 'lora'), r: optional(int) });
const SubspaceMethod = obj({ kind: oneOf('subspace'), d: int });

const Mlm = obj({ loss: num, accuracy: num, positions: int });

/** A spectrum summary (experiment.ts's SpectrumSummary). */
const Spectrum = obj({
  s: arr(num, 1),
  frobenius: num,
  effectiveRank: num,
  stableRank: num,
  share: record(num),
  rank90: int,
});

/** One module's ΔW against a same-shape, same-norm Gaussian matrix. */
const ModuleSpectrum = obj({
  module: str,
  layer: int,
  key: oneOf('query', 'key', 'value', 'attention-output', 'ffn-up', 'ffn-down'),
  rows: int,
  cols: int,
  weightNorm: num,
  relativeChange: num,
  delta: Spectrum,
  random: Spectrum,
});

/** One fine-tuning run's outcome (both results files). */
const run = <M>(method: Schema<M>) =>
  obj({
    label: str,
    method,
    seed: int,
    steps: int,
    trainable: int,
    all: int,
    finalLoss: num,
    seconds: num,
    validation: num,
    test: num,
    mlmBefore: Mlm,
    mlmAfter: Mlm,
  });

/** public/results/lowrank/sentiment.json. */
export const LowRankResultsSchema = obj({
  what: str,
  standin: bool,
  settings: obj({
    modelSha256: nullable(str),
    config: obj({ hiddenSize: int, intermediateSize: int, numHiddenLayers: int }),
    trainExamples: int,
    validationExamples: int,
    testExamples: int,
    steps: int,
    batchSize: int,
    fullLearningRate: num,
    loraLearningRate: num,
    seeds: arr(int, 1),
    loraRanks: arr(int, 1),
    truncationRanks: arr(int, 1),
    command: str,
  }),
  started: str,
  wallSeconds: num,
  complete: bool,
  runs: arr(run(Method), 1),
  /** Full fine-tuning's ΔW per module, per seed. */
  spectra: arr(obj({ seed: int, modules: arr(ModuleSpectrum, 1) })),
  /** Squared update norm per parameter group, per full fine-tuning seed. */
  groups: arr(
    obj({
      seed: int,
      groups: arr(obj({ group: str, params: int, deltaSq: num, share: num, relativeChange: num })),
      wordEmbeddings: obj({ rows: int, rowsChanged: int, spectrum: Spectrum }),
    }),
  ),
  /** Accuracy with every linear's ΔW cut to rank r, per full fine-tuning seed. */
  truncation: arr(
    obj({
      seed: int,
      points: arr(obj({ r: int, rest: oneOf('tuned', 'pretrained'), validation: num, test: num })),
    }),
  ),
  /** φ(i, j) (Hu et al. 2021 §7.2) between two runs' ΔW input-side subspaces, per module. */
  overlap: arr(
    obj({
      a: str,
      b: str,
      i: arr(int, 1),
      j: arr(int, 1),
      modules: arr(obj({ module: str, d: int, phi: arr(arr(num, 1), 1) }), 1),
    }),
  ),
  /** Hu et al.'s (2021 §7.3) amplification factor per run, module and r. */
  amplification: arr(
    obj({
      run: str,
      module: str,
      r: int,
      weightNorm: num,
      deltaNorm: num,
      onDelta: num,
      onW: num,
      onRandom: num,
      factor: num,
    }),
  ),
});
/** public/results/lowrank/sentiment.json (fields beyond these pass through). */
export type LowRankResults = Infer<typeof LowRankResultsSchema>;

/** Checks parsed low-rank results (`name` starts error paths); throws a SchemaError. */
export function parseLowRankResults(
  json: unknown,
  name = 'lowrank/sentiment.json',
): LowRankResults {
  return parse(LowRankResultsSchema, json, name);
}

/**
 * public/results/lowrank/subspace.json: a random subspace with as many trainable weights as LoRA
 * (scripts/precompute-lowrank-subspace.ts), its learning rate chosen on validation.
 */
export const SubspaceResultsSchema = obj({
  what: str,
  standin: bool,
  settings: obj({
    modelSha256: nullable(str),
    /** The LoRA rank whose trainable count d is (all six modules of every layer + classifier). */
    loraRank: int,
    d: int,
    /** Parameters the subspace spans (all but the MLM head). */
    D: int,
    steps: int,
    batchSize: int,
    learningRates: arr(num, 1),
    searchSeed: int,
    seeds: arr(int, 1),
    command: str,
  }),
  started: str,
  wallSeconds: num,
  complete: bool,
  /** Validation (and test) accuracy of each candidate learning rate on the search seed. */
  search: arr(obj({ learningRate: num, validation: num, test: num, finalLoss: num })),
  /** The candidate with the best validation accuracy (null until the search is done). */
  learningRate: nullable(num),
  runs: arr(run(SubspaceMethod)),
  /** Each chosen-rate run's ΔW per linear module against a same-shape, same-norm Gaussian. */
  spectra: arr(obj({ seed: int, modules: arr(ModuleSpectrum, 1) })),
});
/** public/results/lowrank/subspace.json (fields beyond these pass through). */
export type SubspaceResults = Infer<typeof SubspaceResultsSchema>;

/** Checks parsed subspace results (`name` starts error paths); throws a SchemaError. */
export function parseSubspaceResults(
  json: unknown,
  name = 'lowrank/subspace.json',
): SubspaceResults {
  return parse(SubspaceResultsSchema, json, name);
}
