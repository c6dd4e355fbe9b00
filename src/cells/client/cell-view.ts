/**
 * The page side of one live cell: turns the server markup (section.cell > pre + div.cell-output)
 * into an editor, a toolbar (Run, Stop, Reset, status) and an output, and keeps the root's
 * `data-state` in step with the runtime. It does not run code itself: the lesson (mount.ts)
 * owns the runtime and passes callbacks.
 */
import type { CellErrorInfo, CellObserver, CellState } from '../runtime.ts';
import { CellDisplay } from './display.ts';
import { button, h } from './dom.ts';
import { createEditor, type CellEditor } from './editor.ts';
import { updateFigureTools } from './figure-download.ts';
import { documentLang, type Lang } from '../../lib/i18n.ts';
import { clientText, type ClientText } from './text.ts';

export interface CellViewOptions {
  readonly root: HTMLElement;
  readonly index: number;
  readonly name: string | null;
  /** The source the editor starts with. */
  readonly source: string;
  /** The lesson's original source of this cell (Reset restores it). */
  readonly original: string;
  /** id of the element describing the editor's keyboard shortcuts. */
  readonly helpId: string;
  /** The language of its words (client/text.ts). Default: the page's, `<html lang>`. */
  readonly lang?: Lang;
  readonly onRun: (view: CellView) => void;
  readonly onStop: (view: CellView) => void;
  readonly onReset: (view: CellView) => void;
  readonly onEdit: (view: CellView, source: string) => void;
  /**
   * Keep the server's `<pre>` until `ensureEditor()` (the page calls it as the cell nears the
   * viewport): a lesson's ~30 CodeMirror editors are much of its load-time work. Ignored when
   * `source` differs from `original` (the code that runs is always the code shown).
   */
  readonly deferEditor?: boolean;
}

/** Reads a cell's source from its server markup (Shiki may have re-highlighted the pre). */
export function readSource(root: HTMLElement): string {
  const pre = root.querySelector('pre.cell-source') ?? root.querySelector('pre');
  return (pre?.textContent ?? '').replace(/\n$/, '');
}

export class CellView implements CellObserver {
  readonly root: HTMLElement;
  readonly index: number;
  readonly name: string | null;
  readonly original: string;
  readonly node: HTMLElement;
  #editor: CellEditor | null = null;
  /** The source while there is no editor yet. */
  #source: string;
  readonly #makeEditor: () => CellEditor;
  readonly #display: CellDisplay;
  readonly #output: HTMLElement;
  readonly #status: HTMLElement;
  readonly #notice: HTMLElement;
  readonly #run: HTMLButtonElement;
  readonly #stop: HTMLButtonElement;
  readonly #reset: HTMLButtonElement;
  readonly #toolbar: HTMLElement;
  readonly #lang: Lang;
  readonly #text: ClientText['cell'];
  /** The value the cell last showed (an input element for `viewof` cells). */
  lastValue: unknown = undefined;
  #state: CellState = 'pending';
  #generating = false;
  /** Pending because the lesson runs it only when the reader gets to it (lazy runs). */
  #waiting = false;
  #startedAt = 0;
  #timer: ReturnType<typeof setInterval> | null = null;

