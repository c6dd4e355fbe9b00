/**
 * The bench's joins and windows (scripts/bench/peak.ts, busy-tasks.ts): achieved GFLOP/s of a
 * training step against the matmul peak of the same backend, and long tasks inside a window.
 */
import { describe, expect, it } from 'vitest';
import type { BrowserBenchResult } from '../../../src/bench/client.ts';
import type { TrainBenchResult } from '../../../src/bench/train-client.ts';
import { stepFlops } from '../../../scripts/bench/node-train.ts';
import { peakRows, peakSection } from '../../../scripts/bench/peak.ts';
import { busyLines, tasksIn } from '../../../scripts/bench/busy-tasks.ts';
import { medianRow, type LighthouseRow } from '../../../scripts/bench/lighthouse.ts';

const model = { hiddenSize: 128, intermediateSize: 512, layers: 2, seqLen: 32, vocabSize: 16000 };

function train(backend: string, loraMs: number[], fullMs: number[]): TrainBenchResult {
  return {
    backend,
    batchSize: 16,
    model,
    runs: [
      ...loraMs.map((msPerStep) => ({ method: 'lora', msPerStep })),
      ...fullMs.map((msPerStep) => ({ method: 'full', msPerStep })),
    ],
  } as unknown as TrainBenchResult;
}

function peak(active: string, stepGflops: number, largeGflops: number): BrowserBenchResult {
  return {
    active,
    stepShape: { rows: 512, hidden: 128, ffn: 512 },
    stepMatmulGflops: stepGflops,
    largeN: 1024,
    largeMatmulGflops: largeGflops,
  } as unknown as BrowserBenchResult;
}

describe('peakRows', () => {
  it('divides the step’s FLOPs by its median time and sets it beside the same backend’s peak', () => {
    const fwd = stepFlops(128, 512, 2, 32, 16);
    const rows = peakRows(
      [
        { label: 'wasm', result: peak('wasm', 20, 25) },
        { label: 'webgl', result: peak('webgl', 2, 3) },
      ],
      [
        { backend: 'wasm', seconds: 1, result: train('wasm', [90, 100, 200], [150, 160, 170]) },
        { backend: 'webgl', seconds: 1, result: train('webgl', [400], [3000]) },
      ],
    );
    expect(rows.map((r) => r.backend)).toEqual(['wasm', 'webgl']);
    const wasm = rows[0];
    expect(wasm?.loraGflops).toBeCloseTo((2 * fwd) / (100 * 1e6), 10);
    expect(wasm?.fullGflops).toBeCloseTo((3 * fwd) / (160 * 1e6), 10);
    expect(wasm?.stepShapeGflops).toBe(20);
    expect(wasm?.trainRows).toBe(16 * 32);
    const { lines, records } = peakSection(rows);
    const pctLora = Math.round((100 * (wasm?.loraGflops ?? NaN)) / 20);
    expect(lines.find((l) => l.startsWith('| wasm'))).toContain(`| ${String(pctLora)}% /`);
    expect(records.filter((r) => r.metric === 'fraction_of_step_shape_matmul_peak')).toHaveLength(
      4,
    );
  });
  it('leaves out a backend whose bench ran on another backend, or failed', () => {
    const rows = peakRows(
      [
        { label: 'webgpu', result: peak('wasm', 20, 25) },
        { label: 'webgl', result: { error: 'no context' } },
      ],
      [
        { backend: 'webgpu', seconds: 1, result: train('webgpu', [1], [1]) },
        { backend: 'webgl', seconds: 1, result: train('webgl', [1], [1]) },
        { backend: 'wasm', seconds: 1, result: { error: 'timeout' } },
      ],
    );
    expect(rows).toEqual([]);
  });
});

describe('tasksIn', () => {
  it('counts the tasks that start inside the window, with total and longest', () => {
    const tasks = [
      { start: 5, duration: 300 },
      { start: 10, duration: 60 },
      { start: 20, duration: 250 },
      { start: 31, duration: 90 },
    ];
    expect(tasksIn(tasks, 10, 30)).toEqual({ count: 2, totalMs: 310, maxMs: 250 });
    expect(tasksIn(tasks, 40, 50)).toEqual({ count: 0, totalMs: 0, maxMs: 0 });
    expect(() => tasksIn(tasks, 30, 10)).toThrow(/t1 ≥ t0/);
  });
  it('marks a window with a task over 200 ms as outside the budget', () => {
    const row = {
      scenario: 'sweep',
      path: 'p/',
      backend: 'wasm',
      windowMs: 20_000,
      progress: '',
    };
    const [ok, bad] = busyLines([
      { ...row, count: 1, totalMs: 200, maxMs: 200 },
      { ...row, count: 1, totalMs: 201, maxMs: 201 },
    ]).filter((l) => l.startsWith('| sweep'));
    expect(ok).toContain('| yes |');
    expect(bad).toContain('| **no** |');
  });
});

describe('medianRow', () => {
  const run = (performance: number, fcpMs: number, error?: string): LighthouseRow => ({
    path: 'lessons/x/',
    performance,
    accessibility: 100,
    fcpMs,
    lcpMs: fcpMs,
    tbtMs: 0,
    cls: 0,
    scriptBytes: 9000,
    ...(error === undefined ? {} : { error }),
  });
  it('takes each metric’s median over the runs that scored', () => {
    const row = medianRow([
      run(90, 1500),
      run(99, 1100),
      run(NaN, NaN, 'NO_NAVSTART'),
      run(95, 1300),
    ]);
    expect(row.performance).toBe(95);
    expect(row.fcpMs).toBe(1300);
    expect(row.error).toBeUndefined();
    expect(medianRow([run(80, 2000), run(90, 1000)]).performance).toBe(85);
  });
  it('reports the failure when no run scored', () => {
    expect(medianRow([run(NaN, NaN, 'a'), run(NaN, NaN, 'b')]).error).toBe('b');
    expect(() => medianRow([])).toThrow(/no runs/);
  });
});
