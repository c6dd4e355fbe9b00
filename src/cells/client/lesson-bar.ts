/**
 * The lesson-level controls: "Run all cells" (when cells run only as the reader reaches them),
 * "Reset all", "Share" (with the link shown for copying), a status
 * line for notices such as storage failures, the banner that holds shared code until the
 * reader agrees to run it, and "Earlier edits": edits kept in this browser that no cell holds
 * (each with its code, Copy and Forget), so that no edit is ever lost from sight.
 */
import { button, h } from './dom.ts';
import { documentLang, type Lang } from '../../lib/i18n.ts';
import { clientText, type ClientText } from './text.ts';

/** One kept edit, as the lesson bar lists it. */
export interface KeptItem {
  /** Which cell it was, and when it was saved. */
  readonly label: string;
  readonly source: string;
  /** Deletes it from storage (the reader pressed Forget). */
  readonly forget: () => void;
}

export interface LessonBarOptions {
  readonly container: HTMLElement;
  readonly helpId: string;
  /** The language of its words (client/text.ts). Default: the page's, `<html lang>`. */
  readonly lang?: Lang;
  readonly onResetAll: () => void;
  readonly onShare: () => void;
  /** Given when cells wait for the reader: adds "Run all cells", which starts every one now. */
  readonly onRunAll?: () => void;
}

export class LessonBar {
  readonly #status: HTMLElement;
  readonly #banner: HTMLElement;
  readonly #link: HTMLElement;
  readonly #kept: HTMLDetailsElement;
  readonly #text: ClientText['bar'];

  constructor(options: LessonBarOptions) {
    const text = clientText(options.lang ?? documentLang()).bar;
    this.#text = text;
    const help = h('p', { id: options.helpId, class: 'cells-visually-hidden' }, text.help);
    this.#status = h('p', { class: 'cells-lesson-status', role: 'status', 'aria-live': 'polite' });
    this.#link = h('div', { class: 'cells-share-link', hidden: true });
    this.#banner = h('div', { class: 'cells-banner', hidden: true });
    this.#kept = h('details', { class: 'cells-kept', hidden: true });
    const { onRunAll } = options;
    const runAll: HTMLButtonElement[] = [];
    if (onRunAll !== undefined) {
      const b = button(
        text.runAll,
        () => {
          onRunAll();
          b.disabled = true;
        },
        { title: text.runAllTitle },
      );
      runAll.push(b);
    }
    const controls = h(
      'div',
      { class: 'cells-lesson-controls', role: 'group', 'aria-label': text.group },
      ...runAll,
      button(text.resetAll, options.onResetAll, { title: text.resetAllTitle }),
      button(text.share, options.onShare, { title: text.shareTitle }),
    );
    options.container.append(controls, this.#link, this.#status, this.#banner, this.#kept, help);
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
      'aria-label': this.#text.shareLink,
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

  /** Lists the kept edits (hidden when there are none). */
  kept(items: readonly KeptItem[]): void {
    if (items.length === 0) {
      this.#kept.replaceChildren();
      this.#kept.hidden = true;
      return;
    }
    const open = this.#kept.open;
    const text = this.#text;
    const rows = items.map((item) => {
      const code = h('textarea', {
        readonly: true,
        rows: String(Math.min(8, item.source.split('\n').length)),
        'aria-label': text.keptCode(item.label),
        class: 'cells-kept-code',
      });
      code.value = item.source;
      return h(
        'li',
        {},
        h('p', {}, item.label),
        code,
        button(text.copy, () => {
          code.select();
          // Selected for Ctrl+C where the clipboard is not allowed (or absent, as in jsdom).
          const clip = navigator.clipboard as Clipboard | undefined;
          void clip?.writeText(item.source).catch(() => undefined);
        }),
        button(text.forget, item.forget, { title: text.forgetTitle }),
      );
    });
    this.#kept.replaceChildren(
      h('summary', {}, text.keptSummary(items.length)),
      h('ul', {}, ...rows),
    );
    this.#kept.open = open;
    this.#kept.hidden = false;
  }
}
