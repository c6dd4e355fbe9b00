import { describe, expect, it } from 'vitest';
import {
  checkLessons,
  LessonCollectionError,
  type LessonLike,
} from '../../src/lib/check-lessons.ts';

const lesson = (id: string, order: number, prerequisites: string[] = []): LessonLike => ({
  id,
  data: { order, prerequisites },
});

describe('checkLessons', () => {
  it('sorts by order, whatever order the files came in', () => {
    const sorted = checkLessons([lesson('c', 30), lesson('a', 1), lesson('b', 2, ['a'])]);
    expect(sorted.map((l) => l.id)).toEqual(['a', 'b', 'c']);
  });

  it('rejects two lessons with the same order, naming both', () => {
    expect(() => checkLessons([lesson('a', 1), lesson('b', 1)])).toThrow(
      new LessonCollectionError('lessons "a" and "b" have the same order: 1'),
    );
  });

  it('rejects a prerequisite that is not a lesson, naming lesson and slug', () => {
    expect(() => checkLessons([lesson('a', 1), lesson('b', 2, ['nope'])])).toThrow(
      /lesson "b": prerequisites names "nope", which is not a lesson/,
    );
  });

  it('rejects a prerequisite that comes later in the course (or is the lesson itself)', () => {
    expect(() => checkLessons([lesson('a', 1, ['b']), lesson('b', 2)])).toThrow(
      /prerequisite "b" \(order 2\) must come before it \(order 1\)/,
    );
    expect(() => checkLessons([lesson('a', 1, ['a'])])).toThrow(LessonCollectionError);
  });

  it('accepts an empty course', () => {
    expect(checkLessons([])).toEqual([]);
  });
});
