/**
 * The instructors' catalogue links each exercise to its heading in the lesson
 * (src/views/lesson-headings.ts): for every lesson of both editions, the anchor it computes must be
 * the id the lesson page has — the one Astro gives, with github-slugger over the lesson's
 * headings in document order. The ids here come from the site's own MDX pipeline
 * (astro.config.mjs's processor, with Astro's rehypeHeadingIds), not from a copy of its rule.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { isUnifiedProcessor, unified } from '@astrojs/markdown-remark';
import { describe, expect, it } from 'vitest';
import config from '../../astro.config.mjs';
import { extractCells } from '../../src/cells/extract.ts';
import { exercisesOf } from '../../src/cells/exercises/index.ts';
import { headingAbove, lessonHeadings } from '../../src/views/lesson-headings.ts';

const root = new URL('../../', import.meta.url);
const EDITIONS = [
  { lang: 'en', dir: new URL('lessons/', root) },
  { lang: 'ja', dir: new URL('lessons/ja/', root) },
] as const;

/** The ids a lesson page gives its headings, in document order, from the site's MDX pipeline. */
async function pageHeadingIds(): Promise<(path: URL, body: string) => Promise<string[]>> {
  const processor = config.markdown?.processor;
  if (processor === undefined || !isUnifiedProcessor(processor)) {
    throw new Error('astro.config.mjs no longer uses the unified Markdown processor');
  }
  let ids: string[] = [];
  // recma plugins run after rehypeHeadingIds, which leaves the headings on the file.
  const capture =
    () => (_tree: unknown, file: { data: { astro?: { headings?: { slug: string }[] } } }) => {
      ids = (file.data.astro?.headings ?? []).map((h) => h.slug);
    };
  const withCapture = unified({
    ...processor.options,
    recmaPlugins: [...processor.options.recmaPlugins, capture],
  });
  // The shared options as @astrojs/mdx gives them, less the highlighting (no heading in it).
  const renderer = await withCapture.createMdxRenderer?.(
    { syntaxHighlight: false },
    { optimize: false, srcDir: new URL('src/', root) },
  );
  if (renderer === undefined) throw new Error('the unified processor renders no MDX');
  return async (path, body) => {
    ids = [];
    await renderer.process(body, path.pathname, {});
    return ids;
  };
}

describe('lessonHeadings', () => {
  it('numbers a repeated heading as the page does, and skips lines in fenced code', () => {
    const body = [
      '## Exercises',
      '```py',
      '## not a heading',
      '```',
      '### 1. Count D (easy)',
      '~~~',
      '```',
      '# still code',
      '~~~',
      '## Exercises ##',
      '#### `r` and *α*',
    ].join('\n');
    expect(lessonHeadings(body)).toEqual([
      { line: 1, text: 'Exercises', id: 'exercises' },
      { line: 5, text: '1. Count D (easy)', id: '1-count-d-easy' },
      { line: 10, text: 'Exercises', id: 'exercises-1' },
      { line: 11, text: '`r` and *α*', id: 'r-and-α' },
    ]);
    expect(headingAbove(lessonHeadings(body), 5)?.id).toBe('exercises');
    expect(headingAbove(lessonHeadings(body), 1)).toBeNull();
  });
});

describe("the catalogue's links to exercises", () => {
  for (const { lang, dir } of EDITIONS) {
    it(`land on the exercise's heading in every ${lang} lesson`, async () => {
      const idsOf = await pageHeadingIds();
      const files = readdirSync(dir).filter((f) => f.endsWith('.mdx'));
      expect(files.length).toBeGreaterThan(0);
      for (const file of files) {
        const path = new URL(file, dir);
        const body = readFileSync(path, 'utf8').replace(/^---\r?\n[\s\S]*?\r?\n---\r?\n/, '');
        const slug = file.replace(/\.mdx$/, '');
        const pageIds = await idsOf(path, body);
        const headings = lessonHeadings(body);
        // The same headings in the same order, so the page's ids line up with the catalogue's.
        expect(
          headings.map((h) => h.text),
          `${lang}/${file}: headings`,
        ).toHaveLength(pageIds.length);
        const names = new Set(exercisesOf(slug, lang).map((e) => e.name));
        const exercises = extractCells(body).filter((c) => c.name !== null && names.has(c.name));
        expect(exercises.length, `${lang}/${file}: exercises`).toBeGreaterThanOrEqual(3);
        for (const cell of exercises) {
          const heading = headingAbove(headings, cell.line);
          expect(heading, `${lang}/${file}: ${String(cell.name)}`).not.toBeNull();
          if (heading === null) continue;
          expect(heading.id, `${lang}/${file}: ${heading.text}`).toBe(
            pageIds[headings.indexOf(heading)],
          );
        }
      }
    });
  }
});
