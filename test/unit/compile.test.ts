import { describe, expect, it } from 'vitest';
import {
  CellSyntaxError,
  compileCell,
  errorLine,
  loopGuardEdits,
} from '../../src/cells/compile.ts';
import { parseCell } from '@observablehq/parser';
import { applyEdits } from '../../src/cells/source-edits.ts';
import { LoopTimeoutError, createLoopGuard } from '../../src/cells/loop-guard.ts';

type Fn = (...args: unknown[]) => unknown;
const def = (source: string, i = 0): Fn =>
  compileCell(source).definitions[i]?.definition as unknown as Fn;

describe('compileCell: names and inputs', () => {
  it('names cells as Observable does', () => {
    expect(compileCell('r = 4').name).toBe('r');
    expect(compileCell('1 + 2').name).toBeNull();
    expect(compileCell('function f(x) { return x }').name).toBe('f');
    expect(compileCell('viewof r = Inputs.range([1, 8])')).toMatchObject({
      name: 'r',
      kind: 'viewof',
    });
    expect(compileCell('mutable m = 0')).toMatchObject({ name: 'm', kind: 'mutable' });
  });

  it('collects free references as inputs, once each, ignoring locals and globals', () => {
    const c = compileCell(
      'y = { const local = 2; return a * local + b + Math.max(a, viewof r.value) }',
    );
    expect(c.inputs).toEqual(['a', 'b', 'viewof r']);
    const f = c.definitions[0]?.definition as unknown as Fn;
    expect(f(3, 4, { value: 10 })).toBe(3 * 2 + 4 + 10);
  });

  it('defines `viewof x` and x (the view’s value)', () => {
    const c = compileCell('viewof x = el');
    expect(c.definitions.map((d) => [d.name, d.inputs, d.display])).toEqual([
      ['viewof x', ['el'], true],
      ['x', ['viewof x'], false],
    ]);
  });

  it('rewrites `mutable x` reads and writes to the Mutable’s value', () => {
    const c = compileCell('{ mutable n = mutable n + 1; return mutable n }');
    expect(c.inputs).toEqual(['mutable n']);
    const state = { value: 41 };
    expect((c.definitions[0]?.definition as unknown as Fn)(state)).toBe(42);
    expect(state.value).toBe(42);
  });

  it('reports async and generator cells and builds matching functions', async () => {
    const a = compileCell('x = await Promise.resolve(5)');
    expect(a.async).toBe(true);
    expect(await (a.definitions[0]?.definition as unknown as Fn)()).toBe(5);
    const g = compileCell('{ for (let i = 0; i < 3; i++) yield i }');
    expect(g.generator).toBe(true);
    expect([...(def('{ for (let i = 0; i < 3; i++) yield i }')() as Iterable<number>)]).toEqual([
      0, 1, 2,
    ]);
  });

  it('keeps `this` as the previous value', () => {
    expect(def('n = (this ?? 0) + 1').call(4)).toBe(5);
  });
});

