/**
 * Shape-only specs of real models: the names and shapes of every parameter and linear module,
 * without allocating a single weight, so that LoRA can be planned and counted on RoBERTa-base and
 * RoBERTa-large in a browser.
 *
 * Configurations from the published Hugging Face `config.json` files of `roberta-base` and
 * `roberta-large` (Liu et al. 2019): vocab 50,265, 514 positions, 1 token type, hidden 768/1024,
 * 12/24 layers, 12/16 heads, intermediate 3072/4096. Checks (test/core/models/specs.test.ts):
 * `RobertaModel` (with its pooler) has 124,645,632 / 355,359,744 parameters, as
 * `num_parameters()` reports for the released checkpoints; `RobertaForSequenceClassification`
 * (no pooler; `classifier.dense` + `classifier.out_proj`) with 2 labels has 124,647,170 /
 * 355,361,794.
 */
import { accountingRows, frozenRows } from './spec-rows.ts';
import { ENCODER_PRESETS, type EncoderConfig } from './encoder.ts';
import type { LinearShape } from '../lora/plan.ts';
import type { ModelSpec } from './model-spec.ts';

export type { ModelSpec } from './model-spec.ts';

/**
 * The spec of our {@link Encoder} for `config` — the same names, shapes and order as the real
 * model's `namedParameters()` (tested) — optionally with RoBERTa's pooler (`roberta.pooler.dense`,
 * present in `RobertaModel`, absent from `RobertaForSequenceClassification`).
 */
export function encoderSpec(
  config: EncoderConfig,
  name: string,
  opts: { pooler?: boolean } = {},
): ModelSpec {
  const H = config.hiddenSize;
  const I = config.intermediateSize;
  const parameters: { name: string; shape: number[] }[] = [];
  const linearModules: LinearShape[] = [];
  const lin = (n: string, dIn: number, dOut: number): void => {
    parameters.push(
      { name: `${n}.weight`, shape: [dIn, dOut] },
      { name: `${n}.bias`, shape: [dOut] },
    );
    linearModules.push({ name: n, inFeatures: dIn, outFeatures: dOut });
  };
  const ln = (n: string): void => {
    parameters.push({ name: `${n}.weight`, shape: [H] }, { name: `${n}.bias`, shape: [H] });
  };
  parameters.push(
    { name: 'roberta.embeddings.word_embeddings.weight', shape: [config.vocabSize, H] },
    {
      name: 'roberta.embeddings.position_embeddings.weight',
      shape: [config.maxPositionEmbeddings, H],
    },
    { name: 'roberta.embeddings.token_type_embeddings.weight', shape: [config.typeVocabSize, H] },
  );
  ln('roberta.embeddings.LayerNorm');
  for (let i = 0; i < config.numHiddenLayers; i++) {
    const p = `roberta.encoder.layer.${i}`;
    lin(`${p}.attention.self.query`, H, H);
    lin(`${p}.attention.self.key`, H, H);
    lin(`${p}.attention.self.value`, H, H);
    lin(`${p}.attention.output.dense`, H, H);
    ln(`${p}.attention.output.LayerNorm`);
    lin(`${p}.intermediate.dense`, H, I);
    lin(`${p}.output.dense`, I, H);
    ln(`${p}.output.LayerNorm`);
  }
  if (opts.pooler) lin('roberta.pooler.dense', H, H);
  if (config.numLabels > 0) {
    lin('classifier.dense', H, H);
    lin('classifier.out_proj', H, config.numLabels);
  }
  if (config.mlmHead) {
    lin('lm_head.dense', H, H);
    ln('lm_head.layer_norm');
    parameters.push({ name: 'lm_head.bias', shape: [config.vocabSize] });
  }
  const embeddingModules: LinearShape[] = [
    {
      name: 'roberta.embeddings.word_embeddings',
      inFeatures: config.vocabSize,
      outFeatures: H,
      kind: 'embedding',
    },
  ];
  return { name, parameters, linearModules, embeddingModules };
}

/** RoBERTa-base / -large as `RobertaForSequenceClassification` with 2 labels (no MLM head). */
export const MODEL_SPECS = {
  'roberta-base': encoderSpec(
    { ...ENCODER_PRESETS['roberta-base'], numLabels: 2, mlmHead: false },
    'roberta-base',
  ),
  'roberta-large': encoderSpec(
    { ...ENCODER_PRESETS['roberta-large'], numLabels: 2, mlmHead: false },
    'roberta-large',
  ),
} as const satisfies Record<string, ModelSpec>;

export { accountingRows, frozenRows };
