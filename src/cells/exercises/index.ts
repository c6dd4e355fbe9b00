/**
 * Every lesson's exercises, by lesson slug (issue 22). An exercise is authored as a cell fenced
 * ```` ```js cell exercise ```` in the lesson, whose name is the exercise's name; its check,
 * hints and solution live in `<slug>.ts` beside this file (docs/writing-lessons.md, "Exercises").
 * Each is written once with the words of both editions side by side (verdict.ts, `Tr`); the
 * Japanese lesson (`lessons/ja/<slug>.mdx`) has the same exercise cells, so it gets the same
 * exercises in Japanese.
 */
import { documentLang, LANGS, type Lang } from '../../lib/i18n.ts';
import { adapterPlacementExercisesIn } from './adapter-placement.ts';
import { howTheseNotebooksWorkExercisesIn } from './how-these-notebooks-work.ts';
import { initialisationExercisesIn } from './initialisation.ts';
import { intrinsicDimensionExercisesIn } from './intrinsic-dimension.ts';
import { lowRankUpdateExercisesIn } from './low-rank-update.ts';
import { ownDataExercisesIn } from './own-data.ts';
import { qloraExercisesIn } from './qlora.ts';
import { trainingRunExercisesIn } from './training-run.ts';
import type { Exercise } from './types.ts';

export type { Exercise, ExerciseState, Verdict } from './types.ts';

/** Lesson slug → its exercises in the words of an edition, easy to hard. */
const BY_SLUG: Readonly<Record<string, (lang: Lang) => readonly Exercise[]>> = {
  'how-these-notebooks-work': howTheseNotebooksWorkExercisesIn,
  'intrinsic-dimension': intrinsicDimensionExercisesIn,
  initialisation: initialisationExercisesIn,
  'adapter-placement': adapterPlacementExercisesIn,
  'training-run': trainingRunExercisesIn,
  'low-rank-update': lowRankUpdateExercisesIn,
  'own-data': ownDataExercisesIn,
  qlora: qloraExercisesIn,
};

/** Every lesson's exercises in the words of the edition `lang`, by slug. */
export function exercisesIn(lang: Lang): Readonly<Record<string, readonly Exercise[]>> {
  return Object.fromEntries(Object.entries(BY_SLUG).map(([slug, of]) => [slug, of(lang)]));
}

const EDITIONS = Object.fromEntries(LANGS.map((lang) => [lang, exercisesIn(lang)])) as Readonly<
  Record<Lang, Readonly<Record<string, readonly Exercise[]>>>
>;

/** Lesson slug → its exercises, easy to hard (English). */
export const EXERCISES: Readonly<Record<string, readonly Exercise[]>> = EDITIONS.en;

/**
 * The exercises of one lesson (none for a lesson without any), in the words of the edition
 * `lang`: by default the page's (`<html lang>`), English outside a browser.
 */
export function exercisesOf(slug: string, lang: Lang = documentLang()): readonly Exercise[] {
  return EDITIONS[lang][slug] ?? [];
}
