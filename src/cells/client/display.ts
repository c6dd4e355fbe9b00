/**
 * Shows a cell's value or error. DOM nodes are shown as they are (a slider, a plot, a table);
 * any other value goes through @observablehq/inspector (expandable objects and arrays). Errors
 * are shown inline with their line, as an alert, and removed when the cell next succeeds.
 */
import { Inspector } from '@observablehq/inspector';
import type { CellErrorInfo } from '../runtime.ts';
import { h } from './dom.ts';
import { documentLang, type Lang } from '../../lib/i18n.ts';
import { clientText, type ClientText } from './text.ts';

/** Text of the form's <label>, for controls in it that have no name of their own. */
function formLabel(control: Element, root: Element): string {
  const scope = control.closest('form') ?? root;
  return (scope.querySelector('label')?.textContent ?? '').trim();
}

/**
 * Gives every unnamed control a name. Observable Inputs label only the number box of a range
 * (its `<label for>`); the slider itself would have no accessible name. Controls inside a
 * `<label>`, or with `aria-label`/`aria-labelledby`/`id` referenced by a label, are left alone.
 */
export function nameUnlabelledControls(root: Element): void {
  const controls = root.matches('input, select, textarea')
    ? [root]
    : [...root.querySelectorAll('input, select, textarea')];
  for (const control of controls) {
    if (control.hasAttribute('aria-label') || control.hasAttribute('aria-labelledby')) continue;
    if (control.closest('label')) continue;
    const labels = [...root.querySelectorAll('label')];
    if (control.id !== '' && labels.some((l) => l.htmlFor === control.id)) continue;
    const text = formLabel(control, root);
    const type = control.getAttribute('type') ?? control.tagName.toLowerCase();
    control.setAttribute('aria-label', text === '' ? type : `${text} (${type})`);
  }
}

/**
 * Frees the Plotly plots among `plots` that have left the page. A responsive plot keeps a window
 * `resize` listener (and with it the whole plot) until `Plotly.purge`; without this every rerun of
 * a plotting cell kept its old plot alive (measured: +287 DOM nodes, +72 listeners per rerun).
 * Plotly is already loaded whenever a plot exists, so the import costs nothing then.
 */
function releasePlots(plots: readonly Element[]): void {
  if (plots.length === 0) return;
  void import('plotly.js-basic-dist-min').then((mod) => {
    const plotly = (mod.default ?? mod) as { purge?: (gd: Element) => void };
    for (const plot of plots) if (!plot.isConnected) plotly.purge?.(plot);
  });
}

export class CellDisplay {
  readonly #output: HTMLElement;
  readonly #error: HTMLElement;
  #inspectorNode: HTMLElement | null = null;
  #inspector: Inspector | null = null;
  readonly #text: ClientText['error'];

  /** `lang`: the language of an error's heading (default: the page's, `<html lang>`). */
  constructor(output: HTMLElement, error: HTMLElement, lang: Lang = documentLang()) {
    this.#output = output;
    this.#error = error;
    this.#text = clientText(lang).error;
  }

  value(value: unknown, name: string | null): void {
    this.clearError();
    if (value instanceof Element) nameUnlabelledControls(value);
    if (value instanceof Node) {
      if (value.parentNode !== this.#output || this.#output.childNodes.length !== 1) {
        const plots = [...this.#output.querySelectorAll('.js-plotly-plot')];
        this.#output.replaceChildren(value);
        releasePlots(plots);
      }
      this.#inspector = null;
      return;
    }
    if (
      !this.#inspector ||
      !this.#inspectorNode ||
      this.#inspectorNode.parentNode !== this.#output
    ) {
      this.#inspectorNode = h('div', { class: 'cell-inspector' });
      const plots = [...this.#output.querySelectorAll('.js-plotly-plot')];
      this.#output.replaceChildren(this.#inspectorNode);
      releasePlots(plots);
      this.#inspector = new Inspector(this.#inspectorNode);
    }
    this.#inspector.fulfilled(value, name);
  }

  error(info: CellErrorInfo): void {
    if (info.kind !== 'stopped') {
      const plots = [...this.#output.querySelectorAll('.js-plotly-plot')];
      this.#output.replaceChildren();
      releasePlots(plots);
    }
    const words = this.#text;
    const where = info.line === null ? '' : words.line(info.line);
    const title = {
      timeout: words.timeout,
      stopped: '',
      syntax: words.syntax,
      runtime: words.runtime,
    }[info.kind];
    this.#error.replaceChildren(
      ...(title === '' ? [] : [h('strong', {}, title), words.gap]),
      h('span', { class: 'cell-error-message' }, ...messageParts(`${where}${info.message}`, info)),
    );
    if (info.line !== null) this.#error.dataset.line = String(info.line);
    else delete this.#error.dataset.line;
    this.#error.hidden = false;
  }

  clearError(): void {
    this.#error.replaceChildren();
    delete this.#error.dataset.line;
    this.#error.hidden = true;
  }
}

/** An error's text, with the name of the cell it comes from (if another) as code. */
function messageParts(text: string, info: CellErrorInfo): (string | Node)[] {
  if (info.failedCell === undefined) return [text];
  const mark = `\`${info.failedCell}\``;
  const at = text.indexOf(mark);
  if (at < 0) return [text];
  return [text.slice(0, at), h('code', {}, info.failedCell), text.slice(at + mark.length)];
}
