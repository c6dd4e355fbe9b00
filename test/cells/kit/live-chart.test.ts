/** The light SVG curve the training panel draws while a run trains (src/cells/kit/live-chart.ts). */
import { describe, expect, it } from 'vitest';
import { liveChart } from '../../../src/cells/kit/live-chart.ts';

describe('liveChart', () => {
  it('draws the curve to scale: x over [0, xMax], y over [0, the data’s largest value]', () => {
    const chart = liveChart({ label: 'training loss', color: '#0072B2', yMax: null, xMax: 10 });
    expect(chart.node.getAttribute('role')).toBe('img');
    chart.update([0, 5, 10], [2, 1, 0]);
    // Plot area: x 44…632, y 8…154 (640 × 180 with margins 44/8/8/26).
    expect(chart.node.querySelector('path')?.getAttribute('d')).toBe(
      'M44.0,8.0L338.0,81.0L632.0,154.0',
    );
    expect(chart.node.querySelector('text')?.textContent).toBe('2.00');
    expect(chart.node.getAttribute('aria-label')).toBe('training loss: 0.000');
  });

  it('a fixed yMax clips larger values to the top', () => {
    const chart = liveChart({ label: 'accuracy', color: '#D55E00', yMax: 1, xMax: 4 });
    chart.update([4], [3]);
    expect(chart.node.querySelector('path')?.getAttribute('d')).toBe('M632.0,8.0');
    expect(chart.node.querySelector('text')?.textContent).toBe('1.00');
  });

  it('with no data yet: an empty path and "none yet"', () => {
    const chart = liveChart({ label: 'accuracy', color: '#D55E00', yMax: 1, xMax: 4 });
    chart.update([], []);
    expect(chart.node.querySelector('path')?.getAttribute('d')).toBe('');
    expect(chart.node.getAttribute('aria-label')).toBe('accuracy: none yet');
  });
});
