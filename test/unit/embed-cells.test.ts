import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  cellDependencies,
  formFields,
  inputCells,
  literalCell,
  literalCells,
} from '../../src/cells/embed-cells.ts';
import { cellKey, extractCells } from '../../src/cells/extract.ts';
import { runCells, type CellObserver } from '../../src/cells/runtime.ts';

const lesson = (slug: string) =>
  extractCells(readFileSync(new URL(`../../lessons/${slug}.mdx`, import.meta.url), 'utf8'));

describe('cellDependencies', () => {
  const sources = ['a = 1', 'viewof r = Inputs.range([1, 8])', 'b = a + r', 'c = 5', 'b * 2'];
  it('follows names through other cells, viewof included', () => {
    expect(cellDependencies(sources, 4)).toEqual([0, 1, 2]);
    expect(cellDependencies(sources, 2)).toEqual([0, 1]);
    expect(cellDependencies(sources, 0)).toEqual([]);
  });
  it('ignores built-ins and undefined names, and terminates on cycles', () => {
    expect(cellDependencies(['x = y + tf.version', 'y = x'], 0)).toEqual([1]);
  });
  it('names the cell that does not exist', () => {
    expect(() => cellDependencies(sources, 5)).toThrow(/no cell 5 \(the lesson has 5\)/);
  });
  it('on the first lesson: the rank sentence reads r, layer and counts', () => {
    const cells = lesson('how-these-notebooks-work');
    const sentence = cells.findIndex((c) => c.source.includes('At rank ${r}'));
    const deps = cellDependencies(
      cells.map((c) => c.source),
      sentence,
    );
    expect(deps.map((i) => cellKey(cells[i] ?? { name: null, index: i }))).toEqual([
      'r',
      'layer',
      'counts',
    ]);
  });
});

describe('inputs and literal cells', () => {
  it('finds viewof inputs by name', () => {
    expect([...inputCells(['viewof r = Inputs.range([1, 8])', 'r * 2', 'viewof s = x'])]).toEqual([
      ['r', 0],
      ['s', 2],
    ]);
  });
  it('reads literal values, and only literals', () => {
    expect(literalCell('alpha = 4', 3)).toEqual({ index: 3, name: 'alpha', value: 4 });
    expect(literalCell('lr = -3e-4', 0)?.value).toBe(-3e-4);
    expect(literalCell("init = 'zeros'", 0)?.value).toBe('zeros');
    expect(literalCell('on = true', 0)?.value).toBe(true);
    for (const s of [
      'x = 1 + 1',
      'x = a',
      'viewof x = 1',
      'mutable x = 1',
      '4',
      'x = null',
      'x = (',
      'x = `t`',
      'x = -"a"',
    ]) {
      expect(literalCell(s, 0)).toBeNull();
    }
  });
  it('on the first lesson: alpha is the only literal cell', () => {
    const found = literalCells(lesson('how-these-notebooks-work').map((c) => c.source));
    expect([...found.values()].map((l) => [l.name, l.value])).toEqual([['alpha', 4]]);
  });
});

describe('LessonRun for embeds: dormant cells and setValue', () => {
  const settle = (ms = 50) => new Promise((r) => setTimeout(r, ms));

  it('dormant cells run only when an observed cell reads them', async () => {
    const ran: string[] = [];
    const builtins = { note: () => (name: string) => ran.push(name) };
    const seen: unknown[] = [];
    const run = runCells(['a = (note("a"), 2)', 'b = (note("b"), 3)', 'a * 10'], {
      builtins,
      observerFor: (i): CellObserver => (i === 2 ? { fulfilled: (v) => seen.push(v) } : {}),
      dormant: [0, 1],
    });
    await run.settled(5000);
    await settle();
    expect(seen).toEqual([20]);
    expect(ran).toEqual(['a']); // b is dormant and unread: never computed
    expect(run.states()).toEqual(['pending', 'pending', 'fulfilled']);
    run.dispose();
  });

  it('setValue replaces a literal cell without compiling anything; dependents rerun once', async () => {
    const seen: unknown[] = [];
    const run = runCells(['alpha = 4', 'r = 2', 'alpha / r'], {
      builtins: {},
      observerFor: (i): CellObserver => (i === 2 ? { fulfilled: (v) => seen.push(v) } : {}),
    });
    run.setValue(0, 16); // before the runtime's first computation
    await run.settled(5000);
    await settle();
    expect(seen).toEqual([8]);
    expect(run.source(0)).toBe('alpha = 4');
    run.setValue(1, 4);
    await run.settled(5000);
    await settle();
    expect(seen).toEqual([8, 4]);
    expect(() => {
      run.setValue(2, 1);
    }).toThrow(/cell 2 is not a named value cell/);
    run.dispose();
  });
});

describe('formFields', () => {
  it('lists the fields of an Inputs.form, which an embed takes as parameters', () => {
    expect(
      formFields('viewof s = Inputs.form({r: Inputs.range([1, 8]), "seed": Inputs.text()})'),
    ).toEqual(['r', 'seed']);
    expect(formFields('viewof s = Inputs.range([1, 8])')).toEqual([]);
    expect(formFields('s = Inputs.form({r: 1})')).toEqual([]);
    expect(formFields('viewof s = Inputs.form({[k]: 1, ...rest})')).toEqual([]);
  });
  it('on the initialisation lesson: the settings form', () => {
    const cells = lesson('initialisation');
    const settings = cells.find((c) => c.name === 'settings');
    expect(formFields(settings?.source ?? '')).toEqual(['scale', 'r', 'alpha', 'lr', 'seed']);
  });
});
