import { describe, expect, it } from 'vitest';
import {
  runCells,
  STOPPED_MESSAGE,
  type CellErrorInfo,
  type CellObserver,
} from '../../src/cells/runtime.ts';

/** Records what each cell reports. */
function recorder(n: number) {
  const values: unknown[][] = Array.from({ length: n }, () => []);
  const errors: (CellErrorInfo | null)[] = Array.from({ length: n }, () => null);
  const generating: boolean[][] = Array.from({ length: n }, () => []);
  const observerFor = (i: number): CellObserver => ({
    fulfilled: (v) => {
      values[i]?.push(v);
      errors[i] = null;
    },
    rejected: (e) => {
      errors[i] = e;
    },
    generating: (active) => generating[i]?.push(active),
  });
  const last = (i: number): unknown => values[i]?.at(-1);
  return { values, errors, generating, observerFor, last };
}

describe('runCells', () => {
  it('runs cells reactively; redefining a cell reruns its dependents', async () => {
    const rec = recorder(3);
    const run = runCells(['r = 4', 'sq = r * r', 'label = `r=${r}, sq=${sq}`'], {
      builtins: {},
      observerFor: rec.observerFor,
    });
    expect(await run.settled(5000)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
    expect(rec.last(2)).toBe('r=4, sq=16');
    run.define(0, 'r = 7');
    await run.settled(5000);
    expect(rec.last(1)).toBe(49);
    expect(rec.last(2)).toBe('r=7, sq=49');
    run.dispose();
  });

  it('keeps other cells working when one throws, reports the line, and clears when fixed', async () => {
    const rec = recorder(3);
    const run = runCells(
      ['a = 2', 'b = {\n  const x = a;\n  return x.nope.deeper;\n}', 'c = a + 1'],
      {
        builtins: {},
        observerFor: rec.observerFor,
      },
    );
    expect(await run.settled(5000)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(rec.errors[1]?.line).toBe(3);
    expect(rec.errors[1]?.kind).toBe('runtime');
    expect(rec.errors[1]?.message).toMatch(/TypeError/);
    expect(rec.last(2)).toBe(3);
    run.define(1, 'b = a * 10');
    expect(await run.settled(5000)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
    expect(rec.errors[1]).toBeNull();
    expect(rec.last(1)).toBe(20);
    run.define(1, 'b = (a +');
    expect(await run.settled(5000)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(rec.errors[1]?.kind).toBe('syntax');
    expect(rec.errors[1]?.line).toBe(1);
    run.dispose();
  });

  it('names the broken cell in the error of each cell that reads it, directly or not', async () => {
    const rec = recorder(4);
    const run = runCells(
      [
        'x = {\n  throw new Error("bad input");\n}',
        'y = x + 1',
        'z = y * 2',
        'own = {\n  const v = 1;\n  return v.nope.deeper;\n}',
      ],
      { builtins: {}, observerFor: rec.observerFor },
    );
    expect(await run.settled(5000)).toEqual(['rejected', 'rejected', 'rejected', 'rejected']);
    expect(rec.errors[0]?.message).toBe('bad input');
    expect(rec.errors[0]?.line).toBe(2);
    expect(rec.errors[0]?.failedCell).toBeUndefined();
    for (const i of [1, 2]) {
      expect(rec.errors[i]?.message).toBe('Waiting on `x`, which failed (line 2): bad input');
      expect(rec.errors[i]?.failedCell).toBe('x');
      expect(rec.errors[i]?.line).toBeNull();
    }
    // A cell's own error is its own, with its own line.
    expect(rec.errors[3]?.failedCell).toBeUndefined();
    expect(rec.errors[3]?.line).toBe(3);
    // Fixed upstream, broken in the middle: the message follows.
    run.define(0, 'x = 1');
    run.define(1, 'y = {throw new RangeError("too big")}');
    expect((await run.settled(5000)).slice(0, 3)).toEqual(['fulfilled', 'rejected', 'rejected']);
    expect(rec.errors[1]?.message).toBe('RangeError: too big');
    expect(rec.errors[2]?.message).toBe(
      'Waiting on `y`, which failed (line 1): RangeError: too big',
    );
    run.dispose();
  });

  it('rejects dependents of a broken cell and recovers them when it is fixed', async () => {
    const rec = recorder(2);
    const run = runCells(['x = {throw new Error("bad")}', 'y = x + 1'], {
      builtins: {},
      observerFor: rec.observerFor,
    });
    expect(await run.settled(5000)).toEqual(['rejected', 'rejected']);
    run.define(0, 'x = 1');
    expect(await run.settled(5000)).toEqual(['fulfilled', 'fulfilled']);
    expect(rec.last(1)).toBe(2);
    run.dispose();
  });

  it('stops a runaway loop with an inline timeout error, leaving the page usable', async () => {
    const rec = recorder(2);
    const run = runCells(['spin = { while (true) {} }', 'ok = 1'], {
      builtins: {},
      observerFor: rec.observerFor,
      loopLimitMs: 300,
    });
    expect(await run.settled(5000)).toEqual(['rejected', 'fulfilled']);
    expect(rec.errors[0]?.kind).toBe('timeout');
    expect(rec.errors[0]?.message).toMatch(/This loop ran for more than/);
    run.dispose();
  });

  it('runs generators, honours invalidation on redefine, and stop() ends them', async () => {
    const rec = recorder(2);
    const log: string[] = [];
    const run = runCells(
      [
        '{ let i = 0; invalidation.then(() => log.push("invalidated")); while (true) { yield i++; await new Promise(r => setTimeout(r, 5)); } }',
        'n = 1',
      ],
      { builtins: { log }, observerFor: rec.observerFor },
    );
    await new Promise((r) => setTimeout(r, 200));
    expect(rec.values[0]?.length).toBeGreaterThan(3);
    expect(rec.values[0]?.slice(0, 3)).toEqual([0, 1, 2]);
    expect(rec.generating[0]).toEqual([true]);
    run.stop(0);
    await run.settled(5000);
    expect(run.state(0)).toBe('rejected');
    expect(rec.errors[0]?.message).toBe(STOPPED_MESSAGE);
    expect(rec.errors[0]?.kind).toBe('stopped');
    expect(log).toEqual(['invalidated']);
    const count = rec.values[0]?.length ?? 0;
    await new Promise((r) => setTimeout(r, 100));
    expect(rec.values[0]?.length).toBe(count);
    run.dispose();
  });

  it('stop() ends an async loop that ignores invalidation, and its dependents recover', async () => {
    const rec = recorder(2);
    const ticks = { n: 0 };
    const run = runCells(
      [
        'train = { while (true) { ticks.n++; await new Promise(r => setTimeout(r, 2)); } }',
        'after = train',
      ],
      { builtins: { ticks }, observerFor: rec.observerFor },
    );
    await new Promise((r) => setTimeout(r, 100));
    expect(run.states()).toEqual(['running', 'running']);
    run.stop(0);
    expect(await run.settled(5000)).toEqual(['rejected', 'rejected']);
    const n = ticks.n;
    await new Promise((r) => setTimeout(r, 100));
    expect(ticks.n).toBeLessThanOrEqual(n + 1);
    run.define(0, 'train = "done"');
    expect(await run.settled(5000)).toEqual(['fulfilled', 'fulfilled']);
    expect(rec.last(1)).toBe('done');
    run.dispose();
  });

  it('defines viewof cells: the view displays, the value feeds dependents', async () => {
    const rec = recorder(2);
    const el = Object.assign(new EventTarget(), { value: 3 });
    const run = runCells(['viewof k = el', 'double = k * 2'], {
      builtins: { el },
      observerFor: rec.observerFor,
    });
    await run.settled(5000);
    expect(rec.last(0)).toBe(el);
    expect(rec.last(1)).toBe(6);
    el.value = 5;
    el.dispatchEvent(new Event('input'));
    await new Promise((r) => setTimeout(r, 50));
    await run.settled(5000);
    expect(rec.last(1)).toBe(10);
    run.dispose();
  });

  it('supports mutable: another cell’s assignment updates dependents', async () => {
    const rec = recorder(3);
    const run = runCells(
      ['mutable count = 1', 'shown = count * 100', 'bump = { mutable count = 5; return "done" }'],
      {
        builtins: {},
        observerFor: rec.observerFor,
      },
    );
    await run.settled(5000);
    await new Promise((r) => setTimeout(r, 50));
    await run.settled(5000);
    expect(rec.last(1)).toBe(500);
    run.dispose();
  });

  it('defers cells (shared code): pending, dependents wait, and run once defined', async () => {
    const rec = recorder(2);
    const run = runCells(['x = 21', 'y = x * 2'], {
      builtins: {},
      observerFor: rec.observerFor,
      deferred: [0],
    });
    expect(await run.settled(5000)).toEqual(['pending', 'pending']);
    expect(rec.values[0]).toEqual([]);
    run.define(0, run.source(0));
    expect(await run.settled(5000)).toEqual(['fulfilled', 'fulfilled']);
    expect(rec.last(1)).toBe(42);
    run.dispose();
  });

  it('reports duplicate names and circular definitions as errors', async () => {
    const rec = recorder(3);
    const run = runCells(['a = 1', 'a = 2', 'p = q; q = p'], {
      builtins: {},
      observerFor: rec.observerFor,
    });
    const states = await run.settled(5000);
    expect(states.slice(0, 2)).toEqual(['rejected', 'rejected']);
    expect(rec.errors[0]?.message).toMatch(/a is defined more than once/);
    expect(rec.errors[2]?.kind).toBe('syntax');
    run.dispose();
  });
});
