/** The instructors' catalogue text (src/cells/catalogue.ts), on lesson-like sources. */
import { describe, expect, it } from 'vitest';
import {
  cellKind,
  inputPhrase,
  inputsInWords,
  inputsOf,
  leadSentence,
} from '../../src/cells/catalogue.ts';

describe('catalogue', () => {
  it('names a viewof input by its label and kind', () => {
    const src = 'viewof r = Inputs.range([1, 8], {step: 1, value: 2, label: "rank r"})';
    expect([...inputsOf(src)]).toEqual([['r', { label: 'rank r', kind: 'slider' }]]);
  });

  it('names each field of a form by its own label', () => {
    const src = `viewof live = Inputs.form({
  d: Inputs.range([10, 2000], {step: 10, value: 300, label: "subspace dimension d"}),
  lr: Inputs.select([0.001, 0.003], {value: 0.003, label: "learning rate for θd"}),
  seed: Inputs.range([0, 9], {step: 1, value: 0})
})`;
    expect(inputsInWords(['d', 'lr', 'seed', 'alpha'], [src]).map(inputPhrase)).toEqual([
      'subspace dimension d (slider, ?d=…)',
      'learning rate for θd (menu, ?lr=…)',
      'seed (slider, ?seed=…)',
      'alpha (value in the code, ?alpha=…)',
    ]);
  });

  it('tells figures, controls, tables, training runs and values apart', () => {
    expect(cellKind('x = { await Plotly.newPlot(div, []); return div; }')).toBe('figure');
    expect(cellKind('viewof r = Inputs.range([1, 2])')).toBe('controls');
    expect(cellKind('viewof run = trainingPanel({trainer: t})')).toBe('training run');
    expect(cellKind('html`<table><tr><td>1</td></tr></table>`')).toBe('table');
    expect(cellKind('countD = 0')).toBe('value');
  });

  it('takes the first sentence of the prose above a cell, skipping code, stopping at a heading', () => {
    const lines = [
      '## Train',
      '',
      'Move a slider and the cell below trains at once (a run is **stopped**). It takes seconds.',
      '',
      '```js cell',
      'viewof live = Inputs.form({})',
      '```',
      '',
      '```js cell',
      'liveRun = 1',
      '```',
    ];
    expect(leadSentence(lines, 9)).toBe(
      'Move a slider and the cell below trains at once (a run is stopped).',
    );
    expect(leadSentence(['## Heading', '', '```js cell'], 3)).toBeNull();
    expect(
      leadSentence(['Fold it: $W = W_0 + \\frac{\\alpha}{r} A B$, at no cost.', '```js cell'], 2),
    ).toBe('Fold it: W = W_0 + α/r A B, at no cost.');
  });
});
