/**
 * Messages between the page (`client.ts`) and the experiment worker (`host.ts`, run by
 * `experiment-worker.ts`): one call per long experiment (a subspace run of the MNIST network or of
 * the encoder), its steps streamed back as they happen, `stop` to end it between two steps.
 *
 * Large typed arrays (MNIST pixels, the pretrained weights, encoded sentences) are sent once per
 * worker: the page replaces one it has sent before by `{ $ref: n }` (see {@link WireRef}), and the
 * worker keeps what it was given under that number.
 */
import type { EncoderConfig } from '../core/models/encoder.ts';
import type { PretrainedFiles } from '../core/data/pretrained.ts';
import type { IdxImages } from '../core/data/mnist.ts';
import type { MlpTaskOptions } from './initialisation/tasks.ts';
import type {
  ExperimentProgress,
  InitLessonSettings,
  RankRuns,
  SchemeRuns,
  SpikeRuns,
  StartChange,
} from './initialisation/lesson.ts';
import type { EncodedRows } from '../core/data/tasks.ts';
import type { QuantizedBaseReport } from '../core/quant/model.ts';
import type { QloraRunResult, QuantBase, Variant } from './qlora/index.ts';
import type {
  EncoderRunOptions,
  EncoderRunResult,
  MnistRunOptions,
  MnistRunResult,
} from './intrinsic/index.ts';

/** MNIST digits as the site ships them (parsed IDX files), optionally only the first `count`. */
export interface MnistData {
  readonly images: IdxImages;
  readonly labels: Uint8Array;
  readonly count?: number;
}

/** The options of an MNIST run in the worker: the core's, without the page-side `signal`. */
export type MnistJobOptions = Omit<MnistRunOptions, 'signal'>;

/** Where the encoder of a run comes from: the pretrained files, or a random init of a config. */
export type EncoderSource =
  | {
      /** The pretrained model's files (`loadPretrained`). */
      readonly pretrained: PretrainedFiles;
      /** Config overrides (`numLabels`, dropout off, no MLM head…). */
      readonly overrides?: Partial<EncoderConfig>;
      /** Seed of the new classification head. */
      readonly seed: number;
    }
  | {
      /** A full config: the encoder starts from a random init of it. */
      readonly config: EncoderConfig;
      readonly seed: number;
    };

/** One encoder run: `encoderRun`'s options, with the encoder named by its source (no `signal`). */
export type EncoderJob = Omit<EncoderRunOptions, 'encoder' | 'signal'> & {
  readonly model: EncoderSource;
};

/**
 * One run of the QLoRA lesson (`prepareBase`, then `qloraRun`), the encoder made in the worker from
 * `model`: a step of the full encoder takes a long task's worth of time, so the page does not run it.
 */
export interface QloraJob {
  readonly model: EncoderSource;
  readonly base: QuantBase;
  readonly variant: Variant;
  readonly train: EncodedRows;
  readonly test: EncodedRows;
  readonly seed: number;
  readonly steps: number;
  readonly batchSize: number;
  readonly learningRate: number;
  readonly r: number;
}

/** One training step, as the core's run generators yield it. */
export interface JobStep {
  readonly step: number;
  readonly loss: number;
  readonly ms: number;
}

/**
 * Where a run's time went, measured in the worker: building the model and projection (up to the
 * first step), the median step, and the final evaluation (after the last step).
 */
export interface JobTiming {
  readonly setupMs: number;
  readonly stepMs: number;
  readonly evalMs: number;
}

/**
 * Smaller sizes for the encoder task (the cell tests, which run the reader's code on a slow
 * backend); each one left out is the lesson's (`INIT_LESSON_ENCODER_TASK`). Sizes only: the
 * model, the data and the code are the same.
 */
export interface InitEncoderSizes {
  readonly headSteps?: number;
  readonly batches?: number;
  readonly batchSize?: number;
  readonly maxLen?: number;
}

/**
 * The initialisation lesson's task, described so the worker can build it: the pretrained encoder
 * on the sentiment split (files as the site serves them: config text, the other files as bytes)
 * or the small MLP stand-in with its options.
 */
