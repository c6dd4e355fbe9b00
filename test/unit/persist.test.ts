import { describe, expect, it } from 'vitest';
import { createEditStore, editKey, parseStoredEdit, resolveEdit } from '../../src/cells/persist.ts';
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

describe('persistence', () => {
  const original = 'r = 4';

  it('saves, loads and resolves an edit made against the current cell', () => {
    const storage = new MemoryStorage();
    const store = createEditStore(
      () => storage,
      () => undefined,
      () => 1234,
    );
    expect(store.save('lesson', 2, 'r = 6', original)).toBe(true);
    expect(storage.getItem(editKey('lesson', 2))).not.toBeNull();
    const loaded = store.load('lesson', 2);
    expect(loaded).toEqual({ source: 'r = 6', originalHash: hashSource(original), savedAt: 1234 });
    expect(resolveEdit(original, loaded)).toEqual({ kind: 'edit', source: 'r = 6' });
    expect(store.load('other-lesson', 2)).toBeNull();
  });

  it('reports a conflict when the lesson changed since the edit, instead of applying it', () => {
    const storage = new MemoryStorage();
    const store = createEditStore(
      () => storage,
      () => undefined,
    );
    store.save('lesson', 0, 'r = 6', original);
    const loaded = store.load('lesson', 0);
    const resolution = resolveEdit('r = 3 // the author changed this cell', loaded);
    expect(resolution.kind).toBe('conflict');
    if (resolution.kind === 'conflict') expect(resolution.edit.source).toBe('r = 6');
  });

  it('saving the original source removes the edit', () => {
    const storage = new MemoryStorage();
    const store = createEditStore(
      () => storage,
      () => undefined,
    );
    store.save('lesson', 0, 'r = 6', original);
    store.save('lesson', 0, original, original);
    expect(storage.length).toBe(0);
    expect(resolveEdit(original, null)).toEqual({ kind: 'original' });
  });

  it('never throws when storage fails; reports each failure', () => {
    const errors: string[] = [];
    const full = createEditStore(
      () => new MemoryStorage(10),
      (e, action) => errors.push(`${action}: ${(e as Error).name}`),
    );
    expect(full.save('lesson', 0, 'x = "a long edit"', original)).toBe(false);
    const disabled = createEditStore(
      () => {
        throw new DOMException('denied', 'SecurityError');
      },
      (e, action) => errors.push(`${action}: ${(e as Error).name}`),
    );
    expect(disabled.load('lesson', 0)).toBeNull();
    expect(disabled.remove('lesson', 0)).toBe(false);
    const missing = createEditStore(
      () => null,
      (e, action) => errors.push(`${action}: ${(e as Error).message}`),
    );
    expect(missing.save('lesson', 0, 'x', original)).toBe(false);
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
  });
});
