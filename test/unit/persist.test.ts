import { describe, expect, it } from 'vitest';
import {
  cellIds,
  createEditStore,
  editKey,
  isLessonEditKey,
  legacyEditKey,
  parseStoredEdit,
  resolveEdit,
} from '../../src/cells/persist.ts';
import { hashSource, lessonVersion } from '../../src/cells/hash.ts';

/** A Map-backed Storage with an optional quota (in characters), like the browser's. */
class MemoryStorage implements Storage {
  readonly map = new Map<string, string>();
  constructor(readonly quota = Number.POSITIVE_INFINITY) {}
  get length(): number {
    return this.map.size;
  }
  clear(): void {
    this.map.clear();
  }
  getItem(key: string): string | null {
    return this.map.get(key) ?? null;
  }
  key(index: number): string | null {
    return [...this.map.keys()][index] ?? null;
  }
  removeItem(key: string): void {
    this.map.delete(key);
  }
  setItem(key: string, value: string): void {
    const used = [...this.map.values()].reduce((n, v) => n + v.length, 0);
    if (used + value.length > this.quota) throw new DOMException('quota', 'QuotaExceededError');
    this.map.set(key, value);
  }
}

describe('hash', () => {
  it('is stable, 8 hex digits, and sensitive to any change', () => {
    expect(hashSource('r = 4')).toMatch(/^[0-9a-f]{8}$/);
    expect(hashSource('r = 4')).toBe(hashSource('r = 4'));
    expect(hashSource('r = 4')).not.toBe(hashSource('r = 5'));
    // FNV-1a 32-bit reference values.
    expect(hashSource('')).toBe('811c9dc5');
    expect(hashSource('a')).toBe('e40c292c');
    expect(lessonVersion(['ab', 'c'])).not.toBe(lessonVersion(['a', 'bc']));
  });
});

const ref = (index: number, original: string, name: string | null = null, slug = 'lesson') => {
  const ids = cellIds([{ name, original }]);
  return { slug, id: ids[0] ?? '', index, name, original };
};

const original = 'r = 4';
const r = ref(2, original, 'r');

describe('persistence', () => {
  it('saves, loads and resolves an edit made against the current cell', () => {
    const storage = new MemoryStorage();
    const store = createEditStore(
      () => storage,
      () => undefined,
      () => 1234,
    );
    expect(store.save(r, 'r = 6', null).ok).toBe(true);
    expect(storage.getItem(editKey('lesson', 'n:r'))).not.toBeNull();
    const loaded = store.load('lesson', 'n:r');
    expect(loaded).toEqual({
      source: 'r = 6',
      originalHash: hashSource(original),
      savedAt: 1234,
      index: 2,
      name: 'r',
    });
    expect(resolveEdit(original, loaded)).toEqual({ kind: 'edit', source: 'r = 6' });
    expect(store.load('other-lesson', 'n:r')).toBeNull();
  });

  it('reports a conflict when the lesson changed since the edit, instead of applying it', () => {
    const storage = new MemoryStorage();
    const store = createEditStore(
      () => storage,
      () => undefined,
    );
    store.save(r, 'r = 6', null);
    const loaded = store.load('lesson', 'n:r');
    const resolution = resolveEdit('r = 3 // the author changed this cell', loaded);
    expect(resolution.kind).toBe('conflict');
    if (resolution.kind === 'conflict') expect(resolution.edit.source).toBe('r = 6');
  });

  it('saving the original source removes the edit this tab saved', () => {
    const storage = new MemoryStorage();
    const store = createEditStore(
      () => storage,
      () => undefined,
    );
    const first = store.save(r, 'r = 6', null);
    store.save(r, original, first.stored);
    expect(storage.length).toBe(0);
    expect(resolveEdit(original, null)).toEqual({ kind: 'original' });
  });

  it('never throws when storage fails; reports each failure', () => {
    const errors: string[] = [];
    const full = createEditStore(
      () => new MemoryStorage(10),
      (e, action) => errors.push(`${action}: ${(e as Error).name}`),
    );
    expect(full.save(r, 'x = "a long edit"', null).ok).toBe(false);
    const disabled = createEditStore(
      () => {
        throw new DOMException('denied', 'SecurityError');
      },
      (e, action) => errors.push(`${action}: ${(e as Error).name}`),
    );
    expect(disabled.load('lesson', 'n:r')).toBeNull();
    expect(disabled.remove('lesson', 'n:r', null).ok).toBe(false);
    const missing = createEditStore(
      () => null,
      (e, action) => errors.push(`${action}: ${(e as Error).message}`),
    );
    expect(missing.save(r, 'x', null).ok).toBe(false);
    expect(errors).toEqual([
      'save: QuotaExceededError',
      'load: SecurityError',
      'remove: SecurityError',
      'save: localStorage is not available',
    ]);
  });

  it('ignores malformed stored values', () => {
    expect(parseStoredEdit('{not json')).toBeNull();
    expect(parseStoredEdit('{"source": 1}')).toBeNull();
    expect(parseStoredEdit('null')).toBeNull();
    expect(parseStoredEdit('"text"')).toBeNull();
  });
});

