/**
 * Keeps a reader's cell edits in localStorage. The promise: an edit is never lost.
 *
 * - **Stable keys.** An edit is stored under the lesson slug and the cell's *identity*
 *   (`cellIds`): its name (`r = 4` → `n:r`), or for an unnamed cell the hash of its original
 *   source (`h:1a2b3c4d`). A new version of the lesson that inserts or removes cells does not move
 *   an edit onto another cell; a cell whose name stays but whose code changed gives a conflict
 *   (`resolveEdit`), never a silent apply.
 * - **Nothing overwritten unseen.** `save` and `remove` take the edit the caller last saw (`seen`).
 *   When storage holds another one (another tab wrote it), that one is first moved to the *kept*
 *   edits, so two tabs editing one cell keep both versions, and a tab that runs an unedited cell
 *   never removes another tab's edit.
 * - **Kept edits.** Edits no cell of the page can take (the cell was renamed or removed, an
 *   unnamed cell's code changed, an edit displaced as above) are kept under their own keys and
 *   listed by `orphans`, so the page can offer them back.
 * - Storage can fail (disabled, private mode, quota): every failure goes to `onError`, and the
 *   page keeps working without persistence.
 *
 * Format 1 (`lora-lessons:edit:v1:<slug>:<index>`, keyed by position) is migrated on first load
 * by `migrateLegacy`: an edit goes to the cell whose original it was made against, else is kept.
 */
import { hashSource } from './hash.ts';

/** Where an edit's code came from. */
export type EditOrigin = 'reader' | 'share';

/** What is stored for one edited cell. */
export interface StoredEdit {
  /** The reader's source. */
  readonly source: string;
  /** hashSource() of the lesson's original cell source when the edit was made. */
  readonly originalHash: string;
  /** When it was saved (ms since epoch). */
  readonly savedAt: number;
  /** The cell's position when it was saved (shown when an edit is offered back). */
  readonly index?: number;
  /** The cell's name when it was saved, if it had one. */
  readonly name?: string;
  /**
   * `'share'`: code from a share link the reader chose to run, not typed by them. The page shows
   * it again on a later visit but does not run it without a new click.
   */
  readonly origin?: EditOrigin;
}

/** How to start a cell, given its original source and any stored edit. */
export type EditResolution =
  | { readonly kind: 'original' }
  | { readonly kind: 'edit'; readonly source: string }
  | { readonly kind: 'conflict'; readonly edit: StoredEdit };

/** An edit no cell of the page holds, with the storage key to forget it by. */
export interface OrphanEdit {
  readonly key: string;
  readonly edit: StoredEdit;
}

const ROOT = 'lora-lessons:edit';
const PREFIX = `${ROOT}:v2`;
const KEPT = `${ROOT}:kept:v2`;
const LEGACY = `${ROOT}:v1`;

/** The storage key of one cell's edit (`id` from {@link cellIds}). */
export function editKey(slug: string, id: string): string {
  return `${PREFIX}:${slug}:${id}`;
}

/** The storage key format 1 used (by position); read only to migrate. */
export function legacyEditKey(slug: string, index: number): string {
  return `${LEGACY}:${slug}:${String(index)}`;
}

/**
 * The stable identity of each cell: `n:<name>` for a named cell, `h:<hash of its original>` for
 * an unnamed one; a repeated identity gets `~2`, `~3`, … in order.
 */
export function cellIds(
  cells: readonly { readonly name: string | null; readonly original: string }[],
): string[] {
  const seen = new Map<string, number>();
  return cells.map(({ name, original }) => {
    const id = name === null ? `h:${hashSource(original)}` : `n:${name}`;
    const n = (seen.get(id) ?? 0) + 1;
    seen.set(id, n);
    return n === 1 ? id : `${id}~${String(n)}`;
  });
}

