/**
 * The English and Japanese editions of every lesson kept in step (docs/japanese-edition.md): both
 * exist, their front-matter agrees, their sections have the same structure, and their cells are
 * the same program (only comments and reader-visible text, translated into Japanese, may differ).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  compareCellCode,
  compareCells,
  compareFrontMatter,
  compareSections,
  markup,
  numbersIn,
} from './editions/compare.ts';

const root = join(import.meta.dirname, '..', '..');
const en = join(root, 'lessons');
const ja = join(en, 'ja');
const slugsIn = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.mdx'))
    .map((f) => f.replace(/\.mdx$/, ''))
    .sort();

const english = slugsIn(en);
const japanese = slugsIn(ja);
const read = (dir: string, slug: string) => readFileSync(join(dir, `${slug}.mdx`), 'utf8');

describe('every lesson has both editions', () => {
  it('the same lessons in lessons/ and lessons/ja/', () => {
    expect(japanese, 'lessons/ja/ must hold a Japanese edition of each lesson').toEqual(english);
  });
});

describe.each(japanese.filter((s) => english.includes(s)))('%s: the editions agree', (slug) => {
  const a = read(en, slug);
  const b = read(ja, slug);
  it('front-matter (order, minutes, prerequisites equal; title and description in Japanese)', () => {
    expect(compareFrontMatter(a, b)).toEqual([]);
  });
  it('sections: the same headings at the same levels, in order', () => {
    expect(compareSections(a, b)).toEqual([]);
  });
  it('cells: the same cells, in order, running the same program', () => {
    expect(compareCells(a, b)).toEqual([]);
  });
});

describe('the comparison can fail', () => {
  it('a renamed variable, a translated data value, changed markup', () => {
    expect(compareCellCode('x = a + 1', 'x = b + 1')).toHaveLength(1);
    expect(compareCellCode('m = "lora"', 'm = "ローラ"')).toEqual([]);
    expect(compareCellCode('m = "lora"', 'm = "full"')[0]).toContain('not Japanese');
    expect(compareCellCode('s = "."', 's = "。"')).toEqual([]);
    expect(
      compareCellCode(
        'html`<p class="a">Hello ${x}</p>`',
        'html`<p class="b">こんにちは ${x}</p>`',
      )[0],
    ).toContain('markup');
    expect(compareCellCode('html`<p>Hi ${x}</p>`', 'html`<p>やあ ${y}</p>`')).toHaveLength(1);
  });
  it('translated text, visible attributes and comments are allowed', () => {
    expect(
      compareCellCode(
        '// a comment\nhtml`<a title="Open" href=${u}>open it</a>`',
        '// コメント\nhtml`<a title="開く" href=${u}>開く</a>`',
      ),
    ).toEqual([]);
  });
  it('markup is tracked across a ${…} inside a tag or a visible value', () => {
    const open = markup('<a download=');
    expect(open.skeleton).toBe('<a download=');
    expect(markup('>text</a>', open.state).skeleton).toBe('></a>');
    const label = markup('<table aria-label="Table of ');
    expect(label.skeleton).toBe('<table aria-label="');
    expect(markup('">rows</table>', label.state).skeleton).toBe('"></table>');
    expect(
      compareCellCode(
        'html`<table aria-label="Table of ${m}">x</table>`',
        'html`<table aria-label="${m}の表">x</table>`',
      ),
    ).toEqual([]);
  });
  it('sections and front-matter differences are named', () => {
    const head = (order: number, title: string) =>
      `---\ntitle: ${title}\ndescription: ${title}\norder: ${String(order)}\nminutes: 5\nprerequisites: []\n---\n`;
    expect(compareFrontMatter(head(1, 'A'), head(2, 'ア'))).toEqual([
      'front-matter order: English 1, Japanese 2',
    ]);
    expect(compareFrontMatter(head(1, 'A'), head(1, 'A'))).toHaveLength(2);
    expect(compareSections('## A\n### B\n', '## ア\n## イ\n')[0]).toContain('level 3 in English');
    expect(compareSections('## A\n```md\n## not a heading\n```\n', '## ア\n')).toEqual([]);
    expect(
      compareCells('```js cell\nx = 1\n```\n', '```js cell\nx = 1\n```\n```js cell\ny = 2\n```\n'),
    ).toEqual(['1 cells in English, 2 in Japanese']);
  });
  it('numbers are read as the claims check compares them', () => {
    expect(numbersIn('89.6% of 2,379 sentences, 3 seeds')).toEqual(['2379', '3', '89.6']);
  });
});
