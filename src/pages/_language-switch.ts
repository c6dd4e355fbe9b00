/**
 * The language switch's behaviour in the page (components/LanguageSwitch.astro): remember the
 * choice, and carry the reader's place in a lesson to the other edition as `#section-N`. The two
 * editions' lessons have the same sections in the same order (test/site/editions.test.ts), so the
 * N-th heading of one is the N-th of the other; ids differ (they come from each edition's words).
 */
import { isLang, LANG_STORAGE_KEY } from '../lib/i18n.ts';

/** The lesson's own headings (not those inside cells' output), in document order. */
export function sectionHeadings(root: ParentNode): HTMLElement[] {
  return [
    ...root.querySelectorAll<HTMLElement>(
      ':scope > h2, :scope > h3, :scope > h4, :scope > h5, :scope > h6',
    ),
  ];
}

/**
 * The 1-based index of the section the reader is in: the last heading at or above `line` px from
 * the viewport's top; null above the first heading.
 */
export function currentSection(headings: readonly HTMLElement[], line: number): number | null {
  let found: number | null = null;
  headings.forEach((heading, i) => {
    if (heading.getBoundingClientRect().top <= line) found = i + 1;
  });
  return found;
}

const SECTION_HASH = /^#section-(\d+)$/;

/** How long the page must rest (no scrolling) for its position to count as being read. */
export const REST_MS = 800;

/**
 * Follows which section the reader is reading. The switch is in the page's header, so a reader
 * scrolls back up to reach it: the place that counts is where the page last rested for
 * {@link REST_MS} with the header out of view, not where it is at the click. Returns the tracker.
 */
export function trackReading(
  root: ParentNode,
  header: Element | null,
): { section: () => number | null } {
  let rested: number | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const note = (): void => {
    if (header !== null && header.getBoundingClientRect().bottom > 0) return;
    rested = currentSection(sectionHeadings(root), window.innerHeight / 3);
  };
  const restart = (): void => {
    clearTimeout(timer);
    timer = setTimeout(note, REST_MS);
  };
  addEventListener('scroll', restart, { passive: true });
  // The reader may have scrolled before this script ran (a slow connection): count that too.
  restart();
  return {
    section: () => rested ?? currentSection(sectionHeadings(root), window.innerHeight / 3),
  };
}

let tracker: { section: () => number | null } | null = null;

/** Starts following the reader's place (a lesson page, once). */
export function followReading(): void {
  const root = document.querySelector('[data-lesson-root]');
  if (root && tracker === null)
    tracker = trackReading(root, document.querySelector('.site-header'));
}

/** Click handler of the switch: remembers the edition and adds the section being read. */
export function switchLanguage(link: HTMLAnchorElement): void {
  const target = link.dataset.languageSwitch;
  try {
    if (isLang(target)) localStorage.setItem(LANG_STORAGE_KEY, target);
  } catch {
    // Storage can be blocked: the switch still works, the choice is not remembered.
  }
  const section = tracker?.section() ?? null;
  if (section === null) return;
  const url = new URL(link.href);
  url.hash = `section-${String(section)}`;
  // Modified clicks (new tab, new window) keep the browser's own handling, with the new hash.
  link.href = url.href;
}

/**
 * On a lesson page opened as `…#section-N` (from the switch), scrolls to the N-th section and
 * puts that heading's real id in the address bar.
 */
export function restoreSection(root: ParentNode): void {
  const match = SECTION_HASH.exec(location.hash);
  if (!match) return;
  const heading = sectionHeadings(root)[Number(match[1]) - 1];
  if (!heading) return;
  if (heading.id !== '') history.replaceState(history.state, '', `#${heading.id}`);
  heading.scrollIntoView({ block: 'start' });
  heading.setAttribute('tabindex', '-1');
  heading.focus({ preventScroll: true });
  keepInPlace(heading, root);
}

/** How long after arriving the heading is held at the top while the page above it settles. */
const SETTLE_MS = 10_000;

/**
 * Cells above the heading render their outputs after the page loads, and the lesson grows above
 * the reader. Until the reader scrolls (wheel, touch, keys) or {@link SETTLE_MS} pass, each
 * change of the lesson's size puts the heading back at the top.
 */
function keepInPlace(heading: HTMLElement, root: ParentNode): void {
  if (!(root instanceof Element) || typeof ResizeObserver === 'undefined') return;
  const observer = new ResizeObserver(() => {
    if (Math.abs(heading.getBoundingClientRect().top) > 2)
      heading.scrollIntoView({ block: 'start' });
  });
  const stop = (): void => {
    observer.disconnect();
    for (const type of ['wheel', 'touchstart', 'keydown', 'pointerdown'] as const) {
      removeEventListener(type, stop);
    }
  };
  for (const type of ['wheel', 'touchstart', 'keydown', 'pointerdown'] as const) {
    addEventListener(type, stop, { passive: true, once: true });
  }
  observer.observe(root);
  setTimeout(stop, SETTLE_MS);
}
