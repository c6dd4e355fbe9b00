/**
 * The exercises in the Japanese edition (docs/japanese-edition.md): every lesson's exercises in
 * Japanese name the exercise cells of `lessons/ja/<slug>.mdx`, whose starter code is not right
 * and whose Japanese solution is; the page's edition (`<html lang>`) picks the words of the
 * checks and of the exercise controls (src/cells/client/exercise-view.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CellView } from '../../../src/cells/client/cell-view.ts';
import { attachExercises } from '../../../src/cells/client/exercise-view.ts';
import { exercisesIn, exercisesOf } from '../../../src/cells/exercises/index.ts';
import { FRESH, type ProgressStore } from '../../../src/cells/exercises/progress.ts';
import { extractCells } from '../../../src/cells/extract.ts';
import { CONTEXT, valueOf } from './run-cell.ts';

const root = join(import.meta.dirname, '..', '..', '..');

afterEach(() => {
  document.documentElement.lang = '';
});

describe('the exercises in Japanese', () => {
  for (const [slug, exercises] of Object.entries(exercisesIn('ja'))) {
    it(`${slug}: the Japanese lesson's exercise cells; its starter is not right, the Japanese solution is`, async () => {
      const cells = extractCells(readFileSync(join(root, 'lessons', 'ja', `${slug}.mdx`), 'utf8'));
      const fenced = cells.filter((c) => c.meta.includes('exercise'));
      expect(fenced.map((c) => c.name)).toEqual(exercises.map((e) => e.name));
      for (const e of exercises) {
        const context = (CONTEXT[e.name] ?? []).map(
          (n) => cells.find((c) => c.name === n && !c.meta.includes('exercise'))?.source ?? '',
        );
        const starter = fenced.find((c) => c.name === e.name)?.source ?? '';
        const first = await e.check(await valueOf(starter, context));
        expect(first.right, `${e.name}: ${first.message}`).toBe(false);
        expect(first.message, e.name).toMatch(/[ぁ-んァ-ヶ一-龠]/);
        const solved = await e.check(await valueOf(e.solution, context));
        expect(solved.right, `${e.name}: ${solved.message}`).toBe(true);
        expect(solved.message, e.name).toMatch(/^正解：/);
        for (const text of [e.title, e.task, e.hints[0] ?? '']) {
          expect(text, e.name).toMatch(/[ぁ-んァ-ヶ一-龠]/);
        }
      }
    });
  }

  it('exercisesOf follows <html lang>: a hint in Japanese on a Japanese page, in English otherwise', () => {
    const hint = () => exercisesOf('intrinsic-dimension')[0]?.hints[1];
    expect(hint()).toBe('There are two layers: 784 → 100 and 100 → 10.');
    document.documentElement.lang = 'ja';
    expect(hint()).toBe('層は2つあります：784 → 100と100 → 10です。');
    expect(exercisesOf('intrinsic-dimension', 'en')[0]?.hints[1]).toBe(
      'There are two layers: 784 → 100 and 100 → 10.',
    );
  });
});

describe('the exercise controls in Japanese', () => {
  it('buttons, count and verdict in Japanese under <html lang="ja">', async () => {
    document.documentElement.lang = 'ja';
    const exercise = exercisesOf('intrinsic-dimension')[0];
    if (!exercise) throw new Error('no exercise');
    const cell = document.createElement('div');
    const heading = document.createElement('h2');
    document.body.append(heading, cell);
    // A cell that ran the reader's changed code to the right answer.
    const view = {
      root: cell,
      name: exercise.name,
      original: 'countD = 0',
      source: 'countD = 79510',
      state: 'fulfilled',
      lastValue: 79_510,
    } as unknown as CellView;
    const progress: ProgressStore = { load: () => FRESH, save: () => true };
    const found = attachExercises({
      slug: 'intrinsic-dimension',
      views: [view],
      exercises: [exercise],
      progress,
      replaceCode: () => undefined,
      startOver: () => undefined,
    });
    expect(found).toBe(1);
    const action = (name: string) =>
      cell.querySelector(`[data-exercise-action="${name}"]`)?.textContent;
    expect(action('hint')).toBe('ヒントを表示（1/3）');
    expect(action('solution')).toBe('解答を表示');
    expect(action('start-over')).toBe('最初からやり直す');
    expect(action('cancel')).toBe('キャンセル');
    await new Promise((resolve) => setTimeout(resolve, 0));
    const verdict = cell.querySelector('[data-exercise-verdict]');
    expect(verdict?.querySelector('strong')?.textContent).toBe('正解です。');
    expect(verdict?.textContent).toBe(
      '正解です。D = 79,510（1層目が78,400 + 100、2層目が1,000 + 10）。',
    );
    expect(document.querySelector('[data-exercise-count]')?.textContent).toBe(
      'このレッスンの演習：1問中1問が完了。',
    );
    heading.remove();
    cell.remove();
  });
});
