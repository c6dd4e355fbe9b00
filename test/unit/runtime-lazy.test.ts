/**
 * Lazy lesson runs (runtime.ts `lazy`): a cell's code runs only once it, or a cell reading it, is
 * opened or redefined; and `settled()` waits for generator cells to finish, not for their first
 * value.
 */
import { describe, expect, it } from 'vitest';
import { runCells, type CellObserver } from '../../src/cells/runtime.ts';

/** Cells push their name to `calls` when their code runs; observers record what they hear. */
function setup(sources: string[], lazy = true) {
  const calls: string[] = [];
  const heard: string[][] = sources.map(() => []);
  const values: unknown[] = sources.map(() => undefined);
  const observerFor = (i: number): CellObserver => ({
    pending: () => heard[i]?.push('pending'),
    waiting: () => heard[i]?.push('waiting'),
    running: () => heard[i]?.push('running'),
    fulfilled: (v) => {
      values[i] = v;
      heard[i]?.push('fulfilled');
    },
    rejected: (e) => heard[i]?.push(`rejected: ${e.message}`),
  });
  const run = runCells(sources, { builtins: { calls: () => calls }, observerFor, lazy });
  return { run, calls, heard, values };
}

describe('lazy runs', () => {
  it('run nothing until a cell is opened, then that cell and what it reads', async () => {
    const { run, calls, values } = setup([
      'a = (calls.push("a"), 2)',
      'b = (calls.push("b"), a * 10)',
      'c = (calls.push("c"), 5)',
    ]);
    expect(await run.settled(5000, 50)).toEqual(['pending', 'pending', 'pending']);
    expect(calls).toEqual([]);
    expect([0, 1, 2].map((i) => run.isOpen(i))).toEqual([false, false, false]);
    run.open(1);
    expect(await run.settled(5000, 50)).toEqual(['fulfilled', 'fulfilled', 'pending']);
    expect(calls.sort()).toEqual(['a', 'b']);
    expect(values[1]).toBe(20);
    run.open(2);
    expect(await run.settled(5000, 50)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
    expect(calls).toHaveLength(3);
    run.dispose();
  });

  it('load nothing a waiting cell reads: a lazy built-in (like tf) loads when the cell opens', async () => {
    let loads = 0;
    const run = runCells(['x = heavy + 1'], {
      builtins: {
        heavy: () => {
          loads++;
          return 41;
        },
      },
      observerFor: () => ({}),
      lazy: true,
    });
    expect(await run.settled(5000, 50)).toEqual(['pending']);
    expect(loads).toBe(0);
    run.open(0);
    expect(await run.settled(5000, 50)).toEqual(['fulfilled']);
    expect(loads).toBe(1);
    run.dispose();
  });

  it('tell a waiting cell it waits, and that it runs once opened', async () => {
    const { run, heard } = setup(['x = 1']);
    await run.settled(5000, 50);
    expect(heard[0]).toContain('waiting');
    expect(heard[0]).not.toContain('running');
    run.open(0);
    await run.settled(5000, 50);
    expect(heard[0]?.slice(-2)).toEqual(['running', 'fulfilled']);
    run.dispose();
  });

  it('a waiting cell whose input was redefined runs once, with the new value, when opened', async () => {
    const { run, calls, values } = setup(['a = 1', 'b = (calls.push("b"), a + 1)']);
    await run.settled(5000, 50);
    run.define(0, 'a = 5'); // The reader ran cell 0: it opens, its waiting dependent stays waiting.
    expect(await run.settled(5000, 50)).toEqual(['fulfilled', 'pending']);
    expect(calls).toEqual([]);
    run.open(1);
    expect(await run.settled(5000, 50)).toEqual(['fulfilled', 'fulfilled']);
    expect(values[1]).toBe(6);
    expect(calls).toEqual(['b']);
    run.dispose();
  });

  it('redefining a cell opens it and the cells its new code reads', async () => {
    const { run, values } = setup(['a = 3', 'b = 4', 'c = 0']);
    await run.settled(5000, 50);
    run.define(2, 'c = a + b');
    expect(await run.settled(5000, 50)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
    expect(values[2]).toBe(7);
    run.dispose();
  });

  it('a viewof and a mutable cell open through the names they define', async () => {
    const { run, values } = setup([
      'viewof r = { const e = new EventTarget(); e.value = 3; return e; }',
      'mutable m = 10',
      'sum = r + m',
    ]);
    await run.settled(5000, 50);
    run.open(2);
    expect(await run.settled(5000, 50)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
    expect(values[2]).toBe(13);
    run.dispose();
  });

  it('without lazy every cell runs at once (tests, embeds)', async () => {
    const { run, calls } = setup(['a = (calls.push("a"), 1)', 'b = (calls.push("b"), 2)'], false);
    expect(await run.settled(5000, 50)).toEqual(['fulfilled', 'fulfilled']);
    expect(calls.sort()).toEqual(['a', 'b']);
    expect(run.isOpen(0)).toBe(true);
    run.dispose();
  });
});

describe('settled() and generators', () => {
  it('waits for a generator cell to finish, not for its first value', async () => {
    // Gaps between values (60 ms) are longer than the quiet time asked for (20 ms): a harness
    // that counted the first value as settled would return with 0.
    const { run, values } = setup(
      [
        'g = { for (let i = 0; i < 4; i++) { await new Promise((r) => setTimeout(r, 60)); yield i; } }',
      ],
      false,
    );
    expect(await run.settled(5000, 20)).toEqual(['fulfilled']);
    expect(values[0]).toBe(3);
    run.dispose();
  });

  it('a mutable cell (a generator that never ends by design) does not hold settled() up', async () => {
    const { run, values } = setup(
      ['mutable m = 1', 'x = m + 1', '{ mutable m = 41; return 0; }'],
      false,
    );
    expect(await run.settled(5000, 50)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
    expect(values[1]).toBe(42);
    run.dispose();
  });
});
