/**
 * The lesson-level controls: "Run all cells" (when cells run only as the reader reaches them),
 * "Reset all", "Share" (with the link shown for copying), a status
 * line for notices such as storage failures, and the banner that holds shared code until the
 * reader agrees to run it.
 */
import { button, h } from './dom.ts';

export interface LessonBarOptions {
  readonly container: HTMLElement;
  readonly helpId: string;
  readonly onResetAll: () => void;
  readonly onShare: () => void;
  /** Given when cells wait for the reader: adds "Run all cells", which starts every one now. */
  readonly onRunAll?: () => void;
}

export class LessonBar {
  readonly #status: HTMLElement;
  readonly #banner: HTMLElement;
  readonly #link: HTMLElement;

  constructor(options: LessonBarOptions) {
    const help = h(
      'p',
      { id: options.helpId, class: 'cells-visually-hidden' },
      'Shift+Enter runs the cell. Tab moves out of the editor.',
    );
    this.#status = h('p', { class: 'cells-lesson-status', role: 'status', 'aria-live': 'polite' });
    this.#link = h('div', { class: 'cells-share-link', hidden: true });
    this.#banner = h('div', { class: 'cells-banner', hidden: true });
    const { onRunAll } = options;
    const runAll: HTMLButtonElement[] = [];
    if (onRunAll !== undefined) {
      const b = button(
        'Run all cells',
        () => {
          onRunAll();
          b.disabled = true;
        },
        { title: 'Run every cell now, instead of each one as you scroll to it' },
      );
      runAll.push(b);
    }
    const controls = h(
      'div',
      { class: 'cells-lesson-controls', role: 'group', 'aria-label': 'Lesson cells' },
      ...runAll,
      button('Reset all', options.onResetAll, { title: "Restore every cell's original code" }),
      button('Share', options.onShare, { title: 'Make a link that carries your edited cells' }),
    );
    options.container.append(controls, this.#link, this.#status, this.#banner, help);
  }

  /** Shows a short notice (or clears it with ''). */
  status(text: string): void {
    this.#status.textContent = text;
  }

  /** Shows a share link, ready to copy. */
  showLink(url: string, note: string): void {
    const field = h('input', {
      type: 'text',
      readonly: true,
      value: url,
      'aria-label': 'Share link',
      class: 'cells-share-url',
    });
    field.addEventListener('focus', () => {
      field.select();
    });
    this.#link.replaceChildren(h('label', {}, note, ' ', field));
    this.#link.hidden = false;
  }

  /** Shows the shared-code banner (or hides it with null). */
  banner(content: (Node | string)[] | null): void {
    if (content === null) {
      this.#banner.replaceChildren();
      this.#banner.hidden = true;
      return;
    }
    this.#banner.replaceChildren(...content);
    this.#banner.hidden = false;
  }
}
