// @ts-check
/** The lessons as their files say, for the browser tests and the scripts (no build needed). */
import { readdirSync, readFileSync } from 'node:fs';

/**
 * The lessons as their files say: slug, title and order, sorted by order (drafts left out, as in
 * a production build).
 * @returns {{ slug: string, title: string, order: number }[]}
 */
export function lessonsFromSource() {
  const dir = new URL('../../lessons/', import.meta.url);
  return readdirSync(dir)
    .filter((name) => /\.mdx?$/.test(name))
    .map((name) => {
      const text = readFileSync(new URL(name, dir), 'utf8');
      const front = /^---\n([\s\S]*?)\n---/.exec(text)?.[1] ?? '';
      const field = (/** @type {string} */ key) =>
        new RegExp(`^${key}:\\s*(.*)$`, 'm').exec(front)?.[1]?.trim() ?? '';
      return {
        slug: name.replace(/\.mdx?$/, ''),
        title: field('title').replace(/^(['"])(.*)\1$/, '$2'),
        order: Number(field('order')),
        draft: field('draft') === 'true',
      };
    })
    .filter((lesson) => !lesson.draft)
    .map(({ slug, title, order }) => ({ slug, title, order }))
    .sort((a, b) => a.order - b.order);
}
