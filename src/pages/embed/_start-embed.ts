/**
 * Browser entry of an embed page: hands `[data-embed-root]` to the cell runtime's `mountEmbed`
 * (src/cells/client/embed.ts), loaded as a dynamic import so the cell's code shows first. Its
 * message, when the runtime cannot start, is in the page's edition (`<html lang>`).
 */
import { documentLang } from '../../lib/i18n.ts';
import { embedText } from '../../views/embed-text.ts';

export async function startEmbed(): Promise<void> {
  const root = document.querySelector<HTMLElement>('[data-embed-root]');
  if (root === null) return;
  try {
    const { mountEmbed } = await import('../../cells/client/embed.ts');
    await mountEmbed(root);
    root.dataset.mount = 'done';
  } catch (error: unknown) {
    root.dataset.mount = 'failed';
    const message = error instanceof Error ? error.message : String(error);
    const note = document.createElement('p');
    note.className = 'mount-error';
    note.setAttribute('role', 'alert');
    note.textContent = embedText(documentLang()).startFailed(message);
    root.prepend(note);
    throw error;
  }
}
