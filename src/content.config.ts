/**
 * Content collections. Lessons are MDX/Markdown files in `lessons/`; their front-matter is checked
 * here at build time, so a lesson with a missing or malformed field fails the build with the field
 * named. Prerequisites must name existing lessons: `src/lib/lessons.ts` checks that across the
 * whole collection (a schema sees one entry at a time).
 */
import { defineCollection } from 'astro:content';
import { glob } from 'astro/loaders';
import { z } from 'astro/zod';

/** A lesson slug: the file name without extension, lowercase words joined by hyphens. */
export const lessonSlug = z
  .string()
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'a lesson slug is lowercase words joined by hyphens');

/** The front-matter every lesson carries. */
export const lessonSchema = z.strictObject({
  /** Shown as the page's heading and in the lesson list. */
  title: z.string().min(1),
  /** One or two sentences for the lesson list and the page's meta description. */
  description: z.string().min(1).max(300),
  /** Position in the course (1, 2, …); lessons are listed and linked in this order. */
  order: z.int().positive(),
  /** Estimated reading-and-running time, in whole minutes. */
  minutes: z.int().positive().max(240),
  /** Slugs of lessons to read first. */
  prerequisites: z.array(lessonSlug).default([]),
  /** A draft is built in development only, never listed or published. */
  draft: z.boolean().optional(),
});

/** The English lessons: `lessons/<slug>.mdx`. */
const lessons = defineCollection({
  loader: glob({ pattern: '*.{md,mdx}', base: './lessons' }),
  schema: lessonSchema,
});

/**
 * The Japanese edition: `lessons/ja/<slug>.mdx`, the same slugs (docs/japanese-edition.md;
 * test/site/editions.test.ts keeps the two in step).
 */
const lessonsJa = defineCollection({
  loader: glob({ pattern: '*.{md,mdx}', base: './lessons/ja' }),
  schema: lessonSchema,
});

export const collections = { lessons, lessonsJa };
