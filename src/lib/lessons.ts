/** The published lessons of an edition in course order, checked as a whole (see check-lessons.ts). */
import { getCollection, type CollectionEntry } from 'astro:content';
import { checkLessons } from './check-lessons.ts';
import type { Lang } from './i18n.ts';

/** A lesson of either edition (the two collections share one schema and one set of slugs). */
export type Lesson = CollectionEntry<'lessons'> | CollectionEntry<'lessonsJa'>;

const COLLECTION = { en: 'lessons', ja: 'lessonsJa' } as const;

/** All published lessons of an edition in course order (drafts too when running `astro dev`). */
export async function getLessons(lang: Lang = 'en'): Promise<Lesson[]> {
  const entries: Lesson[] = await getCollection(
    COLLECTION[lang],
    (entry) => import.meta.env.DEV || entry.data.draft !== true,
  );
  return checkLessons(entries);
}
