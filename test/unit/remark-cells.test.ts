/** Server markup of cells: figure cells reserve their output's height so the page does not shift. */
import { describe, expect, it } from 'vitest';
import { cellHast, DEFAULT_FIGURE_HEIGHT, reservedHeight } from '../../src/cells/remark-cells.ts';

const output = (source: string) => cellHast(source, 0).children[1];

describe('reservedHeight', () => {
  it("is a Plotly figure's literal height (the largest, when there are several)", () => {
    expect(
      reservedHeight('p = { await Plotly.newPlot(el, data, {width: 600, height: 340}); }'),
    ).toBe(340);
    expect(
      reservedHeight(
        '{ Plotly.react(a, d, {height: 260,\n}); Plotly.newPlot(b, d, {height: 400\n}); }',
      ),
    ).toBe(400);
  });
  it('falls back to a default when the height is computed, and is null without a figure', () => {
    expect(reservedHeight('{ await Plotly.newPlot(el, d, {height: size + 110}); }')).toBe(
      DEFAULT_FIGURE_HEIGHT,
    );
    expect(reservedHeight('t = html`<div style="max-height: 24rem; height: 300px">`')).toBeNull();
    expect(reservedHeight('r = 4')).toBeNull();
  });
  it("puts the reservation on the figure cell's output only", () => {
    expect(output('{ Plotly.newPlot(el, d, {height: 380}) }')).toMatchObject({
      properties: { className: ['cell-output'], style: 'min-height: 380px' },
    });
    expect(output('r = 4')).toMatchObject({ properties: { className: ['cell-output'] } });
    const plain = output('r = 4');
    expect(plain?.type === 'element' ? Object.keys(plain.properties) : []).not.toContain('style');
  });
});
