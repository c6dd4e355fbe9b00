/**
 * The schema of the QLoRA lesson's precomputed results (public/results/qlora/sentiment.json):
 * scripts/precompute-qlora.ts checks what it writes against it, and the lesson, the scripts and the
 * tests parse with it.
 */
import {
  arr,
  between,
  bool,
  int,
  nullable,
  num,
  obj,
  oneOf,
  parse,
  sha256String,
  str,
  type Infer,
} from '../../core/schema.ts';

const Run = obj({
  seed: int,
  r: int,
  trainable: int,
  steps: int,
  accuracy: between(0, 1),
  finalLoss: num,
  msPerStep: num,
  stopped: bool,
});

const Matrix = obj({
  name: str,
  shape: arr(int, 2),
  floatBytes: int,
  bytes: obj({ codes: int, constants: int, secondLevel: int, total: int }),
  relativeError: num,
  maxAbsError: num,
});

/** The settings both files share: the model, the test split, the budget, the seeds, the command. */
const sharedSettings = {
  model: str,
  modelSha256: nullable(sha256String),
  testExamples: int,
  steps: int,
  batchSize: int,
  r: int,
  seeds: arr(int, 1),
  command: str,
};

/** public/results/qlora/sentiment.json. */
export const QloraResultsSchema = obj({
  what: str,
  standin: bool,
  settings: obj({ ...sharedSettings, learningRate: num, learningRateChoice: str, backend: str }),
  lrSearch: arr(obj({ learningRate: num, validation: between(0, 1) })),
  bases: arr(
    obj({
      base: oneOf('float32', 'int8', 'nf4', 'nf4-dq'),
      label: str,
      /** Bytes of the block linear weights as held (float32: 4 per value). */
      blockBytes: int,
      /** Bytes of everything else (embeddings, norms, biases, heads), float32 in every base. */
      otherBytes: int,
      /** Per quantised matrix (empty for float32). */
      matrices: arr(Matrix),
      /** Masked-word loss and accuracy of the base on the validation and test sentences. */
      mlm: obj({ loss: num, accuracy: between(0, 1), positions: int }),
      runs: arr(Run),
    }),
    1,
  ),
  complete: bool,
  started: str,
  wallSeconds: int,
});
/** public/results/qlora/sentiment.json (fields beyond these pass through). */
export type QloraResults = Infer<typeof QloraResultsSchema>;

/** Checks parsed QLoRA results (`name` starts error paths); throws a SchemaError. */
export function parseQloraResults(json: unknown, name = 'qlora/sentiment.json'): QloraResults {
  return parse(QloraResultsSchema, json, name);
}

/** public/results/qlora/variants.json. */
export const VariantResultsSchema = obj({
  what: str,
  standin: bool,
  settings: obj({ ...sharedSettings, candidates: arr(num, 1) }),
  variants: arr(
    obj({
      variant: oneOf('lora', 'rslora', 'loraplus', 'dora', 'pissa'),
      label: str,
      learningRate: num,
      search: arr(obj({ learningRate: num, validation: between(0, 1) }), 1),
      runs: arr(Run),
    }),
  ),
  complete: bool,
  started: str,
  wallSeconds: int,
});
/** public/results/qlora/variants.json (fields beyond these pass through). */
export type VariantResults = Infer<typeof VariantResultsSchema>;

/** Checks parsed variant results (`name` starts error paths); throws a SchemaError. */
export function parseVariantResults(json: unknown, name = 'qlora/variants.json'): VariantResults {
  return parse(VariantResultsSchema, json, name);
}
