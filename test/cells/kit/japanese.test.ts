/**
 * The lesson kit in the Japanese edition (docs/japanese-edition.md): under `<html lang="ja">` the
 * training panel (src/cells/kit/training-panel.ts), its live charts, the URL state's report of a
 * refused value, a shipped file's error and the weights note speak Japanese; the DOM contract
 * (data attributes) is the same in both editions.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createSite, SiteFileError, weightsNote } from '../../../src/cells/kit/site.ts';
import {
  trainingPanel,
  type PanelEvent,
  type PanelSummary,
} from '../../../src/cells/kit/training-panel.ts';
import { describeProblems, oneOf, readUrlState } from '../../../src/cells/kit/url-state.ts';

afterEach(() => {
  document.documentElement.lang = '';
});

describe('the lesson kit in Japanese', () => {
  it('the training panel: 「開始」, its status, numbers and charts in Japanese, the same data attributes', async () => {
    document.documentElement.lang = 'ja';
    const run: { onEvent: (e: PanelEvent) => void; finish: (s: PanelSummary) => void } = {
      onEvent: () => undefined,
      finish: () => undefined,
    };
    const panel = trainingPanel({
      trainer: {
        train: (_config, on) =>
          new Promise<PanelSummary>((resolve) => {
            run.onEvent = on;
            run.finish = resolve;
          }),
        resume: () => new Promise<PanelSummary>(() => undefined),
        stop: () => undefined,
        memory: () => Promise.resolve({ numTensors: 1, numBytes: 1 }),
      },
      config: { steps: 10, method: 'lora' },
      backend: 'wasm',
      loadPlotly: () => Promise.resolve({ newPlot: () => undefined, purge: () => undefined }),
      redrawMs: 1,
    });
    const q = (selector: string) => panel.querySelector(selector);
    expect(q('button[data-action="start"]')?.textContent).toBe('開始');
    expect(q('button[data-action="stop"]')?.textContent).toBe('停止');
    expect(q('button[data-action="resume"]')?.textContent).toBe('再開');
    expect(q('[data-train-status]')?.textContent).toBe('まだ開始していません。');
    expect(q('[data-train-fraction]')?.textContent).toBe('0 / 10ステップ');
    expect(q('svg[data-live-chart="training loss"]')?.getAttribute('aria-label')).toBe(
      '学習データでの損失：まだありません',
    );
    (q('button[data-action="start"]') as HTMLButtonElement).click();
    expect(q('[data-train-status]')?.textContent).toBe('wasmで学習中（LoRA）…');
    run.onEvent({
      kind: 'progress',
      step: 5,
      steps: 10,
      loss: 0.5,
      stepsPerSecond: 4,
      etaSeconds: 1.25,
      memory: { numBytes: 2 ** 21, numTensors: 40 },
      trainableParams: 2_048,
      totalParams: 100_000,
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(q('[data-train-stats]')?.textContent).toBe(
      '損失0.5000 · 毎秒4.00ステップ · 残り約2秒 · メモリ2.0 MiB（テンソル40個） · ' +
        '学習する重み2,048個（全100,000個の2.05%）',
    );
    run.finish({ stopped: false, stepsDone: 10, accuracy: 0.75, msPerStep: 12.4 });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(panel.dataset.state).toBe('done');
    expect(q('[data-train-status]')?.textContent).toBe(
      '完了：10ステップ、検証データでの正解率0.750、1ステップあたり12 ms（中央値）。',
    );
  });

  it('a refused URL value, a missing file and the weights note in Japanese', async () => {
    document.documentElement.lang = 'ja';
    const schema = { r: oneOf([1, 2, 4], 2) };
    const { problems } = readUrlState(schema, '?r=3');
    expect(describeProblems(schema, problems)).toEqual([
      'r=3は1、2、4のいずれかではないため、2を使います',
    ]);
    const error = await createSite(null, null)
      .bytes('data/sentiment.json')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SiteFileError);
    expect((error as SiteFileError).message).toBe(
      'data/sentiment.json: 読み込み元のサイトがありません',
    );
    expect(weightsNote(null, 'x')).toMatch(/^これらの結果には/);
    // A schema made on an English page reads as it always did.
    document.documentElement.lang = 'en';
    const english = { r: oneOf([1, 2, 4], 2) };
    expect(describeProblems(english, readUrlState(english, '?r=3').problems)).toEqual([
      'r=3 is not one of 1, 2, 4: using 2',
    ]);
  });
});
