import { describe, expect, it } from 'vitest';
import { fromMarkdown } from 'mdast-util-from-markdown';
import { toHast } from 'mdast-util-to-hast';
import { toHtml } from 'hast-util-to-html';
import { cellKey, extractCells } from '../../src/cells/extract.ts';
import { transformCells } from '../../src/cells/remark-cells.ts';
import { hashSource } from '../../src/cells/hash.ts';

const lesson = [
  '---',
  'title: t',
  '---',
  '# Heading',
  '',
  '```js cell',
  'r = 4',
  '```',
  '',
  'Text with `inline` code.',
  '',
  '```js',
  'notACell = 1',
  '```',
  '',
  '````md',
  '```js cell',
  'insideAnotherFence = 1',
  '```',
  '````',
  '',
  '- item',
  '',
  '  ```js cell',
  '  viewof k = Inputs.range([1, 8], {step: 1})',
  '    indented()',
  '  ```',
  '',
  '~~~js cell extra words',
  '{',
  '  const s = "<b>&amp;</b>";',
  '  return s + r;',
  '}',
  '~~~',
  '',
  '```js cell',
  'function* ticks() { yield 1 }',
  '```',
].join('\n');

describe('extractCells', () => {
  const cells = extractCells(lesson);

  it('finds only `js cell` fences, in order, with indices and names', () => {
    expect(cells.map((c) => [c.index, c.name])).toEqual([
      [0, 'r'],
      [1, 'k'],
      [2, null],
      [3, 'ticks'],
    ]);
    expect(cells.map(cellKey)).toEqual(['r', 'k', '2', 'ticks']);
  });

  it('keeps the source exact, de-indented by the fence indentation', () => {
    expect(cells[0]?.source).toBe('r = 4');
    expect(cells[1]?.source).toBe('viewof k = Inputs.range([1, 8], {step: 1})\n  indented()');
    expect(cells[2]?.source).toBe('{\n  const s = "<b>&amp;</b>";\n  return s + r;\n}');
    expect(cells[0]?.line).toBe(6);
  });

  it('agrees with the Markdown parser the site uses (same cells, same source)', () => {
    const tree = fromMarkdown(lesson);
    const codes: string[] = [];
    const walk = (n: {
      type: string;
      lang?: string | null;
      meta?: string | null;
      value?: string;
      children?: unknown[];
    }): void => {
      if (n.type === 'code' && n.lang === 'js' && n.meta?.split(/\s+/)[0] === 'cell')
        codes.push(n.value ?? '');
      (n.children as (typeof n)[] | undefined)?.forEach(walk);
    };
    walk(tree);
    expect(codes).toEqual(cells.map((c) => c.source));
  });

  it('handles CRLF and an unclosed fence (runs to the end, as CommonMark does)', () => {
    expect(extractCells('```js cell\r\na = 1\r\n```\r\n').map((c) => c.source)).toEqual(['a = 1']);
    expect(extractCells('```js cell\na = 1\nb').map((c) => c.source)).toEqual(['a = 1\nb']);
    expect(extractCells('no cells here')).toEqual([]);
  });
});

describe('remarkCells', () => {
  it('replaces each cell with the agreed markup, escaping the source', () => {
    const tree = fromMarkdown(lesson);
    expect(transformCells(tree)).toBe(4);
    const html = toHtml(toHast(tree));
    const sections = html.match(/<section[^>]*>/g) ?? [];
    expect(sections).toHaveLength(4);
    expect(sections[0]).toContain('class="cell"');
    expect(sections[0]).toContain('data-cell="r"');
    expect(sections[0]).toContain('data-cell-index="0"');
    expect(sections[0]).toContain('data-state="pending"');
    expect(sections[0]).toContain(`data-source-hash="${hashSource('r = 4')}"`);
    expect(sections[0]).toMatch(/aria-label="Live cell 1: r"/);
    expect(sections[2]).toContain('data-cell="2"');
    expect(html).toContain('<pre class="cell-source"><code class="language-js">r = 4</code></pre>');
    expect(html).toContain('<div class="cell-output" aria-live="polite"></div>');
    expect(html).toContain('const s = "&#x3C;b>&#x26;amp;&#x3C;/b>";');
    expect(html).not.toContain('<b>');
    // Plain code blocks stay code blocks.
    expect(html).toContain('notACell = 1');
  });
});
