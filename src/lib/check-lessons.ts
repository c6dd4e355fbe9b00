/**
 * Checks a set of lessons as a whole, which a per-entry schema cannot: orders are unique, and every
 * prerequisite names a lesson that exists and comes earlier in the course. Pure (no Astro import),
 * so it is unit-tested directly.
 */

/** The part of a lesson entry the checks read. */
export interface LessonLike {
  readonly id: string;
  readonly data: { readonly order: number; readonly prerequisites: readonly string[] };
}

/** Thrown at build time when the lessons, taken together, are inconsistent. */
export class LessonCollectionError extends Error {
  override readonly name = 'LessonCollectionError';
}

/**
 * Returns the lessons sorted by `order`, after checking them.
 * @throws LessonCollectionError naming the lesson, the field and the offending value.
 */
export function checkLessons<T extends LessonLike>(entries: readonly T[]): T[] {
  const sorted = [...entries].sort((a, b) => a.data.order - b.data.order);
  const byId = new Map(sorted.map((lesson) => [lesson.id, lesson]));
  for (const [i, lesson] of sorted.entries()) {
    const previous = sorted[i - 1];
    if (previous?.data.order === lesson.data.order) {
      throw new LessonCollectionError(
        `lessons "${previous.id}" and "${lesson.id}" have the same order: ${lesson.data.order}`,
      );
    }
    for (const slug of lesson.data.prerequisites) {
      const prerequisite = byId.get(slug);
      if (prerequisite === undefined) {
        throw new LessonCollectionError(
          `lesson "${lesson.id}": prerequisites names "${slug}", which is not a lesson`,
        );
      }
      if (prerequisite.data.order >= lesson.data.order) {
        throw new LessonCollectionError(
          `lesson "${lesson.id}": prerequisite "${slug}" (order ${prerequisite.data.order}) must come before it (order ${lesson.data.order})`,
        );
      }
    }
  }
  return sorted;
}
