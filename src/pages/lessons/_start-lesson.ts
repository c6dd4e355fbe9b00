/**
 * Browser entry of a lesson page: finds `[data-lesson-root]` and hands it to the cell runtime's
 * `mountLesson` (src/cells/client/mount.ts). The runtime is a dynamic import, so the lesson's text
 * shows before the editor, the Observable runtime and their CSS have loaded.
 */
export async function startLesson(): Promise<void> {
  const root = document.querySelector<HTMLElement>('[data-lesson-root]');
  if (root === null) return;
  const slug = root.dataset.lessonSlug ?? '';
  const version = root.dataset.lessonVersion ?? '';
  try {
    const { mountLesson } = await import('../../cells/client/mount.ts');
    await mountLesson(root, { slug, version });
    root.dataset.mount = 'done';
  } catch (error: unknown) {
    root.dataset.mount = 'failed';
    const message = error instanceof Error ? error.message : String(error);
    const note = document.createElement('p');
    note.className = 'mount-error';
    note.setAttribute('role', 'alert');
    note.textContent = `The live cells could not start (${message}). The code above each cell is still the lesson's code; reload the page to try again.`;
    (document.querySelector('[data-lesson-toolbar]') ?? root).append(note);
    throw error;
  }
}
