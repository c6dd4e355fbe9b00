/**
 * The `progress` built-in: `progress(fraction, label?)` returns a labelled <progress> element, for
 * long cells to yield while they work, e.g.
 *
 *   for (let step = 0; step < steps; step++) { …; yield progress((step + 1) / steps, `step ${step + 1}`); }
 *
 * A fraction outside [0, 1] or NaN is a RangeError naming the value.
 */
export function progress(fraction: number, label = ''): HTMLElement {
  if (!(fraction >= 0 && fraction <= 1)) {
    throw new RangeError(`progress: fraction must be between 0 and 1, got ${String(fraction)}`);
  }
  const wrapper = document.createElement('div');
  wrapper.className = 'cell-progress';
  const bar = document.createElement('progress');
  bar.max = 1;
  bar.value = fraction;
  const percent = `${String(Math.round(fraction * 100))}%`;
  bar.setAttribute('aria-label', label === '' ? 'Progress' : label);
  bar.setAttribute('aria-valuetext', label === '' ? percent : `${label}: ${percent}`);
  const text = document.createElement('span');
  text.textContent = label === '' ? percent : `${label} — ${percent}`;
  wrapper.append(bar, ' ', text);
  return wrapper;
}