  constructor(options: CellViewOptions) {
    const { root, index, name } = options;
    this.root = root;
    this.index = index;
    this.name = name;
    this.original = options.original;
    this.node = root;
    this.#lang = options.lang ?? documentLang();
    const text = clientText(this.#lang).cell;
    this.#text = text;

    const label = text.editorLabel(index + 1, name);
    const editorHost = h('div', { class: 'cell-editor' });
    const pre = root.querySelector('pre.cell-source') ?? root.querySelector('pre');
    if (!pre) root.prepend(editorHost);
    const anchor = pre ?? editorHost;
    this.#source = options.source;

    this.#notice = h('div', { class: 'cell-notice', hidden: true });
    this.#status = h('span', { class: 'cell-status', role: 'status', 'aria-live': 'polite' });
    this.#run = button(
      text.run,
      () => {
        options.onRun(this);
      },
      { 'aria-keyshortcuts': 'Shift+Enter', title: text.runTitle },
    );
    this.#stop = button(
      text.stop,
      () => {
        options.onStop(this);
      },
      { title: text.stopTitle },
    );
    this.#stop.hidden = true;
    this.#reset = button(
      text.reset,
      () => {
        options.onReset(this);
      },
      { title: text.resetTitle },
    );
    const toolbar = h(
      'div',
      {
        class: 'cell-toolbar',
        role: 'group',
        'aria-label': text.controls(index + 1),
      },
      this.#run,
      this.#stop,
      this.#reset,
      this.#status,
    );
    this.#toolbar = toolbar;
    anchor.before(this.#notice);
    anchor.after(toolbar);

    let output = root.querySelector<HTMLElement>('.cell-output');
    if (!output) {
      output = h('div', { class: 'cell-output', 'aria-live': 'polite' });
      root.append(output);
    }
    const error = h('div', { class: 'cell-error', role: 'alert', hidden: true });
    output.before(error);
    this.#output = output;
    this.#display = new CellDisplay(output, error, this.#lang);

    this.#makeEditor = () => {
      if (pre?.isConnected === true) pre.replaceWith(editorHost);
      return createEditor({
        parent: editorHost,
        source: this.#source,
        label,
        describedBy: options.helpId,
        onRun: () => {
          options.onRun(this);
        },
        onChange: (source) => {
          this.#updateEdited();
          options.onEdit(this, source);
        },
      });
    };
    if (options.deferEditor !== true || options.source !== options.original) this.ensureEditor();
    this.#updateEdited();
    this.#setState('pending');
  }

  /** The cell's CodeMirror editor, made now if it was deferred. */
  get editor(): CellEditor {
    return this.ensureEditor();
  }

  /** Makes the editor (replacing the server's `<pre>`) unless it exists; returns it. */
  ensureEditor(): CellEditor {
    this.#editor ??= this.#makeEditor();
    return this.#editor;
  }

  get state(): CellState {
    return this.#state;
  }

  get source(): string {
    return this.#editor ? this.#editor.getSource() : this.#source;
  }

  /** Puts `source` in the editor (not counted as a reader edit). */
  setSource(source: string): void {
    this.#source = source;
    if (this.#editor) this.#editor.setSource(source);
    else if (source !== this.original) this.ensureEditor(); // Show what will run.
    this.#updateEdited();
  }

  #updateEdited(): void {
    const edited = this.source !== this.original;
    this.root.toggleAttribute('data-edited', edited);
    this.#reset.disabled = !edited;
  }

  #setState(state: CellState, waiting = false): void {
    this.#state = state;
    this.#waiting = waiting;
    this.root.toggleAttribute('data-waiting', waiting);
    this.root.dataset.state = state;
    this.root.setAttribute('aria-busy', String(state === 'running'));
    this.#updateActivity();
  }

  #updateActivity(): void {
    const active = this.#state === 'running' || this.#generating;
    this.#stop.hidden = !active;
    if (active && this.#timer === null) {
      this.#startedAt = performance.now();
      this.#timer = setInterval(() => {
        this.#renderStatus();
      }, 250);
    } else if (!active && this.#timer !== null) {
      clearInterval(this.#timer);
      this.#timer = null;
    }
    this.#renderStatus();
  }

  #renderStatus(): void {
    const seconds = (performance.now() - this.#startedAt) / 1000;
    const elapsed = seconds >= 1 ? seconds : null;
    const words = this.#text;
    const text: Record<CellState, string> = {
      pending: this.#waiting ? words.waiting : words.notRun,
      running: words.running(elapsed),
      fulfilled: this.#generating ? words.showingProgress(elapsed) : words.done,
      rejected: words.error,
    };
    this.#status.textContent = text[this.#state];
  }

  /** Adds a button to the toolbar (before the status) and, optionally, a panel below it. */
  addTool(tool: HTMLElement, panel?: HTMLElement): void {
    this.#status.before(tool);
    if (panel) this.#toolbar.after(panel);
  }

  /** Shows (or, with null, hides) a notice above the editor, with optional buttons. */
  notice(content: (Node | string)[] | null, kind: 'info' | 'warn' = 'info'): void {
    if (content === null) {
      this.#notice.replaceChildren();
      this.#notice.hidden = true;
      delete this.#notice.dataset.kind;
      return;
    }
    this.#notice.replaceChildren(...content);
    this.#notice.dataset.kind = kind;
    this.#notice.hidden = false;
  }

  // CellObserver: what the runtime reports.
  pending(): void {
    this.#setState('pending');
  }
  waiting(): void {
    this.#setState('pending', true);
  }
  running(): void {
    this.#editor?.markErrorLine(null);
    this.#setState('running');
  }
  fulfilled(value: unknown): void {
    this.lastValue = value;
    try {
      this.#display.value(value, this.name);
    } catch (error) {
      // A value the display cannot show must not leave the cell looking busy.
      console.error(`Live cell ${String(this.index + 1)}: could not display its value`, error);
    }
    updateFigureTools(this.#output, this.name ?? `cell-${String(this.index + 1)}`, this.#lang);
    this.#setState('fulfilled');
  }
  rejected(error: CellErrorInfo): void {
    // An error shows above the output: the space kept for a figure (remark-cells.ts) would
    // only push the rest of the lesson down.
    this.#output.style.removeProperty('min-height');
    this.#display.error(error);
    this.editor.markErrorLine(error.line);
    this.#setState('rejected');
  }
  /**
   * A generator cell shows a value and still runs (`fulfilled` with progress): marked on the root
   * as `data-generating`, so a test can tell "settled" from "showing a first value".
   */
  generating(active: boolean): void {
    this.#generating = active;
    this.root.toggleAttribute('data-generating', active);
    this.#updateActivity();
  }

  destroy(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#editor?.destroy();
  }
}
