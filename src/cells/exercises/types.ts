/**
 * What an exercise is (issue 22): a live cell of a lesson that the reader edits (its starter code
 * is the cell's code in the lesson), plus a check that reads the value the cell produced and
 * answers right or "not yet" with a specific hint, general hints shown one at a time, and a
 * solution. The check runs in the page, on the cell's value only: it never trains or waits on the
 * network, so it answers at once.
 */

/** A check's answer: right, or not yet with what is wrong. */
export interface Verdict {
  readonly right: boolean;
  /** Shown to the reader (and announced): why it is right, or what is wrong and what to try. */
  readonly message: string;
}

/** One exercise of a lesson. */
export interface Exercise {
  /**
   * The exercise's name, which is also the name of its cell (`countD = …` → `countD`): the cell's
   * root carries `data-exercise="<name>"`. Unique within the lesson.
   */
  readonly name: string;
  /** A short human title ("Count the weights of a small network"). */
  readonly title: string;
  /** What the reader is asked to do, in one or two sentences (the catalogue shows it). */
  readonly task: string;
  /** Judges the cell's value. Must not throw for any value (a reader's value can be anything). */
  readonly check: (value: unknown) => Verdict | Promise<Verdict>;
  /** General hints, from a nudge to nearly the answer; shown one at a time on request. */
  readonly hints: readonly string[];
  /** The cell's code with a right answer. */
  readonly solution: string;
}

/** The three states an exercise's root shows (`data-exercise-state`). */
export type ExerciseState = 'unanswered' | 'wrong' | 'right';
