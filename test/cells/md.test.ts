import { describe, expect, it } from 'vitest';
import { loadMarkdown } from '../../src/cells/md.ts';

describe('md built-in', () => {
  it('renders Markdown with GFM tables, inline code and raw HTML', async () => {
    const md = await loadMarkdown();
    const el = md`# Title

Some *emphasis*, \`code\` and <kbd>Shift</kbd>.

| r | params |
|---|---|
| ${2} | ${2 * 1536} |
`;
    expect(el.className).toBe('cell-md');
    expect(el.querySelector('h1')?.textContent).toBe('Title');
    expect(el.querySelector('em')?.textContent).toBe('emphasis');
    expect(el.querySelector('code')?.textContent).toBe('code');
    expect(el.querySelector('kbd')?.textContent).toBe('Shift');
    expect([...el.querySelectorAll('td')].map((td) => td.textContent)).toEqual(['2', '3072']);
  });

  it('places interpolated DOM nodes where they appear', async () => {
    const md = await loadMarkdown();
    const slider = document.createElement('input');
    slider.type = 'range';
    const el = md`Move this: ${slider} and watch.`;
    expect(el.querySelector('input')).toBe(slider);
    expect(el.textContent).toBe('Move this:  and watch.');
  });
});
