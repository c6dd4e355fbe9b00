/**
 * A reader's progress on the exercises of a lesson, kept in the same localStorage as their cell
 * edits (persist.ts) and through the same guarded access: the page passes the getter and the
 * error report it gives its edit store, so a storage failure is reported once, in the same words,
 * and never thrown. The code of an exercise is an ordinary cell edit (persist.ts keeps it); this
 * keeps what is not code: the last verdict, how many hints were shown, whether the solution was.
 *
 * Key: `lora-lessons:edit:exercise:v1:<slug>:<name>` (beside the edits' `lora-lessons:edit:v2:…`).
 */
import type { ExerciseState } from './types.ts';

/** What is stored for one exercise. */
export interface ExerciseProgress {
  readonly state: ExerciseState;
  /** How many hints the reader has opened (0 … the exercise's hint count). */
  readonly hints: number;
  /** Whether the reader asked for the solution. */
  readonly solution: boolean;
}

/** An exercise nobody has touched. */
export const FRESH: ExerciseProgress = { state: 'unanswered', hints: 0, solution: false };

const PREFIX = 'lora-lessons:edit:exercise:v1';

/** The storage key of one exercise's progress. */
export function progressKey(slug: string, name: string): string {
  return `${PREFIX}:${slug}:${name}`;
}

/** Parses a stored value; FRESH for anything missing or malformed. */
export function parseProgress(raw: string | null): ExerciseProgress {
  if (raw === null) return FRESH;
  try {
    const v = JSON.parse(raw) as Record<string, unknown> | null;
    if (typeof v !== 'object' || v === null) return FRESH;
    const state = v.state === 'wrong' || v.state === 'right' ? v.state : 'unanswered';
    const hints =
      typeof v.hints === 'number' && Number.isSafeInteger(v.hints) && v.hints > 0 ? v.hints : 0;
    return { state, hints, solution: v.solution === true };
  } catch {
    return FRESH;
  }
}

/** Reads and writes exercise progress; never throws. */
export interface ProgressStore {
  load(slug: string, name: string): ExerciseProgress;
  /** Saves the progress (FRESH removes the entry); false when storage failed (reported). */
  save(slug: string, name: string, progress: ExerciseProgress): boolean;
}

/** A store over `getStorage()`, reporting failures to `onError` (as persist.ts's store does). */
export function createProgressStore(
  getStorage: () => Storage | null,
  onError: (error: unknown, action: 'load' | 'save' | 'remove') => void,
): ProgressStore {
  const storage = (): Storage => {
    const s = getStorage();
    if (s === null) throw new Error('localStorage is not available');
    return s;
  };
  return {
    load(slug, name) {
      try {
        return parseProgress(storage().getItem(progressKey(slug, name)));
      } catch (error) {
        onError(error, 'load');
        return FRESH;
      }
    },
    save(slug, name, progress) {
      try {
        const s = storage();
        if (fresh(progress)) s.removeItem(progressKey(slug, name));
        else s.setItem(progressKey(slug, name), JSON.stringify(progress));
        return true;
      } catch (error) {
        onError(error, fresh(progress) ? 'remove' : 'save');
        return false;
      }
    },
  };
}

function fresh(p: ExerciseProgress): boolean {
  return p.state === 'unanswered' && p.hints === 0 && !p.solution;
}
