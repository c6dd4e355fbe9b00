/**
 * The schemas of the intrinsic-dimension lesson's precomputed results
 * (public/results/intrinsic/mnist.json and sentiment.json): scripts/precompute-intrinsic.ts checks
 * what it writes against them, and the lesson, the scripts and the tests parse with them.
 */
import {
  arr,
  bool,
  either,
  int,
  nullable,
  num,
  obj,
  oneOf,
  optional,
  parse,
  str,
  type Infer,
} from '../../core/schema.ts';

/** `d` of a run: a subspace dimension, or 'full' (every parameter trained). */
const Dimension = either(int, oneOf('full'), "an integer or 'full'");

/** A d90 answer over the seed mean and per seed (see d90.ts). */
const D90Curve = obj({
  grid: arr(int, 1),
  mean: arr(num, 1),
  std: arr(num, 1),
  d90: nullable(int),
  interpolated: nullable(num),
  perSeed: arr(obj({ seed: int, d90: nullable(int) })),
});

/** public/results/intrinsic/mnist.json. */
export const MnistResultsSchema = obj({
  what: str,
  settings: obj({ sizes: arr(int, 2), steps: int, grid: arr(int, 1), seeds: arr(int, 1) }),
  complete: bool,
  baseline: obj({ runs: arr(obj({ d: Dimension, seed: int, accuracy: num })), meanAccuracy: num }),
  runs: arr(
    obj({
      d: Dimension,
      seed: int,
      D: int,
      steps: int,
      accuracy: num,
      finalLoss: num,
      stopped: bool,
    }),
    1,
  ),
  d90: obj({
    absolute90: obj({ threshold: num }),
    relative90: obj({ threshold: num }),
  }),
});
/** public/results/intrinsic/mnist.json (fields beyond these pass through). */
export type MnistResults = Infer<typeof MnistResultsSchema>;

/** public/results/intrinsic/sentiment.json. */
export const SentimentIntrinsicResultsSchema = obj({
  what: str,
  standin: bool,
  // modelSha256: null for a stand-in run (no model file), absent in files made before it was recorded.
  settings: obj({
    modelSha256: optional(nullable(str)),
    steps: int,
    grid: arr(int, 1),
    seeds: arr(int, 1),
  }),
  complete: bool,
  runs: arr(
    obj({
      d: Dimension,
      seed: int,
      D: int,
      steps: int,
      epochs: num,
      accuracy: num,
      finalLoss: num,
      ms: num,
      stopped: bool,
      init: str,
    }),
    1,
  ),
  // A curve's baseline is null when its full fine-tuning runs were not made (e.g. `--inits`).
  curves: arr(obj({ name: str, baseline: nullable(num) }), 1),
});
/** public/results/intrinsic/sentiment.json (fields beyond these pass through). */
export type SentimentIntrinsicResults = Infer<typeof SentimentIntrinsicResultsSchema>;

/** Checks parsed mnist.json (`name` starts error paths); throws a SchemaError. */
export function parseMnistResults(json: unknown, name = 'mnist.json'): MnistResults {
  return parse(MnistResultsSchema, json, name);
}

/** Checks parsed intrinsic sentiment.json; throws a SchemaError. */
export function parseSentimentIntrinsicResults(
  json: unknown,
  name = 'intrinsic/sentiment.json',
): SentimentIntrinsicResults {
  return parse(SentimentIntrinsicResultsSchema, json, name);
}

// D90Curve is the shape of each sentiment curve's answer too.
export { D90Curve as D90CurveSchema };
