/**
 * The headings of a lesson's Markdown, with the ids its page gives them, for the instructors'
 * catalogue: a demo is titled by the heading it sits under, an exercise links to its heading.
 *
 * Astro gives every heading of a lesson an id with github-slugger (rehypeHeadingIds in
 * @astrojs/markdown-remark): one `Slugger` per lesson, fed the headings in document order, so a
 * repeated heading gets "-1", "-2". Here the same: one Slugger over the ATX headings outside
 * fenced code, in order, each slugged from its text as written. For plain headings that gives
 * the page's ids (backticks, `*`, `$` and quotes, straight or curly, are dropped by the slug
 * either way); a heading with a link, `_emphasis_` or maths would get another id on the page.
 * test/unit/lesson-headings.test.ts checks every exercise's anchor against the ids that Astro's
 * own pipeline gives.
 */
import GithubSlugger from 'github-slugger';

/** A heading of a lesson's Markdown. */
export interface LessonHeading {
  /** 1-based line of the heading in the text it was found in. */
  readonly line: number;
  /** Its text as written, without the `#`s. */
  readonly text: string;
  /** The id the lesson page gives it. */
  readonly id: string;
}

const HEADING = /^#{1,6}\s+(.+?)\s*#*\s*$/;
const FENCE = /^ {0,3}(`{3,}|~{3,})(.*)$/;

/** The ATX headings of a lesson's Markdown (outside fenced code), in document order, with ids. */
export function lessonHeadings(markdown: string): LessonHeading[] {
  const slugger = new GithubSlugger();
  const headings: LessonHeading[] = [];
  let fence: string | null = null; // the opening fence's marker, while inside fenced code
  for (const [i, line] of markdown.replace(/\r\n?/g, '\n').split('\n').entries()) {
    const [, marker = '', info = ''] = FENCE.exec(line) ?? [];
    if (fence !== null) {
      // Closed by a marker of the same character, at least as long, with nothing after it.
      const closes = marker.startsWith(fence.charAt(0)) && marker.length >= fence.length;
      if (closes && info.trim() === '') fence = null;
    } else if (marker !== '' && !(marker.startsWith('`') && info.includes('`'))) {
      fence = marker; // (a backtick fence's info string has no backtick, else it is no fence)
    } else {
      const text = HEADING.exec(line)?.[1];
      if (text) headings.push({ line: i + 1, text, id: slugger.slug(text) });
    }
  }
  return headings;
}

/** The heading nearest above a 1-based line (a cell's fence), or null when none is. */
export function headingAbove(
  headings: readonly LessonHeading[],
  line: number,
): LessonHeading | null {
  return headings.findLast((h) => h.line < line) ?? null;
}
