/**
 * The own-data lesson's storage: nothing is read back unless it was saved, a save is read back,
 * forget removes it, and storage that throws (private mode, quota) is treated as empty with the
 * reason a save failed.
 */
import { describe, expect, it } from 'vitest';
import { OWN_DATA_KEY, ownDataStorage } from '../../../src/experiments/own-data/storage.ts';

function memory() {
  const m = new Map<string, string>();
  return {
    map: m,
    getItem: (k: string) => m.get(k) ?? null,
    setItem: (k: string, v: string) => {
      m.set(k, v);
    },
    removeItem: (k: string) => {
      m.delete(k);
    },
  };
}

describe('ownDataStorage', () => {
  it('keeps only what is saved, and forget removes it', () => {
    const store = memory();
    const s = ownDataStorage(store);
    expect(s.load()).toBeNull();
    expect(s.save({ name: 'a.csv', text: 'text,label\nhi,x\n' })).toBeNull();
    expect(s.load()).toEqual({ name: 'a.csv', text: 'text,label\nhi,x\n' });
    expect([...store.map.keys()]).toEqual([OWN_DATA_KEY]);
    s.forget();
    expect(store.map.size).toBe(0);
    expect(s.load()).toBeNull();
  });

  it('treats failing or missing storage as empty and says why a save failed', () => {
    const broken = {
      getItem: () => {
        throw new Error('denied');
      },
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
      removeItem: () => {
        throw new Error('denied');
      },
    };
    const s = ownDataStorage(broken);
    expect(s.load()).toBeNull();
    expect(s.save({ name: '', text: 'x' })).toBe('QuotaExceededError');
    expect(() => {
      s.forget();
    }).not.toThrow();
    expect(ownDataStorage(null).save({ name: '', text: 'x' })).toMatch(/no storage/);
    const junk = memory();
    junk.setItem(OWN_DATA_KEY, '{"name": 3}');
    expect(ownDataStorage(junk).load()).toBeNull();
  });
});
