// @vitest-environment jsdom
/** "Save figure" appears under plots and SVG figures only (embeds and lesson cells alike). */
import { describe, expect, it } from 'vitest';
import { updateFigureTools } from '../../src/cells/client/figure-download.ts';

function output(html: string): HTMLElement {
  const section = document.createElement('section');
  const out = document.createElement('div');
  out.className = 'cell-output';
  out.innerHTML = html;
  section.append(out);
  return out;
}

const buttons = (out: HTMLElement): string[] => {
  const tools = out.nextElementSibling;
  if (!tools?.classList.contains('cell-figure-tools')) return [];
  return [...tools.querySelectorAll('button')].map((b) => b.textContent);
};

describe('updateFigureTools', () => {
  it('offers PNG and SVG for a Plotly plot, SVG for another SVG figure', () => {
    const plot = output(
      '<figure><div class="js-plotly-plot"><svg class="main-svg"></svg></div></figure>',
    );
    updateFigureTools(plot, 'rankPlot');
    expect(buttons(plot)).toEqual(['PNG', 'SVG']);
    const svg = output('<svg viewBox="0 0 10 10"><svg></svg><circle r="4"/></svg>');
    updateFigureTools(svg, 'chart');
    expect(buttons(svg)).toEqual(['SVG']);
  });

  it('offers nothing for text or an inspected value (whose carets are SVG icons)', () => {
    const inspected = output(
      '<div class="cell-inspector"><span class="observablehq--caret"><svg width="8" height="8"></svg></span> Object</div>',
    );
    updateFigureTools(inspected, 'layer');
    expect(buttons(inspected)).toEqual([]);
    const text = output('<p>At rank 2</p>');
    updateFigureTools(text, 'x');
    expect(text.nextElementSibling).toBeNull();
  });

  it('keeps the same buttons for the same figure; removes them when the figure goes', () => {
    const out = output('<svg></svg>');
    updateFigureTools(out, 'f');
    const first = out.nextElementSibling;
    updateFigureTools(out, 'f');
    expect(out.nextElementSibling).toBe(first);
    out.innerHTML = '<p>no figure now</p>';
    updateFigureTools(out, 'f');
    expect(out.nextElementSibling).toBeNull();
  });
});
