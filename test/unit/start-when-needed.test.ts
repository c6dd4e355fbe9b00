/** When a lesson page loads its cell runtime (src/cells/client/start-when-needed.ts). */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { editKey, legacyEditKey } from '../../src/cells/persist.ts';
import { hasStoredEdits, startAtOnceReason } from '../../src/cells/client/start-when-needed.ts';

const reader = { search: '', hash: '', hasEdits: false };

function memoryStorage(entries: Record<string, string>): Storage {
  const map = new Map(Object.entries(entries));
  return {
    get length() {
      return map.size;
    },
    clear: () => {
      map.clear();
    },
    getItem: (k) => map.get(k) ?? null,
    key: (i) => [...map.keys()][i] ?? null,
    removeItem: (k) => {
      map.delete(k);
    },
    setItem: (k, v) => {
      map.set(k, v);
    },
  };
}

describe('startAtOnceReason', () => {
  beforeEach(() => {
    vi.stubGlobal('IntersectionObserver', function IntersectionObserver() {
      return undefined;
    });
  });
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it("waits for the reader on a plain reader's page", () => {
    expect(startAtOnceReason(reader)).toBeNull();
    expect(startAtOnceReason({ ...reader, search: '?backend=wasm', hash: '#intro' })).toBeNull();
  });
  it('starts at once under tests, for ?cells=all, a share link or stored edits', () => {
    expect(startAtOnceReason({ ...reader, search: '?test=1' })).toBe('every cell runs at once');
    expect(startAtOnceReason({ ...reader, search: '?r=2&cells=all' })).toBe(
      'every cell runs at once',
    );
    expect(startAtOnceReason({ ...reader, hash: '#share=c1.abc' })).toBe('share link');
    expect(startAtOnceReason({ ...reader, hasEdits: true })).toBe('stored edits');
  });
  it('starts at once where the browser cannot tell what is in view', () => {
    vi.unstubAllGlobals();
    vi.stubGlobal('IntersectionObserver', undefined);
    expect(startAtOnceReason(reader)).toBe('every cell runs at once');
  });
});

describe('hasStoredEdits', () => {
  it("finds an edit of any of the lesson's cells, and only of this lesson", () => {
    const storage = memoryStorage({ [editKey('a', 'n:r')]: '{}', [editKey('b', 'h:0')]: '{}' });
    expect(hasStoredEdits('a', 4, () => storage)).toBe(true);
    expect(hasStoredEdits('b', 1, () => storage)).toBe(true);
    expect(hasStoredEdits('c', 10, () => storage)).toBe(false);
    // An edit kept in format 1 (keyed by position) still starts the runtime, to be migrated.
    expect(hasStoredEdits('c', 1, () => memoryStorage({ [legacyEditKey('c', 7)]: '{}' }))).toBe(
      true,
    );
  });
  it('is false when storage cannot be read', () => {
    expect(
      hasStoredEdits('a', 4, () => {
        throw new Error('SecurityError');
      }),
    ).toBe(false);
  });
});