describe('compileCell: errors', () => {
  it('turns syntax errors into a rejecting cell with line and column', () => {
    const c = compileCell('x = {\n  let a = 1;\n  a +* 2;\n}');
    expect(c.error).toBeInstanceOf(CellSyntaxError);
    expect(c.error?.line).toBe(3);
    expect(c.error?.column).toBe(6);
    expect(c.name).toBe('x');
    expect(c.definitions[0]?.name).toBe('x');
    expect(() => (c.definitions[0]?.definition as unknown as Fn)()).toThrow(/line 3, column 6/);
  });

  it('keeps both names of a broken viewof cell so dependents fail instead of hanging', () => {
    const c = compileCell('viewof k = Inputs.range([1,');
    expect(c.definitions.map((d) => d.name)).toEqual(['viewof k', 'k']);
  });

  it('rejects assignments to other cells and imports, with a line', () => {
    expect(compileCell('{ r = 3 }').error?.message).toMatch(/Assignment to constant variable r/);
    expect(compileCell('import {a} from "b"').error?.message).toMatch(/offline/);
  });

  it('finds the line of a runtime error from the stack', () => {
    const c = compileCell('x = {\n  const a = 1;\n\n  return a.b.c;\n}', { id: 'rt' });
    let caught: unknown;
    try {
      (c.definitions[0]?.definition as unknown as Fn)();
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(TypeError);
    expect(errorLine(caught, c)).toBe(4);
  });
});

describe('loop guard', () => {
  const guarded = (source: string): string => {
    const cell = parseCell(source);
    if (!cell.body) throw new Error('empty');
    return applyEdits(source, loopGuardEdits(cell.body, 'G')).replaceAll(
      'G.n-- > 0 || G.check();',
      'G();',
    );
  };

  it('guards every kind of loop, with or without braces, nested', () => {
    expect(guarded('{ for (;;) { a() } }')).toBe('{ for (;;) {G(); a() } }');
    expect(guarded('{ while (c) a(); }')).toBe('{ while (c) {G();a();} }');
    expect(guarded('{ do a(); while (c) }')).toBe('{ do {G();a();} while (c) }');
    expect(guarded('{ for (const x of xs) for (const k in x) f(k); }')).toBe(
      '{ for (const x of xs) {G();for (const k in x) {G();f(k);}} }',
    );
    expect(guarded('{ label: for (;;) while (1) break label }')).toBe(
      '{ label: for (;;) {G();while (1) {G();break label}} }',
    );
    expect(guarded('xs.map(x => { while (x) x-- ; return x })')).toBe(
      'xs.map(x => { while (x) {G();x-- ;} return x })',
    );
  });

  it('stops `while (true) {}` with a clear error, within the limit', () => {
    const limitMs = 300;
    const c = compileCell('{ while (true) {} }', { loopLimitMs: limitMs });
    const t0 = performance.now();
    expect(() => (c.definitions[0]?.definition as unknown as Fn)()).toThrow(LoopTimeoutError);
    const elapsed = performance.now() - t0;
    expect(elapsed).toBeGreaterThanOrEqual(limitMs);
    expect(elapsed).toBeLessThan(limitMs + 1000);
    expect(() => (c.definitions[0]?.definition as unknown as Fn)()).toThrow(
      /This loop ran for more than 0\.30 s without finishing — stopped to keep the page responsive/,
    );
  });

  it('stops nested and brace-less runaway loops, and loops in functions the cell defines', () => {
    const run = (s: string): unknown =>
      (compileCell(s, { loopLimitMs: 200 }).definitions[0]?.definition as unknown as Fn)();
    expect(() => run('{ for (let i = 0; i < 10; i++) for (;;) ; }')).toThrow(LoopTimeoutError);
    expect(() => run('{ let i = 0; do i++; while (i > 0) }')).toThrow(LoopTimeoutError);
    const f = run('function spin() { for (;;) {} }') as () => void;
    expect(() => {
      f();
    }).toThrow(LoopTimeoutError);
  });

  it('lets a long but finite loop finish, with the right answer', () => {
    const c = compileCell('{ let s = 0; for (let i = 0; i < 3e6; i++) s += i; return s }', {
      loopLimitMs: 2000,
    });
    expect((c.definitions[0]?.definition as unknown as Fn)()).toBe((3e6 * (3e6 - 1)) / 2);
  });

  it('does not kill async loops that await: the clock restarts after each await', async () => {
    const c = compileCell(
      '{ let n = 0; const t0 = performance.now(); while (performance.now() - t0 < 600) { const t = performance.now(); while (performance.now() - t < 50) n++; await new Promise(r => setTimeout(r, 1)); } return n > 0 }',
      { loopLimitMs: 200 },
    );
    expect(c.async).toBe(true);
    await expect((c.definitions[0]?.definition as unknown as Fn)()).resolves.toBe(true);
  });

  it('does not kill generators between steps', () => {
    const c = compileCell(
      '{ for (let i = 0; ; i++) { const t = performance.now(); while (performance.now() - t < 80); yield i } }',
      {
        loopLimitMs: 150,
      },
    );
    const gen = (c.definitions[0]?.definition as unknown as Fn)() as Generator<number>;
    // Each step is a fresh synchronous run only if the event loop ran in between; enter() also
    // restarts the clock, so drive it the way the runtime does: one step per task.
    return (async () => {
      for (let k = 0; k < 4; k++) {
        expect(gen.next().value).toBe(k);
        await new Promise((r) => setTimeout(r, 0));
      }
      gen.return(undefined);
    })();
  });

  it('createLoopGuard validates its limit and uses the injected clock', () => {
    expect(() => createLoopGuard(0)).toThrow(/limitMs must be > 0, got 0/);
    let t = 0;
    const g = createLoopGuard(10, () => t);
    g.enter();
    g.check();
    t = 11;
    expect(() => {
      for (let i = 0; i < 10_000; i++) if (!(g.n-- > 0)) g.check();
    }).toThrow(LoopTimeoutError);
    g.cancel();
    expect(() => {
      if (!(g.n-- > 0)) g.check();
    }).toThrow(/Stopped by reader/);
  });
});
