import { describe, expect, it } from 'vitest';
import { progress } from '../../src/cells/progress.ts';

describe('progress built-in', () => {
  it('makes a labelled progress bar with the fraction and a text percentage', () => {
    const el = progress(0.25, 'epoch 1');
    const bar = el.querySelector('progress');
    expect(bar?.value).toBe(0.25);
    expect(bar?.max).toBe(1);
    expect(bar?.getAttribute('aria-label')).toBe('epoch 1');
    expect(el.textContent).toContain('epoch 1 — 25%');
    expect(progress(1).textContent).toContain('100%');
  });

  it('rejects fractions outside [0, 1], naming the value', () => {
    expect(() => progress(1.5)).toThrow(/between 0 and 1, got 1.5/);
    expect(() => progress(Number.NaN)).toThrow(/got NaN/);
  });
});
