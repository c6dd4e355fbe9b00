/**
 * Shows a cell's value or error. DOM nodes are shown as they are (a slider, a plot, a table);
 * any other value goes through @observablehq/inspector (expandable objects and arrays). Errors
 * are shown inline with their line, as an alert, and removed when the cell next succeeds.
 */
import { Inspector } from '@observablehq/inspector';
import type { CellErrorInfo } from '../runtime.ts';
import { h } from './dom.ts';

export class CellDisplay {
  readonly #output: HTMLElement;
  readonly #error: HTMLElement;
  #inspectorNode: HTMLElement | null = null;
  #inspector: Inspector | null = null;

  constructor(output: HTMLElement, error: HTMLElement) {
    this.#output = output;
    this.#error = error;
  }

  value(value: unknown, name: string | null): void {
    this.clearError();
    if (value instanceof Node) {
      if (value.parentNode !== this.#output || this.#output.childNodes.length !== 1) {
        this.#output.replaceChildren(value);
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
      this.#output.replaceChildren(this.#inspectorNode);
      this.#inspector = new Inspector(this.#inspectorNode);
    }
    this.#inspector.fulfilled(value, name);
  }

  error(info: CellErrorInfo): void {
    if (info.kind !== 'stopped') this.#output.replaceChildren();
    const where = info.line === null ? '' : `Line ${String(info.line)}: `;
    const title = {
      timeout: 'Runaway loop.',
      stopped: '',
      syntax: 'Syntax error.',
      runtime: 'Error.',
    }[info.kind];
    this.#error.replaceChildren(
      ...(title === '' ? [] : [h('strong', {}, title), ' ']),
      h('span', { class: 'cell-error-message' }, `${where}${info.message}`),
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
