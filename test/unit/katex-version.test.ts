/**
 * The KaTeX stylesheet a lesson page loads must come from the same KaTeX version that rendered
 * its formulas at build time (rehype-katex's own `katex`): the HTML's classes and the CSS's rules
 * change between versions, and a mismatch draws "≠" as "/=" and the transpose mark as a bar
 * (issue 25).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const LESSON_PAGE = new URL('../../src/views/LessonPage.astro', import.meta.url);
const STYLESHEET = 'katex/dist/katex.min.css';

/** The version of the `katex` that rehype-katex (the build's renderer) imports. */
async function renderingVersion(): Promise<string> {
  const rehypeKatex = fileURLToPath(import.meta.resolve('rehype-katex'));
  const katexMain = createRequire(rehypeKatex).resolve('katex');
  const katex = (await import(pathToFileURL(katexMain).href)) as {
    default: { version: string };
  };
  return katex.default.version;
}

/** The version written into the stylesheet the lesson page imports (`.katex-version::after`). */
function stylesheetVersion(): string {
  const css = readFileSync(createRequire(fileURLToPath(LESSON_PAGE)).resolve(STYLESHEET), 'utf8');
  const match = /\.katex-version:{1,2}after\s*\{\s*content\s*:\s*"([^"]+)"/.exec(css);
  if (!match?.[1]) throw new Error(`${STYLESHEET} names no version`);
  return match[1];
}

describe('KaTeX', () => {
  it('the lesson page imports the stylesheet this test reads', () => {
    expect(readFileSync(LESSON_PAGE, 'utf8')).toContain(`import '${STYLESHEET}'`);
  });

  it('the stylesheet is the version that rendered the formulas', async () => {
    expect(stylesheetVersion()).toBe(await renderingVersion());
  });
});
