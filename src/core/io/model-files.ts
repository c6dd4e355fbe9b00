/**
 * The schemas of a shipped model's JSON files (public/models/<name>/): `manifest.json` (what the
 * model is, how it was made, and the SHA-256 of each file) and `eval.json` (whether pretraining
 * helped: fine-tuning arms over several seeds). The pretraining scripts check what they write
 * against these, and every reader parses with them instead of casting.
 */
import {
  arr,
  between,
  bool,
  int,
  matching,
  num,
  obj,
  optional,
  parse,
  record,
  sha256String,
  str,
  type Infer,
} from '../schema.ts';

/** One masked-token score (accuracy at the masked positions, mean loss, how many positions). */
const MlmScore = obj({ accuracy: num, loss: num, positions: int });

/** `manifest.json` of a shipped model. */
export const ModelManifestSchema = obj({
  name: str,
  description: str,
  /** The command that remakes the model. */
  reproduce: str,
  /** Whether the planned number of steps was reached. */
  complete: bool,
  backend: str,
  seed: int,
  model: obj({
    config: obj({
      vocabSize: int,
      hiddenSize: int,
      numHiddenLayers: int,
      numAttentionHeads: int,
      intermediateSize: int,
    }),
    parameters: int,
  }),
  tokenizer: obj({ type: str, vocabSize: int }),
  training: obj({
    stepsPlanned: int,
    stepsDone: int,
    finalLoss: num,
    lossHistory: arr(obj({ step: int, loss: num })),
  }),
  evaluation: obj({ final: optional(record(MlmScore)) }),
  /** Each file of the model with its size and SHA-256. */
  files: record(obj({ bytes: int, sha256: sha256String })),
});
/** `manifest.json` of a shipped model (fields beyond these pass through). */
export type ModelManifest = Infer<typeof ModelManifestSchema>;

/** Checks a parsed `manifest.json` (`name` starts error paths); throws a SchemaError. */
export function parseModelManifest(json: unknown, name = 'manifest.json'): ModelManifest {
  return parse(ModelManifestSchema, json, name);
}

/** Mean and sample sd of a score over seeds. */
const MeanSd = obj({ mean: num, sd: num });

/** A 95% interval (scripts/lib/eval-stats.ts: seeds and test sentences resampled). */
const Interval = obj({ low: between(0, 1), high: between(0, 1) });

/** `eval.json` of a shipped model: fine-tuning arms (e.g. `lora/pretrained:mean`) over seeds. */
export const ModelEvalSchema = obj({
  task: str,
  command: str,
  model: str,
  /** SHA-256 of the weights evaluated. */
  modelSha256: sha256String,
  /** Per arm: number of seeds, test and validation accuracy (mean ± sd), the test mean's interval. */
  summary: record(obj({ n: int, test: MeanSd, validation: MeanSd, testCi95: optional(Interval) })),
  /** Per LoRA (or `body`) arm against full fine-tuning from the same start: arm − full, paired interval. */
  gaps: optional(
    record(
      obj({ estimate: between(-1, 1), low: between(-1, 1), high: between(-1, 1), n: arr(int, 2) }),
    ),
  ),
  /** `--grid`: the hyper-parameter trials on validation and what they chose per method. */
  search: optional(
    obj({
      grid: str,
      seed: int,
      chosen: record(obj({ lr: num, epochs: int, validation: between(0, 1) })),
      trials: arr(obj({ arm: str, validation: between(0, 1), lr: num, epochs: int })),
    }),
  ),
  runs: arr(
    obj({
      arm: str,
      seed: int,
      validation: num,
      test: num,
      trainable: int,
      steps: int,
      epochs: int,
      /** Per test sentence, '1' when classified right (older runs lack it). */
      testCorrect: optional(matching(/^[01]+$/, "a string of '0' and '1', one per test sentence")),
    }),
    1,
  ),
});
/** `eval.json` of a shipped model (fields beyond these pass through). */
export type ModelEval = Infer<typeof ModelEvalSchema>;

/** Checks a parsed `eval.json` (`name` starts error paths); throws a SchemaError. */
export function parseModelEval(json: unknown, name = 'eval.json'): ModelEval {
  return parse(ModelEvalSchema, json, name);
}
