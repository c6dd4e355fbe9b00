/**
 * The schema of the initialisation lesson's first frames (public/results/initialisation/
 * encoder.json): scripts/precompute-initialisation.ts checks what it writes against it, and the
 * lesson and the tests parse with it.
 */
import {
  arr,
  bool,
  int,
  num,
  obj,
  parse,
  sha256String,
  str,
  type Infer,
} from '../../core/schema.ts';

/** One training step as the lesson plots it. */
const Step = obj({ step: int, loss: num, normA: num, normB: num, learningRate: num });

/** public/results/initialisation/encoder.json. */
export const InitialisationResultsSchema = obj({
  what: str,
  command: str,
  modelSha256: sha256String,
  settings: obj({ scale: num, r: int, alpha: num, lr: num, seed: int }),
  steps: int,
  startChange: arr(obj({ id: str, change: num }), 1),
  runs: obj({
    seeds: arr(int, 1),
    base: arr(num, 1),
    results: arr(obj({ id: str, perSeed: arr(arr(Step, 1), 1) }), 1),
  }),
  spike: obj({
    scales: arr(num, 1),
    steps: int,
    base: num,
    variants: arr(obj({ name: str, jump: arr(num, 1), worst: arr(num, 1) }), 1),
  }),
  rankRuns: obj({
    ranks: arr(int, 1),
    variants: arr(obj({ name: str, useRslora: bool, final: arr(num, 1) }), 1),
  }),
});
/** public/results/initialisation/encoder.json (fields beyond these pass through). */
export type InitialisationResults = Infer<typeof InitialisationResultsSchema>;

/** Checks parsed initialisation results (`name` starts error paths); throws a SchemaError. */
export function parseInitialisationResults(
  json: unknown,
  name = 'initialisation/encoder.json',
): InitialisationResults {
  return parse(InitialisationResultsSchema, json, name);
}
