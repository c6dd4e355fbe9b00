/**
 * The lessons, in course order, with the checks a per-entry schema cannot make: orders are unique,
 * and every prerequisite names a lesson that exists and comes earlier in the course.
 */
import { getCollection, type CollectionEntry } from 'astro:content';

export type Lesson = CollectionEntry<'lessons'>;

/** Thrown at build time when the lessons, taken together, are inconsistent. */
export class LessonCollectionError extends Error {
  override readonly name = 'LessonCollectionError';
}

/**
 * Checks the collection as a whole and returns it sorted by `order`.
 * @throws LessonCollectionError naming the lesson, the field and the offending value.
 */
export function checkLessons(entries: readonly Lesson[]): Lesson[] {
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

/** All published lessons in course order (drafts too when running `astro dev`). */
export async function getLessons(): Promise<Lesson[]> {
  const entries = await getCollection(
    'lessons',
    (entry) => import.meta.env.DEV || entry.data.draft !== true,
  );
  return checkLessons(entries);
}
