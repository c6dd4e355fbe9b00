/**
 * When a lesson page loads the cell runtime (issue 11). The runtime (editor, Observable runtime
 * and parser: ~420 KB) took 0.3–0.9 s of a phone's main thread at load, although on most lessons
 * no cell is on the first screen. A reader's page now loads it when it is needed:
 *
 * - at once when the page is tested or asked to run everything (`?test=1`, `?cells=all`, no
 *   IntersectionObserver), opens a share link (`#share=`), or holds the reader's stored edits for
 *   this lesson (the editor must show them, not the lesson's code);
 * - otherwise when a cell comes within three quarters of a screen of the viewport (ready before
 *   a cell opens at half a screen), when the reader presses the lesson bar's
 *   **Run all cells** (a stand-in button until the runtime's own bar replaces it), or when the
 *   reader focuses anything inside the lesson (keyboard users tabbing towards a cell).
 *
 * Until then each cell's code is the server's `<pre>`, readable and selectable.
 * This file must stay small: it is in the page's first-load JavaScript.
 */
import type { Lang } from '../../lib/i18n.ts';
import { isLessonEditKey } from '../persist.ts';
import { shouldRunLazily } from './open-on-view.ts';
import { RUN_ALL_TEXT } from './run-all-text.ts';

/** What the page knows before anything is loaded. */
export interface StartSignals {
  readonly search: string;
  readonly hash: string;
  /** Whether the reader has stored edits for this lesson. */
  readonly hasEdits: boolean;
}

/** Why the runtime must load at once, or null when it can wait for the reader. */
export function startAtOnceReason(s: StartSignals): string | null {
  if (!shouldRunLazily(s.search)) return 'every cell runs at once';
  if (s.hash.startsWith('#share=')) return 'share link';
  if (s.hasEdits) return 'stored edits';
  return null;
}

/**
 * Whether localStorage holds an edit of the lesson (any format, kept ones included; edits are
 * keyed by cell identity, not position, so `count` is no longer needed; false if unreadable).
 */
export function hasStoredEdits(slug: string, _count: number, storage: () => Storage): boolean {
  try {
    const s = storage();
    for (let i = 0; i < s.length; i++) if (isLessonEditKey(s.key(i) ?? '', slug)) return true;
  } catch {
    // Storage off: there is nothing stored to show.
  }
  return false;
}

/** How the runtime was asked for. */
export interface StartRequest {
  /** Why it starts (for the page's `data-mount-trigger`). */
  readonly trigger: string;
  /** The reader pressed the stand-in "Run all cells". */
  readonly runAll: boolean;
}

/** Margin around the viewport within which a cell starts the runtime (0.75 screen ahead; cells open at 0.5). */
export const START_MARGIN = '75% 0px 75% 0px';

/**
 * Resolves when the runtime should load: at once (see `startAtOnceReason`), or at the first sign
 * that the reader needs it. `toolbar` gets a stand-in "Run all cells" button meanwhile, in the
 * page's edition `lang`; it is removed before the promise resolves.
 */
export function whenNeeded(
  root: HTMLElement,
  toolbar: HTMLElement | null,
  signals: StartSignals,
  lang: Lang = 'en',
): Promise<StartRequest> {
  const now = startAtOnceReason(signals);
  if (now !== null) return Promise.resolve({ trigger: now, runAll: false });
  return new Promise((resolve) => {
    const cleanups: (() => void)[] = [];
    let done = false;
    const start = (trigger: string, runAll = false): void => {
      if (done) return;
      done = true;
      for (const cleanup of cleanups) cleanup();
      resolve({ trigger, runAll });
    };
    const sections = root.querySelectorAll('section.cell');
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting)) start('cell near the viewport');
      },
      { rootMargin: START_MARGIN },
    );
    for (const section of sections) observer.observe(section);
    cleanups.push(() => {
      observer.disconnect();
    });
    const onFocus = (): void => {
      start('focus in the lesson');
    };
    root.addEventListener('focusin', onFocus);
    cleanups.push(() => {
      root.removeEventListener('focusin', onFocus);
    });
    if (toolbar !== null && sections.length > 0) {
      const runAll = document.createElement('button');
      runAll.type = 'button';
      runAll.textContent = RUN_ALL_TEXT[lang].label;
      runAll.title = RUN_ALL_TEXT[lang].title;
      runAll.dataset.standIn = '';
      runAll.addEventListener('click', () => {
        start('Run all cells', true);
      });
      toolbar.append(runAll);
      cleanups.push(() => {
        runAll.remove();
      });
    }
  });
}
