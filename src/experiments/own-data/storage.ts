/**
 * The reader's data, kept in the browser only when asked: one entry in the given storage (the
 * page passes `localStorage`), read back on the next visit, removed by `forget`. Storage that
 * fails (private mode, quota, disabled) is treated as empty; a failed save says why.
 */

/** The part of the Web Storage API used. */
export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** What is kept: the file's name (or '') and its text. */
export interface KeptData {
  readonly name: string;
  readonly text: string;
}

/** The key of the kept data. */
export const OWN_DATA_KEY = 'lora-live:own-data:v1';

/** Load, save and forget the reader's data (`storage` null: nothing is ever kept). */
export function ownDataStorage(storage: KeyValueStorage | null) {
  return {
    /** The kept data, or null. */
    load(): KeptData | null {
      try {
        const raw = storage?.getItem(OWN_DATA_KEY) ?? null;
        if (raw === null) return null;
        const v = JSON.parse(raw) as Partial<KeptData>;
        return typeof v.name === 'string' && typeof v.text === 'string'
          ? { name: v.name, text: v.text }
          : null;
      } catch {
        return null;
      }
    },
    /** Keeps `data`; returns null when kept, else why not. */
    save(data: KeptData): string | null {
      if (!storage) return 'this browser has no storage here';
      try {
        storage.setItem(OWN_DATA_KEY, JSON.stringify({ name: data.name, text: data.text }));
        return null;
      } catch (e) {
        return e instanceof Error ? e.message : String(e);
      }
    },
    /** Removes the kept data (nothing to do when there is none). */
    forget(): void {
      try {
        storage?.removeItem(OWN_DATA_KEY);
      } catch {
        // Storage that cannot be reached holds nothing of ours.
      }
    },
  };
}
