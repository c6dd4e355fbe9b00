/**
 * What a fine-tuning session is told and what it reports: the run's settings (checked at run
 * time, since they arrive from pages and workers as plain data), its events and summary, and the
 * reports of the adapter checks (merge, round trip, hot swap).
 */
import * as tf from '@tensorflow/tfjs';
import type { PretrainedFiles } from '../../core/data/pretrained.ts';
import type { SentimentSplit } from '../../core/data/sentiment.ts';
import type { EncoderConfig } from '../../core/models/encoder.ts';
import { TASK_CLASSES, type TaskName } from '../../core/data/tasks.ts';
import { FineTuneError } from './errors.ts';

/** How the session was set up. */
export interface SessionSetup {
  /** The sentiment split (both tasks use it). */
  readonly split: SentimentSplit;
  /** Where the split came from, in words ("/data/sentiment.json" or "generated stand-in"). */
  readonly dataLabel: string;
  /** The shipped pretrained files, or `null` to start from random weights. */
  readonly pretrained: PretrainedFiles | null;
  /** Why there is no pretrained model (shown to the reader), when `pretrained` is null. */
  readonly whyNoPretrained?: string;
  /** Random-init preset when there is no pretrained model (tests use `micro`-sized layers). */
  readonly preset?: 'tiny' | 'micro';
  /** Sequence length including `<s>`/`</s>` (default 32: 93% of training sentences fit). */
  readonly maxLen?: number;
  /** Use at most this many validation sentences (tests). */
  readonly validationLimit?: number;
  /** Dropout in training (default: the checkpoint's, 0.1). */
  readonly dropout?: number;
}

/** One run's settings. */
export interface RunConfig {
  readonly method: 'lora' | 'full';
  readonly task: TaskName;
  /** LoRA rank. */
  readonly r: number;
  /** LoRA α (scaling α/r). */
  readonly loraAlpha: number;
  /** Module names to adapt (PEFT's suffix rule), e.g. `['query', 'attention.output.dense']`. */
  readonly targetModules: readonly string[];
  readonly learningRate: number;
  readonly steps: number;
  readonly batchSize: number;
  readonly seed: number;
  /** Validation accuracy every this many steps (and at the end); 0 = only at the end. */
  readonly evalEvery: number;
  /** Measure validation accuracy after the last step (default true; benchmarks turn it off). */
  readonly evalAtEnd?: boolean;
}

/** The article's experiment, scaled to the tiny model: LoRA r = 2 on query + attention output. */
export const DEFAULT_RUN: RunConfig = {
  method: 'lora',
  task: 'sentiment',
  r: 2,
  loraAlpha: 4,
  targetModules: ['query', 'attention.output.dense'],
  learningRate: 2e-3,
  steps: 150,
  batchSize: 16,
  seed: 0,
  evalEvery: 25,
};

/** Memory TF.js holds (all tensors of this thread's backend). */
export interface MemoryInfo {
  readonly numBytes: number;
  readonly numTensors: number;
}

/** Events a run reports. */
export type RunEvent =
  | {
      readonly kind: 'progress';
      /** Steps done so far (1-based count). */
      readonly step: number;
      readonly steps: number;
      readonly loss: number;
      /** This step's wall time, ms (loss read-back included). */
      readonly ms: number;
      readonly stepsPerSecond: number;
      readonly etaSeconds: number;
      readonly memory: MemoryInfo;
      readonly trainableParams: number;
      readonly totalParams: number;
    }
  | { readonly kind: 'eval'; readonly step: number; readonly accuracy: number };

/** What a finished (or stopped) run reports. */
export interface RunSummary {
  readonly config: RunConfig;
  readonly stepsDone: number;
  readonly stopped: boolean;
  readonly losses: number[];
  readonly firstLoss: number;
  readonly lastLoss: number;
  readonly accuracy: number;
  /** Median ms per step, the first two (warm-up) steps left out when there are more than 4. */
  readonly msPerStep: number;
  /** Every step's wall time in ms (loss read-back included), warm-up steps too. */
  readonly stepMs: readonly number[];
  readonly trainableParams: number;
  readonly totalParams: number;
  /** Bytes of the trainable parameters' gradients + Adam state (m, v): 3 × 4 bytes each. */
  readonly trainStateBytes: number;
  /**
   * Bytes the first step of the run left allocated for good (Adam's moments, measured with
   * `tf.memory()` around that step, its loss already read and freed); NaN when the run was
   * resumed or stopped before a first step finished.
   */
  readonly optimizerStateBytes: number;
  readonly memory: MemoryInfo;
}

/** What the session knows about its model and data (for the page). */
export interface SessionInfo {
  readonly pretrained: boolean;
  readonly whyNoPretrained: string | null;
  readonly dataLabel: string;
  readonly vocabSize: number;
  readonly config: EncoderConfig;
  readonly train: number;
  readonly validation: number;
  readonly maxLen: number;
}

/** Checks a run's settings; throws a FineTuneError naming the field and the value. */
export function validateRun(c: RunConfig): void {
  const posInt = (f: keyof RunConfig, v: number) => {
    if (!Number.isInteger(v) || v <= 0) throw new FineTuneError(f, v, 'must be a positive integer');
  };
  // Configs arrive from pages and workers as plain data: check the unions at run time too.
  if (!(['lora', 'full'] as string[]).includes(c.method))
    throw new FineTuneError('method', c.method, "must be 'lora' or 'full'");
  if (!(c.task in TASK_CLASSES))
    throw new FineTuneError('task', c.task, "must be 'sentiment' or 'source'");
  posInt('steps', c.steps);
  posInt('batchSize', c.batchSize);
  if (!(c.learningRate > 0 && c.learningRate < 1))
    throw new FineTuneError('learningRate', c.learningRate, 'must be in (0, 1)');
  if (!Number.isInteger(c.evalEvery) || c.evalEvery < 0)
    throw new FineTuneError('evalEvery', c.evalEvery, 'must be an integer ≥ 0');
  if (!Number.isFinite(c.seed)) throw new FineTuneError('seed', c.seed, 'must be a number');
  if (c.method === 'lora') {
    posInt('r', c.r);
    if (!(c.loraAlpha > 0)) throw new FineTuneError('loraAlpha', c.loraAlpha, 'must be > 0');
    if (c.targetModules.length === 0)
      throw new FineTuneError('targetModules', '[]', 'name at least one module');
  }
}

/** Result of {@link FineTuneSession.mergeCheck}. */
export interface MergeReport {
  /** Largest |logit change| the adapter makes (adapted vs adapters off, same head). */
  readonly maxAbsAdapterEffect: number;
  /** Largest |merged − unmerged| logit difference. */
  readonly maxAbsLogitDiff: number;
  readonly maxAbsLogit: number;
  readonly samePredictions: boolean;
  readonly baseMs: number;
  readonly unmergedMs: number;
  readonly mergedMs: number;
}

/** Result of {@link FineTuneSession.roundTrip}. */
export interface RoundTripReport {
  readonly maxAbsLogitDiff: number;
  readonly accuracy: number;
  readonly bytes: number;
}

/** Result of {@link FineTuneSession.swapCheck}. */
export interface SwapReport {
  readonly swaps: number;
  readonly merged: boolean;
  readonly msPerSwap: number;
  readonly times: number[];
  readonly tasks: {
    task: TaskName;
    accuracyBefore: number;
    accuracyAfter: number;
    identical: boolean;
  }[];
}

/** Tensor memory now. */
export function memoryNow(): MemoryInfo {
  const m = tf.memory();
  return { numBytes: m.numBytes, numTensors: m.numTensors };
}