/** Parses a stored value; null (not an exception) for anything malformed. */
export function parseStoredEdit(raw: string | null): StoredEdit | null {
  if (raw === null) return null;
  try {
    const v = JSON.parse(raw) as Record<string, unknown> | null;
    if (
      typeof v === 'object' &&
      v !== null &&
      typeof v.source === 'string' &&
      typeof v.originalHash === 'string' &&
      typeof v.savedAt === 'number' &&
      Number.isFinite(v.savedAt)
    ) {
      return {
        source: v.source,
        originalHash: v.originalHash,
        savedAt: v.savedAt,
        ...(typeof v.index === 'number' && Number.isSafeInteger(v.index) && v.index >= 0
          ? { index: v.index }
          : {}),
        ...(typeof v.name === 'string' ? { name: v.name } : {}),
        ...(v.origin === 'share' ? { origin: 'share' as const } : {}),
      };
    }
  } catch {
    // Malformed JSON: treat as no edit.
  }
  return null;
}

/** Whether two stored edits are the same save (same code, same time, same origin). */
export function sameEdit(a: StoredEdit | null, b: StoredEdit | null): boolean {
  if (a === null || b === null) return a === b;
  return a.source === b.source && a.savedAt === b.savedAt && a.origin === b.origin;
}

/** Decides what a cell starts with. */
export function resolveEdit(original: string, stored: StoredEdit | null): EditResolution {
  if (stored === null || stored.source === original) return { kind: 'original' };
  if (stored.originalHash === hashSource(original)) return { kind: 'edit', source: stored.source };
  return { kind: 'conflict', edit: stored };
}

/** Where a cell is, for {@link EditStore.save}. */
export interface CellRef {
  readonly slug: string;
  readonly id: string;
  readonly index: number;
  readonly name: string | null;
  readonly original: string;
}

/** What a save or remove did. */
export interface WriteOutcome {
  /** False when storage failed (reported to onError). */
  readonly ok: boolean;
  /** What storage holds for the cell now (null: no edit). */
  readonly stored: StoredEdit | null;
  /** An edit this tab had not seen, moved to the kept edits instead of being overwritten. */
  readonly displaced: StoredEdit | null;
}

/** A small facade over a Storage that never throws. */
export interface EditStore {
  load(slug: string, id: string): StoredEdit | null;
  /**
   * Saves `source` as the cell's edit (its original: removes the edit). `seen` is the edit the
   * caller last read or wrote for this cell: a different one in storage is kept, not lost.
   */
  save(cell: CellRef, source: string, seen: StoredEdit | null, origin?: EditOrigin): WriteOutcome;
  /** Removes the cell's edit if it is the one `seen`; another tab's newer edit is kept. */
  remove(slug: string, id: string, seen: StoredEdit | null): WriteOutcome;
  /** Adds an edit to the kept edits of the lesson: its key, or null (reported) on failure. */
  keep(slug: string, edit: StoredEdit): string | null;
  /** Edits of this lesson that none of `ids` holds: kept ones and those of vanished cells. */
  orphans(slug: string, ids: readonly string[]): OrphanEdit[];
  /** Deletes one stored edit by key (a kept edit the reader no longer wants). */
  forget(key: string): boolean;
  /** Moves format-1 edits (keyed by position) to the cells they were made against. */
  migrateLegacy(slug: string, cells: readonly CellRef[]): void;
}