export type InitTaskSpec =
  | {
      readonly model: 'encoder';
      /** The shipped model's files (a page's `site.model()`, checked against its manifest). */
      readonly pretrained: PretrainedFiles;
      /** Bytes of `data/sentiment.json`. */
      readonly sentiment: Uint8Array;
      readonly sizes?: InitEncoderSizes;
    }
  | {
      /**
       * The pretrained encoder's architecture with random weights and no head fitting: a step
       * costs what the real task's step costs, so it times a step without the 10 MB download.
       */
      readonly model: 'encoder-shape';
      readonly files: {
        readonly config: string;
        readonly tokenizer: Uint8Array;
        readonly sentiment: Uint8Array;
      };
      readonly sizes?: InitEncoderSizes;
    }
  | { readonly model: 'mlp'; readonly options: MlpTaskOptions };

/** The initialisation lesson's long experiments (the core's generators of the same names). */
export type InitExperimentKind = 'schemeRuns' | 'spikeRuns' | 'rankRuns';

/** The methods, their arguments and results. */
export interface Calls {
  mnistRun: {
    args: [MnistData, MnistData, MnistJobOptions];
    result: MnistRunResult & { timing: JobTiming };
  };
  encoderRun: { args: [EncoderJob]; result: EncoderRunResult & { timing: JobTiming } };
  /** The QLoRA lesson's run; `report` is the stored base's (null for float32). */
  qloraRun: {
    args: [QloraJob];
    result: QloraRunResult & { report: QuantizedBaseReport | null; timing: JobTiming };
  };
  /** Builds (or reuses) the initialisation task of a spec; its label. */
  initTask: { args: [InitTaskSpec]; result: { label: string } };
  /** `core.startChanges` on the spec's task. */
  initStartChanges: { args: [InitTaskSpec, InitLessonSettings]; result: StartChange[] };
  /** One of the core's initialisation experiments; null when stopped. */
  initExperiment: {
    args: [InitTaskSpec, InitExperimentKind, InitLessonSettings, number[], { steps: number }];
    result: SchemeRuns | SpikeRuns | RankRuns | null;
  };
  /** The backend the worker's runs use (started on first call). */
  backend: { args: []; result: { name: string; reason: string } };
}

/** A method name. */
export type Method = keyof Calls;

/** A typed array the worker already holds, by number. */
export interface WireRef {
  readonly $ref: number;
}

/** Page → worker. */
export type ToWorker =
  | {
      readonly type: 'call';
      readonly id: number;
      readonly method: Method;
      readonly args: unknown[];
      /** Typed arrays sent with this call, to keep under their numbers. */
      readonly put: readonly (readonly [number, ArrayBufferView])[];
      /** `?backend=` of the page, for the first call. */
      readonly backend: string | null;
    }
  | { readonly type: 'stop'; readonly id: number };

/** An error as it crosses the boundary. */
export interface WireError {
  readonly name: string;
  readonly message: string;
}

/** Worker → page. */
export type FromWorker =
  /** A training step (subspace runs) or an {@link ExperimentProgress} (initialisation runs). */
  | { readonly type: 'step'; readonly id: number; readonly step: JobStep | ExperimentProgress }
  | { readonly type: 'result'; readonly id: number; readonly value: unknown }
  | { readonly type: 'error'; readonly id: number; readonly error: WireError };

/** An error as a plain object (name and message survive `postMessage`). */
export function toWire(e: unknown): WireError {
  return e instanceof Error
    ? { name: e.name, message: e.message }
    : { name: 'Error', message: String(e) };
}

/** True for `{ $ref: n }`. */
export function isRef(v: unknown): v is WireRef {
  return typeof v === 'object' && v !== null && typeof (v as { $ref?: unknown }).$ref === 'number';
}

/**
 * Copies `v` with every typed array that `swap` maps replaced (plain objects and arrays are walked;
 * other values are kept as they are). Used both ways: the page swaps arrays for refs, the worker
 * refs for arrays.
 */
export function mapArrays(v: unknown, swap: (x: unknown) => unknown): unknown {
  const swapped = swap(v);
  if (swapped !== v) return swapped;
  if (Array.isArray(v)) return v.map((x) => mapArrays(x, swap));
  if (typeof v === 'object' && v !== null && !ArrayBuffer.isView(v)) {
    const proto = Object.getPrototypeOf(v) as unknown;
    if (proto !== Object.prototype && proto !== null) return v;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = mapArrays(x, swap);
    return out;
  }
  return v;
}
