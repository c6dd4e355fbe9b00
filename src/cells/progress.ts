/**
 * The `progress` built-in: `progress(fraction, label?)` returns a labelled <progress> element, for
 * long cells to yield while they work, e.g.
 *
 *   for (let step = 0; step < steps; step++) { …; yield progress((step + 1) / steps, `step ${step + 1}`); }
 *
 * A fraction outside [0, 1] or NaN is a RangeError naming the value. Its own words (the bar's
 * name without a label, the error) are in the page's language.
 */
import { cellsText } from './text.ts';

export function progress(fraction: number, label = ''): HTMLElement {
  const text = cellsText();
  if (!(fraction >= 0 && fraction <= 1)) {
    throw new RangeError(text.progress.badFraction(String(fraction)));
  }
  const wrapper = document.createElement('div');
  wrapper.className = 'cell-progress';
  const bar = document.createElement('progress');
  bar.max = 1;
  bar.value = fraction;
  const percent = `${String(Math.round(fraction * 100))}%`;
  bar.setAttribute('aria-label', label === '' ? text.progress.label : label);
  bar.setAttribute('aria-valuetext', label === '' ? percent : `${label}: ${percent}`);
  const shown = document.createElement('span');
  shown.textContent = label === '' ? percent : `${label} — ${percent}`;
  wrapper.append(bar, ' ', shown);
  return wrapper;
}
