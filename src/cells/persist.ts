/**
 * Keeps a reader's cell edits in localStorage, keyed by lesson slug and cell index, together with
 * a hash of the original source the edit was made against. When the lesson's cell has changed
 * since, the edit is not applied silently: `resolveEdit` reports a conflict and the page asks.
 * Storage can fail (disabled, private mode, quota): every failure goes to `onError`, and the page
 * keeps working without persistence.
 */
import { hashSource } from './hash.ts';

/** What is stored for one edited cell. */
export interface StoredEdit {
  /** The reader's source. */
  readonly source: string;
  /** hashSource() of the lesson's original cell source when the edit was made. */
  readonly originalHash: string;
  /** When it was saved (ms since epoch). */
  readonly savedAt: number;
}

/** How to start a cell, given its original source and any stored edit. */
export type EditResolution =
  | { readonly kind: 'original' }
  | { readonly kind: 'edit'; readonly source: string }
  | { readonly kind: 'conflict'; readonly edit: StoredEdit };

const PREFIX = 'lora-lessons:edit:v1';

/** The storage key of one cell's edit. */
export function editKey(slug: string, index: number): string {
  return `${PREFIX}:${slug}:${String(index)}`;
}

/** Parses a stored value; null (not an exception) for anything malformed. */
export function parseStoredEdit(raw: string | null): StoredEdit | null {
  if (raw === null) return null;
  try {
    const v = JSON.parse(raw) as Partial<StoredEdit> | null;
    if (
      v !== null &&
      typeof v.source === 'string' &&
      typeof v.originalHash === 'string' &&
      typeof v.savedAt === 'number'
    ) {
      return { source: v.source, originalHash: v.originalHash, savedAt: v.savedAt };
    }
  } catch {
    // Malformed JSON: treat as no edit.
  }
  return null;
}

/** Decides what a cell starts with. */
export function resolveEdit(original: string, stored: StoredEdit | null): EditResolution {
  if (stored === null || stored.source === original) return { kind: 'original' };
  if (stored.originalHash === hashSource(original)) return { kind: 'edit', source: stored.source };
  return { kind: 'conflict', edit: stored };
}

/** A small facade over a Storage that never throws. */
export interface EditStore {
  load(slug: string, index: number): StoredEdit | null;
  /** Saves an edit; returns false (and reports) when storage failed. */
  save(slug: string, index: number, source: string, original: string): boolean;
  remove(slug: string, index: number): boolean;
}

/**
 * Creates a store over `getStorage()` (called lazily and guarded: merely reading
 * `window.localStorage` throws when storage is disabled).
 */
export function createEditStore(
  getStorage: () => Storage | null,
  onError: (error: unknown, action: 'load' | 'save' | 'remove') => void,
  now: () => number = Date.now,
): EditStore {
  const storage = (): Storage => {
    const s = getStorage();
    if (s === null) throw new Error('localStorage is not available');
    return s;
  };
  return {
    load(slug, index) {
      try {
        return parseStoredEdit(storage().getItem(editKey(slug, index)));
      } catch (error) {
        onError(error, 'load');
        return null;
      }
    },
    save(slug, index, source, original) {
      try {
        if (source === original) {
          storage().removeItem(editKey(slug, index));
        } else {
          const edit: StoredEdit = { source, originalHash: hashSource(original), savedAt: now() };
          storage().setItem(editKey(slug, index), JSON.stringify(edit));
        }
        return true;
      } catch (error) {
        onError(error, 'save');
        return false;
      }
    },
    remove(slug, index) {
      try {
        storage().removeItem(editKey(slug, index));
        return true;
      } catch (error) {
        onError(error, 'remove');
        return false;
      }
    },
  };
}
