/**
 * Browser entry of a lesson page: finds `[data-lesson-root]` and hands it to the cell runtime's
 * `mountLesson`. The runtime is loaded through `import.meta.glob`, so the page still builds (with
 * cells shown as readable, un-run code) while src/cells is absent.
 */
type MountLesson = (root: HTMLElement, opts: { slug: string; version: string }) => Promise<void>;

const runtimes = import.meta.glob<MountLesson>('/src/cells/client/mount.ts', {
  import: 'mountLesson',
});

export async function startLesson(): Promise<void> {
  const root = document.querySelector<HTMLElement>('[data-lesson-root]');
  if (root === null) return;
  const slug = root.dataset.lessonSlug ?? '';
  const version = root.dataset.lessonVersion ?? '';
  const load = runtimes['/src/cells/client/mount.ts'];
  if (load === undefined) {
    root.dataset.mount = 'unavailable';
    return;
  }
  try {
    const mountLesson = await load();
    await mountLesson(root, { slug, version });
    root.dataset.mount = 'done';
  } catch (error: unknown) {
    root.dataset.mount = 'failed';
    const message = error instanceof Error ? error.message : String(error);
    const toolbar = document.querySelector('[data-lesson-toolbar]');
    const note = document.createElement('p');
    note.className = 'mount-error';
    note.setAttribute('role', 'alert');
    note.textContent = `The live cells could not start: ${message}`;
    (toolbar ?? root).append(note);
    throw error;
  }
}
