/**
 * The embed routes of an edition (`/embed/<lesson>/<cell>/`, `/ja/embed/<lesson>/<cell>/`): one
 * page per cell of every published lesson. The Japanese embed runs the Japanese lesson's cell
 * (the same program as the English one, with its labels and messages in Japanese:
 * docs/japanese-edition.md), so both editions have the same cells under the same keys.
 */
import { cellKey, extractCells, type ExtractedCell } from '../cells/extract.ts';
import { getLessons } from '../lib/lessons.ts';
import type { Lang } from '../lib/i18n.ts';

/** What an embed page renders. */
export interface EmbedPageProps {
  readonly lang: Lang;
  readonly slug: string;
  readonly lessonTitle: string;
  readonly cell: ExtractedCell;
  /** Every cell source of the lesson, in order (the cells the shown one reads run hidden). */
  readonly sources: readonly string[];
}

/** `getStaticPaths` of an edition's embed route. */
export async function embedPaths(lang: Lang) {
  const lessons = await getLessons(lang);
  return lessons.flatMap((lesson) => {
    const cells = extractCells(lesson.body ?? '');
    const sources = cells.map((c) => c.source);
    return cells.map((cell) => ({
      params: { lesson: lesson.id, cell: cellKey(cell) },
      props: {
        lang,
        slug: lesson.id,
        lessonTitle: lesson.data.title,
        cell,
        sources,
      } satisfies EmbedPageProps,
    }));
  });
}
