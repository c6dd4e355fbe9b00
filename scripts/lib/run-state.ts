/**
 * What `npm run pretrain` saves with a checkpoint besides tensors, and the run's settings: read by
 * scripts/pretrain.ts (resume) and scripts/lib/export.ts (the manifest).
 */
import type { EncoderConfig } from '../../src/core/models/encoder.ts';
import type { MlmScore } from './mlm-eval.ts';
import type { LrPlan } from './schedule.ts';

/** The settings of a pretraining run (its flags, parsed). */
export interface PretrainRun extends LrPlan {
  batch: number;
  seqLen: number;
  vocabSize: number;
  seed: number;
  glove: boolean;
  freezeWordEmbeddings: boolean;
  lmHeadGain: number;
  imdb: boolean;
  evalPerSource: number;
}

/** Everything saved with a checkpoint besides tensors. */
export interface RunState {
  run: PretrainRun;
  config: EncoderConfig;
  step: number;
  wallSeconds: number;
  tokensSeen: number;
  sessions: {
    startedAt: string;
    fromStep: number;
    toStep: number;
    seconds: number;
    host: string;
  }[];
  lossHistory: { step: number; loss: number; lr: number }[];
  scores: {
    randomInit?: Record<string, MlmScore>;
    init?: Record<string, MlmScore>;
    checkpoints: { step: number; heldOut: MlmScore }[];
    final?: Record<string, MlmScore>;
  };
  glove?: { source: string; wordsInitialised: number; vocabWords: number };
}
