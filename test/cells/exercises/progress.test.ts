/**
 * Exercise progress (src/cells/exercises/progress.ts): kept beside the cell edits, read back as
 * saved, a fresh exercise leaves nothing behind, malformed entries read as fresh, and a storage
 * failure is reported (as the edit store reports it), never thrown.
 */
import { describe, expect, it } from 'vitest';
import {
  FRESH,
  createProgressStore,
  parseProgress,
  progressKey,
} from '../../../src/cells/exercises/progress.ts';
import { isLessonEditKey } from '../../../src/cells/persist.ts';

describe('exercise progress', () => {
  it('saves, loads and clears one exercise’s progress', () => {
    localStorage.clear();
    const store = createProgressStore(
      () => localStorage,
      () => {
        throw new Error('no failure expected');
      },
    );
    expect(store.load('lesson', 'countD')).toEqual(FRESH);
    expect(store.save('lesson', 'countD', { state: 'right', hints: 2, solution: true })).toBe(true);
    expect(store.load('lesson', 'countD')).toEqual({ state: 'right', hints: 2, solution: true });
    expect(localStorage.getItem(progressKey('lesson', 'countD'))).not.toBeNull();
    // Not taken for a cell edit (the lesson bar lists edits no cell holds).
    expect(isLessonEditKey(progressKey('lesson', 'countD'), 'lesson')).toBe(false);
    expect(store.save('lesson', 'countD', FRESH)).toBe(true);
    expect(localStorage.getItem(progressKey('lesson', 'countD'))).toBeNull();
  });

  it('reads anything malformed as fresh', () => {
    for (const raw of ['{', 'null', '3', '{"state":"done","hints":-1}', '{"hints":1.5}']) {
      const p = parseProgress(raw);
      expect(p.state).toBe('unanswered');
      expect(p.hints).toBe(0);
    }
    expect(parseProgress('{"state":"wrong","hints":1}')).toEqual({
      state: 'wrong',
      hints: 1,
      solution: false,
    });
  });

  it('reports a storage failure instead of throwing', () => {
    const failures: string[] = [];
    const broken = {
      getItem: () => {
        throw new Error('denied');
      },
      setItem: () => {
        throw new Error('quota');
      },
      removeItem: () => {
        throw new Error('denied');
      },
    } as unknown as Storage;
    const store = createProgressStore(
      () => broken,
      (_error, action) => failures.push(action),
    );
    expect(store.load('l', 'x')).toEqual(FRESH);
    expect(store.save('l', 'x', { state: 'wrong', hints: 1, solution: false })).toBe(false);
    expect(store.save('l', 'x', FRESH)).toBe(false);
    expect(failures).toEqual(['load', 'save', 'remove']);
  });
});