describe('edits keyed by cell identity, never lost (issue 23)', () => {
  it('keys a named cell by its name and an unnamed one by its original, whatever its position', () => {
    const before = cellIds([
      { name: 'a', original: 'a = 1' },
      { name: null, original: 'md`text`' },
    ]);
    // A new version inserts a cell above: the identities of the others do not move.
    const after = cellIds([
      { name: 'z', original: 'z = 0' },
      { name: 'a', original: 'a = 1' },
      { name: null, original: 'md`text`' },
    ]);
    expect(after.slice(1)).toEqual(before);
    expect(
      cellIds([
        { name: null, original: 'x' },
        { name: null, original: 'x' },
      ]),
    ).toEqual([`h:${hashSource('x')}`, `h:${hashSource('x')}~2`]);
  });

  it("another tab's edit is never removed or overwritten unseen: it is kept", () => {
    const storage = new MemoryStorage();
    let t = 0;
    const tabA = createEditStore(
      () => storage,
      () => undefined,
      () => ++t,
    );
    const tabB = createEditStore(
      () => storage,
      () => undefined,
      () => ++t,
    );
    // Tab B edits and saves; tab A (which saw nothing) runs the unedited cell.
    const b = tabB.save(r, 'r = 6', null);
    tabA.save(r, original, null);
    expect(tabA.load('lesson', 'n:r')?.source).toBe('r = 6');
    // Tab A had not seen B's edit and saves its own: B's is kept, not overwritten.
    const a = tabA.save(r, 'r = 7', null);
    expect(a.displaced?.source).toBe('r = 6');
    expect(tabA.load('lesson', 'n:r')?.source).toBe('r = 7');
    expect(tabA.orphans('lesson', ['n:r']).map((o) => o.edit.source)).toEqual(['r = 6']);
    // Tab B, which has not seen A's edit, resets: A's edit stays.
    expect(tabB.remove('lesson', 'n:r', b.stored).stored?.source).toBe('r = 7');
    // A removes its own.
    expect(tabA.remove('lesson', 'n:r', a.stored).stored).toBeNull();
  });

  it('migrates position-keyed edits to the cell they were made against, else keeps them', () => {
    const storage = new MemoryStorage();
    const store = createEditStore(
      () => storage,
      () => undefined,
    );
    const legacy = (index: number, source: string, against: string) => {
      storage.setItem(
        legacyEditKey('lesson', index),
        JSON.stringify({ source, originalHash: hashSource(against), savedAt: index }),
      );
    };
    legacy(0, 'a = 5', 'a = 1'); // a moved from 0 to 1 in the new version
    legacy(1, 'gone = 2', 'gone = 1'); // a removed cell
    const cells = [ref(0, 'z = 0', 'z'), ref(1, 'a = 1', 'a')];
    store.migrateLegacy('lesson', cells);
    expect(store.load('lesson', 'n:a')?.source).toBe('a = 5');
    expect(store.load('lesson', 'n:z')).toBeNull();
    expect(store.orphans('lesson', ['n:z', 'n:a']).map((o) => o.edit.source)).toEqual(['gone = 2']);
    expect([...storage.map.keys()].some((k) => k.includes(':v1:'))).toBe(false);
  });

  it('lists the edits of cells this version no longer has, and forgets one on request', () => {
    const storage = new MemoryStorage();
    const store = createEditStore(
      () => storage,
      () => undefined,
    );
    store.save(ref(0, 'old = 1', 'old'), 'old = 2', null);
    store.save(ref(0, 'x = 1', 'x', 'other'), 'x = 2', null);
    const orphans = store.orphans('lesson', ['n:new']);
    expect(orphans.map((o) => [o.edit.source, o.edit.name])).toEqual([['old = 2', 'old']]);
    expect(isLessonEditKey(orphans[0]?.key ?? '', 'lesson')).toBe(true);
    store.forget(orphans[0]?.key ?? '');
    expect(store.orphans('lesson', ['n:new'])).toEqual([]);
  });
});
