/**
 * Every lesson's exercises, by lesson slug (issue 22). An exercise is authored as a cell fenced
 * ```` ```js cell exercise ```` in the lesson, whose name is the exercise's name; its check,
 * hints and solution live in `<slug>.ts` beside this file (docs/writing-lessons.md, "Exercises").
 */
import { adapterPlacementExercises } from './adapter-placement.ts';
import { howTheseNotebooksWorkExercises } from './how-these-notebooks-work.ts';
import { initialisationExercises } from './initialisation.ts';
import { intrinsicDimensionExercises } from './intrinsic-dimension.ts';
import { lowRankUpdateExercises } from './low-rank-update.ts';
import { ownDataExercises } from './own-data.ts';
import { qloraExercises } from './qlora.ts';
import { trainingRunExercises } from './training-run.ts';
import type { Exercise } from './types.ts';

export type { Exercise, ExerciseState, Verdict } from './types.ts';

/** Lesson slug → its exercises, easy to hard. */
export const EXERCISES: Readonly<Record<string, readonly Exercise[]>> = {
  'how-these-notebooks-work': howTheseNotebooksWorkExercises,
  'intrinsic-dimension': intrinsicDimensionExercises,
  initialisation: initialisationExercises,
  'adapter-placement': adapterPlacementExercises,
  'training-run': trainingRunExercises,
  'low-rank-update': lowRankUpdateExercises,
  'own-data': ownDataExercises,
  qlora: qloraExercises,
};

/** The exercises of one lesson (none for a lesson without any). */
export function exercisesOf(slug: string): readonly Exercise[] {
  return EXERCISES[slug] ?? [];
}
