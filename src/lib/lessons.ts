/** The published lessons in course order, checked as a whole (see check-lessons.ts). */
import { getCollection, type CollectionEntry } from 'astro:content';
import { checkLessons } from './check-lessons.ts';

export type Lesson = CollectionEntry<'lessons'>;

/** All published lessons in course order (drafts too when running `astro dev`). */
export async function getLessons(): Promise<Lesson[]> {
  const entries = await getCollection(
    'lessons',
    (entry) => import.meta.env.DEV || entry.data.draft !== true,
  );
  return checkLessons(entries);
}