/** Whether a storage key holds an edit (any format) of the lesson `slug`. */
export function isLessonEditKey(key: string, slug: string): boolean {
  return [PREFIX, KEPT, LEGACY].some((p) => key.startsWith(`${p}:${slug}:`));
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
  let counter = 0;
  const keepIn = (s: Storage, slug: string, edit: StoredEdit): string => {
    counter += 1;
    const tag = `${String(edit.savedAt)}-${String(now())}-${String(counter)}-${Math.random().toString(36).slice(2, 8)}`;
    const key = `${KEPT}:${slug}:${tag}`;
    s.setItem(key, JSON.stringify(edit));
    return key;
  };
  const keysOf = (s: Storage): string[] => {
    const keys: string[] = [];
    for (let i = 0; i < s.length; i++) {
      const k = s.key(i);
      if (k !== null) keys.push(k);
    }
    return keys;
  };
  /** What storage holds now; an edit not `seen` is moved to the kept edits first. */
  const displace = (
    s: Storage,
    slug: string,
    id: string,
    seen: StoredEdit | null,
    replacement: string | null,
  ): { current: StoredEdit | null; displaced: StoredEdit | null } => {
    const current = parseStoredEdit(s.getItem(editKey(slug, id)));
    if (current === null || sameEdit(current, seen) || current.source === replacement) {
      return { current, displaced: null };
    }
    keepIn(s, slug, current);
    return { current, displaced: current };
  };
  return {
    load(slug, id) {
      try {
        return parseStoredEdit(storage().getItem(editKey(slug, id)));
      } catch (error) {
        onError(error, 'load');
        return null;
      }
    },
    save(cell, source, seen, origin = 'reader') {
      const { slug, id, index, name, original } = cell;
      try {
        const s = storage();
        if (source === original) {
          // Back to the lesson's code: remove this tab's edit, never another tab's.
          const current = parseStoredEdit(s.getItem(editKey(slug, id)));
          if (current === null || sameEdit(current, seen) || current.source === original) {
            s.removeItem(editKey(slug, id));
            return { ok: true, stored: null, displaced: null };
          }
          return { ok: true, stored: current, displaced: null };
        }
        const { displaced } = displace(s, slug, id, seen, source);
        const edit: StoredEdit = {
          source,
          originalHash: hashSource(original),
          savedAt: now(),
          index,
          ...(name === null ? {} : { name }),
          ...(origin === 'share' ? { origin } : {}),
        };
        s.setItem(editKey(slug, id), JSON.stringify(edit));
        return { ok: true, stored: edit, displaced };
      } catch (error) {
        onError(error, 'save');
        return { ok: false, stored: seen, displaced: null };
      }
    },
    remove(slug, id, seen) {
      try {
        const s = storage();
        const current = parseStoredEdit(s.getItem(editKey(slug, id)));
        if (current !== null && !sameEdit(current, seen)) {
          return { ok: true, stored: current, displaced: null };
        }
        s.removeItem(editKey(slug, id));
        return { ok: true, stored: null, displaced: null };
      } catch (error) {
        onError(error, 'remove');
        return { ok: false, stored: seen, displaced: null };
      }
    },
    keep(slug, edit) {
      try {
        return keepIn(storage(), slug, edit);
      } catch (error) {
        onError(error, 'save');
        return null;
      }
    },
    orphans(slug, ids) {
      try {
        const s = storage();
        const held = new Set(ids.map((id) => editKey(slug, id)));
        const out: OrphanEdit[] = [];
        for (const key of keysOf(s)) {
          const mine = key.startsWith(`${PREFIX}:${slug}:`) || key.startsWith(`${KEPT}:${slug}:`);
          if (!mine || held.has(key)) continue;
          const edit = parseStoredEdit(s.getItem(key));
          if (edit !== null) out.push({ key, edit });
        }
        return out.sort((a, b) => a.edit.savedAt - b.edit.savedAt);
      } catch (error) {
        onError(error, 'load');
        return [];
      }
    },
    forget(key) {
      try {
        storage().removeItem(key);
        return true;
      } catch (error) {
        onError(error, 'remove');
        return false;
      }
    },
    migrateLegacy(slug, cells) {
      try {
        const s = storage();
        const legacy = keysOf(s).filter((k) => k.startsWith(`${LEGACY}:${slug}:`));
        for (const key of legacy) {
          const edit = parseStoredEdit(s.getItem(key));
          const at = Number(key.slice(`${LEGACY}:${slug}:`.length));
          if (edit !== null) {
            // The cell whose original the edit was made against (at its old place if it is still
            // there), unless that cell already has an edit of format 2.
            const matches = cells.filter((c) => hashSource(c.original) === edit.originalHash);
            const home = matches.find((c) => c.index === at) ?? matches[0];
            const free = home !== undefined && s.getItem(editKey(slug, home.id)) === null;
            const withPlace = { ...edit, ...(Number.isSafeInteger(at) ? { index: at } : {}) };
            if (home !== undefined && free) {
              s.setItem(
                editKey(slug, home.id),
                JSON.stringify({ ...withPlace, index: home.index }),
              );
            } else if (edit.source !== home?.original) {
              keepIn(s, slug, withPlace);
            }
          }
          s.removeItem(key);
        }
      } catch (error) {
        onError(error, 'save');
      }
    },
  };
}
