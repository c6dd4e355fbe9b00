import { describe, expect, it } from 'vitest';
import {
  fitLayout,
  fitPlotArgs,
  fitPlotly,
  logTicks,
  tickLabel,
} from '../../src/cells/plotly-fit.ts';

describe('fitLayout', () => {
  it('lowers a width above the space a figure has, and gives one to a layout without', () => {
    expect(fitLayout({ width: 680, height: 380 }, [], 321)).toEqual({ width: 321, height: 380 });
    expect(fitLayout({ width: 300 }, [], 321)).toEqual({ width: 300 });
    expect(fitLayout({ height: 200 }, [], 321)).toEqual({ height: 200, width: 321 });
    expect(fitLayout(undefined, [], 500)).toEqual({ width: 500 });
    expect(fitLayout({ width: 680 }, [], null)).toEqual({ width: 680 });
  });

  it('never changes the caller’s layout', () => {
    const layout = { width: 680, xaxis: { type: 'log' } };
    fitLayout(layout, [{ x: [1, 1000], y: [1, 2] }], 321);
    expect(layout).toEqual({ width: 680, xaxis: { type: 'log' } });
  });

  it('labels a log axis in full numbers instead of minor digits', () => {
    const layout = fitLayout(
      { xaxis: { type: 'log', title: { text: 'd' } }, yaxis: { type: 'linear' } },
      [{ x: [3, 10, 30, 90], y: [0.5, 0.6, 0.7, 0.8] }],
      600,
    );
    expect(layout.xaxis).toEqual({
      type: 'log',
      title: { text: 'd' },
      tickmode: 'array',
      tickvals: [2, 5, 10, 20, 50, 100],
      ticktext: ['2', '5', '10', '20', '50', '100'],
    });
    expect(layout.yaxis).toEqual({ type: 'linear' });
  });

  it('leaves a log axis that sets its own ticks, and reads the traces of its own axis', () => {
    const own = { type: 'log', tickvals: [1, 4, 16] };
    expect(fitLayout({ xaxis: own }, [{ x: [1, 16] }], 600).xaxis).toBe(own);
    const layout = fitLayout(
      { yaxis2: { type: 'log' } },
      [
        { x: [1, 2], y: [1, 2] },
        { x: [1, 2], y: [100, 20000], yaxis: 'y2' },
      ],
      600,
    );
    expect((layout.yaxis2 as { ticktext: string[] }).ticktext).toEqual([
      '100',
      '200',
      '500',
      '1,000',
      '2,000',
      '5,000',
      '10,000',
      '20,000',
    ]);
  });
});

describe('log ticks', () => {
  it('1, 2, 5 over less than 2.5 decades, powers of ten beyond, ends included', () => {
    expect(logTicks(10, 100)).toEqual([10, 20, 50, 100]);
    expect(logTicks(0.012, 0.3)).toEqual([0.01, 0.02, 0.05, 0.1, 0.2, 0.5]);
    expect(logTicks(3, 400)).toEqual([2, 5, 10, 20, 50, 100, 200, 500]);
    expect(logTicks(1536, 589824)).toEqual([1000, 10000, 100000, 1000000]);
    // On a phone-wide figure, fewer: 1, 3 × 10ⁿ.
    expect(logTicks(10, 2000, true)).toEqual([10, 30, 100, 300, 1000, 3000]);
    expect(logTicks(10, 80, true)).toEqual([10, 20, 50, 100]);
    expect(logTicks(0, 10)).toEqual([]);
  });
  it('labels in full', () => {
    expect([0.01, 0.05, 2, 500, 20000].map(tickLabel)).toEqual([
      '0.01',
      '0.05',
      '2',
      '500',
      '20,000',
    ]);
  });
});

describe('fitPlotly', () => {
  it('passes fitted layouts to newPlot and react, in both call forms, and keeps the rest', () => {
    const calls: unknown[][] = [];
    const plotly = {
      newPlot: (...args: unknown[]) => calls.push(args),
      react: (...args: unknown[]) => calls.push(args),
      purge: () => 'purged',
    };
    const fitted = fitPlotly(plotly, () => 321);
    fitted.newPlot('gd', [], { width: 680 }, { displayModeBar: false });
    fitted.react('gd', { data: [], layout: { width: 700 } });
    expect(calls[0]).toEqual(['gd', [], { width: 321 }, { displayModeBar: false }]);
    expect(calls[1]).toEqual(['gd', { data: [], layout: { width: 321 } }]);
    expect(fitted.purge()).toBe('purged');
    expect(fitPlotArgs(['gd', [], { width: 10 }], 321)).toEqual(['gd', [], { width: 10 }]);
  });
});
