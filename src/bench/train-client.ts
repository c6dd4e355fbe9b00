/**
 * The training half of `npm run bench` in Chromium (issue 8): LoRA against full fine-tuning of the
 * training lesson's model, driven through the lesson's own training worker (`src/worker`), on the
 * backend named by `?backend=`. Rounds alternate a LoRA run and a full fine-tuning run of the same
 * batch size, so changes in machine load hit both; each run's step time is the session's median
 * with its two warm-up steps left out. The result lands on `window.__trainBenchResult` for
 * `scripts/bench/train.ts` (Playwright) to read, and on the page as JSON.
 *
 * Query: `backend` (wasm, webgl, webgpu, cpu), and optionally `rounds`, `steps`, `batch`.
 */
import type { RunConfig } from '../experiments/training/index.ts';
import { createTrainer } from '../worker/client.ts';
import { intParam } from './params.ts';

/** One training run's measurements. */
export interface TrainBenchRun {
  readonly method: 'lora' | 'full';
  readonly round: number;
  /** Median ms per step, warm-up steps left out. */
  readonly msPerStep: number;
  /** Every step's ms (warm-up included). */
  readonly stepMs: readonly number[];
  readonly trainableParams: number;
  readonly totalParams: number;
  /** Adam's moments, measured around the first step with `tf.memory()` in the worker. */
  readonly optimizerStateBytes: number;
  /** Gradients (one float32 per trainable weight, alive during a step) + measured Adam state. */
  readonly trainStateBytes: number;
  /** `tf.memory().numBytes` in the worker at the end of the run. */
  readonly memoryBytes: number;
  readonly firstLoss: number;
  readonly lastLoss: number;
}

/** What one bench page reports. */
export interface TrainBenchResult {
  readonly requested: string | null;
  readonly backend: string;
  readonly reason: string;
  readonly floatPrecision: number;
  readonly pretrained: boolean;
  readonly model: {
    readonly hiddenSize: number;
    readonly intermediateSize: number;
    readonly layers: number;
    readonly vocabSize: number;
    readonly seqLen: number;
  };
  readonly batchSize: number;
  readonly stepsPerRun: number;
  readonly rounds: number;
  readonly runs: readonly TrainBenchRun[];
}

declare global {
  interface Window {
    __trainBenchResult?: TrainBenchResult | { error: string };
  }
}

/** Sizes per backend: the software WebGPU adapter takes seconds per step of this model. */
function sizes(backend: string, params: URLSearchParams) {
  const slow = backend === 'webgpu' || backend === 'cpu';
  return {
    rounds: intParam(params, 'rounds', backend === 'cpu' ? 1 : backend === 'wasm' ? 3 : 2, 1, 10),
    // More than four steps, so the session leaves the first two (kernel compilation) out.
    steps: intParam(params, 'steps', slow ? 5 : 8, 3, 200),
    batch: intParam(params, 'batch', slow ? 8 : 16, 1, 128),
  };
}

async function run(): Promise<TrainBenchResult> {
  const params = new URLSearchParams(location.search);
  const requested = params.get('backend');
  const trainer = createTrainer();
  try {
    const info = await trainer.init({ backend: requested, small: false });
    const { rounds, steps, batch } = sizes(info.backend, params);
    const config = (method: 'lora' | 'full'): RunConfig => ({
      method,
      task: 'sentiment',
      r: 2,
      loraAlpha: 4,
      targetModules: ['query', 'attention.output.dense'],
      learningRate: method === 'lora' ? 2e-3 : 2e-4,
      steps,
      batchSize: batch,
      seed: 0,
      evalEvery: 0,
      evalAtEnd: false,
    });
    const runs: TrainBenchRun[] = [];
    const out = document.querySelector('[data-bench-output]');
    for (let round = 0; round < rounds; round++) {
      for (const method of ['lora', 'full'] as const) {
        if (out) out.textContent = `round ${String(round + 1)}/${String(rounds)}: ${method}…`;
        const s = await trainer.train(config(method));
        runs.push({
          method,
          round,
          msPerStep: s.msPerStep,
          stepMs: s.stepMs,
          trainableParams: s.trainableParams,
          totalParams: s.totalParams,
          optimizerStateBytes: s.optimizerStateBytes,
          trainStateBytes: s.optimizerStateBytes + 4 * s.trainableParams,
          memoryBytes: s.memory.numBytes,
          firstLoss: s.firstLoss,
          lastLoss: s.lastLoss,
        });
      }
    }
    const c = info.session.config;
    return {
      requested,
      backend: info.backend,
      reason: info.backendReason,
      floatPrecision: info.floatPrecision,
      pretrained: info.session.pretrained,
      model: {
        hiddenSize: c.hiddenSize,
        intermediateSize: c.intermediateSize,
        layers: c.numHiddenLayers,
        vocabSize: c.vocabSize,
        seqLen: info.session.maxLen,
      },
      batchSize: batch,
      stepsPerRun: steps,
      rounds,
      runs,
    };
  } finally {
    trainer.terminate();
  }
}

function show(result: TrainBenchResult | { error: string }): void {
  const out = document.querySelector('[data-bench-output]');
  if (out) out.textContent = JSON.stringify(result, null, 2);
}

run().then(
  (result) => {
    window.__trainBenchResult = result;
    show(result);
  },
  (error: unknown) => {
    const result = {
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    };
    window.__trainBenchResult = result;
    show(result);
  },
);
