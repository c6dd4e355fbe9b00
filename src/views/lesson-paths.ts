/**
 * The lesson routes of an edition (`/lessons/<slug>/`, `/ja/lessons/<slug>/`): one page per
 * published lesson, with its neighbours in course order and its prerequisites' titles.
 */
import { getLessons, type Lesson } from '../lib/lessons.ts';
import type { Lang } from '../lib/i18n.ts';

/** A link to another lesson of the same edition. */
export interface LessonLink {
  readonly slug: string;
  readonly title: string;
}

/** What a lesson page renders. */
export interface LessonPageProps {
  readonly lang: Lang;
  readonly lesson: Lesson;
  readonly prev: LessonLink | undefined;
  readonly next: LessonLink | undefined;
  readonly prerequisites: readonly LessonLink[];
}

/** `getStaticPaths` of an edition's lesson route. */
export async function lessonPaths(lang: Lang) {
  const lessons = await getLessons(lang);
  const link = (lesson: Lesson | undefined): LessonLink | undefined =>
    lesson && { slug: lesson.id, title: lesson.data.title };
  return lessons.map((lesson, i) => ({
    params: { slug: lesson.id },
    props: {
      lang,
      lesson,
      prev: link(lessons[i - 1]),
      next: link(lessons[i + 1]),
      prerequisites: lesson.data.prerequisites.map((slug) => {
        const found = lessons.find((other) => other.id === slug);
        return { slug, title: found?.data.title ?? slug };
      }),
    } satisfies LessonPageProps,
  }));
}
