/**
 * Browser entry of a lesson page: finds `[data-lesson-root]` and hands it to the cell runtime's
 * `mountLesson` (src/cells/client/mount.ts). The runtime is a dynamic import, loaded only when the
 * reader needs it (src/cells/client/start-when-needed.ts): at once under tests, with a share link
 * or stored edits; otherwise when a cell nears the viewport, on "Run all cells", or on focus in
 * the lesson. The lesson's text and each cell's code (the server's `<pre>`) show without it.
 */
import { hasStoredEdits, whenNeeded } from '../../cells/client/start-when-needed.ts';
import { editionKey, isLang, type Lang } from '../../lib/i18n.ts';

/** What the page says when the runtime fails to load or mount (`message`: the error's). */
const MOUNT_FAILED: Readonly<Record<Lang, (message: string) => string>> = {
  en: (message) =>
    `The live cells could not start (${message}). The code above each cell is still the lesson's code; reload the page to try again.`,
  ja: (message) =>
    `ライブセルを開始できませんでした（${message}）。各セルに表示しているコードはレッスンのコードのままです。もう一度試すには、ページを再読み込みしてください。`,
};

export async function startLesson(): Promise<void> {
  const root = document.querySelector<HTMLElement>('[data-lesson-root]');
  if (root === null) return;
  const slug = root.dataset.lessonSlug ?? '';
  const version = root.dataset.lessonVersion ?? '';
  const lang = isLang(root.dataset.lessonLang) ? root.dataset.lessonLang : 'en';
  const count = root.querySelectorAll('section.cell').length;
  root.dataset.mount = 'waiting';
  const request = await whenNeeded(
    root,
    document.querySelector('[data-lesson-toolbar]'),
    {
      search: location.search,
      hash: location.hash,
      hasEdits: hasStoredEdits(editionKey(slug, lang), count, () => window.localStorage),
    },
    lang,
  );
  root.dataset.mountTrigger = request.trigger;
  root.dataset.mount = 'loading';
  // The stand-in "Run all cells" button is gone now; if the reader pressed it, focus fell to the
  // page. Give it back to the lesson's toolbar (or the first cell) once the cells exist.
  const focusLost = request.runAll && document.activeElement === document.body;
  try {
    const { mountLesson } = await import('../../cells/client/mount.ts');
    await mountLesson(root, { slug, lang, version, runAll: request.runAll });
    root.dataset.mount = 'done';
    if (focusLost && document.activeElement === document.body) focusLesson(root);
  } catch (error: unknown) {
    root.dataset.mount = 'failed';
    const message = error instanceof Error ? error.message : String(error);
    const note = document.createElement('p');
    note.className = 'mount-error';
    note.setAttribute('role', 'alert');
    note.textContent = MOUNT_FAILED[lang](message);
    (document.querySelector('[data-lesson-toolbar]') ?? root).append(note);
    throw error;
  }
}

/** Moves keyboard focus into the lesson: its toolbar's first button, else the first cell. */
function focusLesson(root: HTMLElement): void {
  const button = document.querySelector<HTMLElement>('[data-lesson-toolbar] button');
  const cell = root.querySelector<HTMLElement>('section.cell');
  const target = button ?? cell;
  if (target === null) return;
  if (target === cell && !cell.hasAttribute('tabindex')) cell.tabIndex = -1;
  target.focus();
}
