/**
 * The schema of the placement lesson's precomputed results (public/results/placement/
 * sentiment.json): scripts/precompute-placement.ts checks what it writes against it, and the
 * lesson, the scripts and the tests parse with it.
 */
import {
  arr,
  bool,
  int,
  num,
  obj,
  oneOf,
  optional,
  parse,
  str,
  type Infer,
} from '../../core/schema.ts';

/** A placement setting as written (see experiment.ts's PlacementSetting). */
const Setting = obj({
  kind: oneOf('classifier', 'lora', 'full'),
  modules: optional(arr(str, 1)),
  layers: optional(oneOf('all', 'upper', 'lower')),
  r: optional(int),
});

/** public/results/placement/sentiment.json. */
export const PlacementResultsSchema = obj({
  what: str,
  standin: bool,
  settings: obj({
    modelSha256: str,
    config: obj({ hiddenSize: int, intermediateSize: int, numHiddenLayers: int }),
    testExamples: int,
    steps: int,
    batchSize: int,
    learningRate: num,
    classifierLearningRate: num,
    fullLearningRate: num,
    seeds: arr(int, 1),
  }),
  complete: bool,
  lrSearch: arr(obj({ kind: str, setting: str, learningRate: num, validation: num })),
  points: arr(
    obj({
      label: str,
      setting: Setting,
      percent: num,
      trainable: int,
      n: int,
      mean: num,
      sd: num,
      seeds: arr(int, 1),
      accuracies: arr(num, 1),
    }),
    1,
  ),
  runs: arr(
    obj({
      label: str,
      setting: Setting,
      seed: int,
      trainable: int,
      all: int,
      percent: num,
      steps: int,
      accuracy: num,
      finalLoss: num,
      stopped: bool,
    }),
    1,
  ),
});
/** public/results/placement/sentiment.json (fields beyond these pass through). */
export type PlacementResults = Infer<typeof PlacementResultsSchema>;

/** Checks parsed placement results (`name` starts error paths); throws a SchemaError. */
export function parsePlacementResults(
  json: unknown,
  name = 'placement/sentiment.json',
): PlacementResults {
  return parse(PlacementResultsSchema, json, name);
}
