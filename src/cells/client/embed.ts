/**
 * Browser entry of an embed page (`/embed/<lesson>/<cell>/`, src/pages/embed/): shows one cell of
 * a lesson, alone, in a frame on somebody else's page.
 *
 * - Every cell of the lesson is defined in one Observable runtime (../runtime.ts), always with the
 *   lesson's original source (the page's own copy: no stored edits, no share links, no code from
 *   the URL). The shown cell and the cells it reads (../embed-cells.ts) are observed; the cells it
 *   reads run hidden, with observers that have no DOM node, so `visibility()` resolves at once.
 *   The other cells stay dormant, as in an Observable notebook embedded one cell at a time.
 * - URL parameters (../embed-params.ts) set the inputs the cell depends on (embed-inputs.ts) or
 *   replace literal cells (`alpha = 4`) with a value; bad values are reported above the cell.
 * - The inputs the cell depends on are shown above it (`?controls=hide` hides them), its code above
 *   its output (`?code=fold|hide`), the theme follows `?theme=light|dark` or the system.
 * - The frame's height is posted to the host page (embed-size.ts).
 */
import '@observablehq/inputs/dist/index.css';
import './cells.css';
import './embed.css';
import { announceBackend, chooseBrowserBackend } from '../backend.ts';
import { cellDependencies, inputCells, literalCells } from '../embed-cells.ts';
import { cellName } from '../extract.ts';
import {
  coerceParam,
  literalBounds,
  defaultCodeMode,
  parseEmbedParams,
  type EmbedOptions,
} from '../embed-params.ts';
import { runCells, type CellErrorInfo, type CellObserver } from '../runtime.ts';
import { createBrowserBuiltins } from './builtins-browser.ts';
import { CellDisplay, nameUnlabelledControls } from './display.ts';
import { h } from './dom.ts';
import { applyInputParam, isInputElement, isRecord, type InputElement } from './embed-inputs.ts';
import { reportHeight } from './embed-size.ts';
import { updateFigureTools } from './figure-download.ts';
import { documentLang, type Lang } from '../../lib/i18n.ts';
import { clientText } from './text.ts';

/** Reads the lesson's cell sources that the page carries as JSON. */
function readSources(root: HTMLElement): string[] {
  const data = root.querySelector('script[data-embed-sources]')?.textContent ?? '[]';
  const parsed: unknown = JSON.parse(data);
  if (!Array.isArray(parsed) || !parsed.every((s) => typeof s === 'string')) {
    throw new TypeError('embed: the page carries no list of cell sources');
  }
  return parsed;
}

/** The messages shown above the cell (bad parameters), one paragraph each. */
class Notes {
  readonly #box: HTMLElement;
  constructor(box: HTMLElement) {
    this.#box = box;
  }
  add(text: string): void {
    this.#box.append(h('p', {}, text));
    this.#box.hidden = false;
    this.#box.dataset.count = String(this.#box.childElementCount);
  }
}

function applyTheme(theme: EmbedOptions['theme']): void {
  if (theme === null) return;
  document.documentElement.dataset.theme = theme;
  document.documentElement.dataset.themePreference = theme;
  document.dispatchEvent(new CustomEvent('themechange', { detail: { theme, preference: theme } }));
}

/** Shows, folds or hides the cell's code; the page may have folded it already (a long cell). */
function arrangeCode(section: HTMLElement, mode: EmbedOptions['code'], lang: Lang): void {
  const pre = section.querySelector('pre');
  if (!pre) return;
  const folded = pre.closest('details.embed-code');
  if (mode === 'hide') {
    (folded ?? pre).remove();
  } else if (mode === 'show') {
    folded?.replaceWith(pre);
  } else if (folded instanceof HTMLDetailsElement) {
    folded.open = false;
    delete folded.dataset.codeShown;
  } else {
    const details = h(
      'details',
      { class: 'embed-code' },
      h('summary', {}, clientText(lang).embed.code),
    );
    pre.replaceWith(details);
    details.append(pre);
  }
}

/** The shown cell: its output and errors in the section, its state on `data-state`. */
class ShownCell implements CellObserver {
  readonly node: HTMLElement;
  readonly #display: CellDisplay;
  readonly #output: HTMLElement;
  readonly #name: string | null;
  readonly #onValue: (value: unknown) => void;
  readonly #onSettled: () => void;
  readonly #lang: Lang;

  constructor(
    section: HTMLElement,
    name: string | null,
    onValue: (value: unknown) => void,
    onSettled: () => void,
    lang: Lang,
  ) {
    this.#lang = lang;
    this.node = section;
    this.#name = name;
    this.#onValue = onValue;
    this.#onSettled = onSettled;
    let output = section.querySelector<HTMLElement>('.cell-output');
    if (!output) {
      output = h('div', { class: 'cell-output', 'aria-live': 'polite' });
      section.append(output);
    }
    const error = h('div', { class: 'cell-error', role: 'alert', hidden: true });
    output.before(error);
    this.#output = output;
    this.#display = new CellDisplay(output, error, lang);
  }

  #state(state: string): void {
    this.node.dataset.state = state;
    this.node.setAttribute('aria-busy', String(state === 'running'));
  }
  pending(): void {
    this.#state('pending');
  }
  running(): void {
    this.#state('running');
  }
  fulfilled(value: unknown): void {
    this.#onValue(value);
    try {
      this.#display.value(value, this.#name);
    } catch (error) {
      console.error('Embedded cell: could not display its value', error);
    }
    updateFigureTools(this.#output, this.#name ?? 'figure', this.#lang);
    this.#state('fulfilled');
    this.#onSettled();
  }
  rejected(error: CellErrorInfo): void {
    this.#display.error(error);
    this.#state('rejected');
    this.#onSettled();
  }
}

/** A cell the shown one reads: runs without a DOM node; hands its value to `onValue`. */
function hiddenCell(onValue: (value: unknown) => void): CellObserver {
  return { fulfilled: onValue };
}

/** Mounts the embed found in `root` (`[data-embed-root]`). Safe to call once. */
export async function mountEmbed(root: HTMLElement): Promise<void> {
  if (root.dataset.embedMounted !== undefined) return;
  root.dataset.embedMounted = '';
  // The embed's edition: its words, and the messages about its address's parameters.
  const lang = documentLang();
  const sources = readSources(root);
  const index = Number(root.dataset.cellIndex);
  const params = parseEmbedParams(location.search, defaultCodeMode(sources[index] ?? ''), lang);
  applyTheme(params.options.theme);
  const notes = new Notes(root.querySelector<HTMLElement>('[data-embed-notes]') ?? root);
  for (const problem of params.problems) notes.add(problem);

  const section = root.querySelector<HTMLElement>('section.cell');
  if (!section || !Number.isInteger(index) || sources[index] === undefined) {
    throw new RangeError(`embed: no cell ${String(root.dataset.cellIndex)} on this page`);
  }
  arrangeCode(section, params.options.code, lang);
  const controls = root.querySelector<HTMLElement>('[data-embed-controls]');
  if (controls) controls.hidden = true;

  const needed = new Set([index, ...cellDependencies(sources, index)]);
  const inputs = inputCells(sources);
  const literals = literalCells(sources);
  const unused = (name: string): void => {
    notes.add(clientText(lang).embed.unused(name));
  };

  // Sort the parameters: literal cells, whole inputs, and names that may be fields of a form.
  const values = new Map<number, unknown>();
  const whole = new Map<number, [string, string][]>();
  const maybeFields = new Map<string, string>();
  for (const [name, raw] of params.inputs) {
    const literal = literals.get(name);
    const input = inputs.get(name);
    if (literal) {
      if (!needed.has(literal.index)) {
        unused(name);
        continue;
      }
      const coerced = coerceParam(
        name,
        raw,
        literal.value,
        typeof literal.value === 'number' ? literalBounds(literal.value) : {},
        lang,
      );
      if (!coerced.ok) notes.add(coerced.message);
      else {
        if (coerced.note !== null) notes.add(coerced.note);
        values.set(literal.index, coerced.value);
      }
    } else if (input !== undefined) {
      if (!needed.has(input)) unused(name);
      else whole.set(input, [...(whole.get(input) ?? []), [name, raw]]);
    } else {
      maybeFields.set(name, raw);
    }
  }

  // An input's element: set it from the URL the first time it appears, and show it as a control.
  const seen = new Set<number>();
  const controlOf = new Map<number, HTMLElement>();
  const onInput = (i: number, value: unknown): void => {
    if (!isInputElement(value)) return;
    if (!seen.has(i)) {
      seen.add(i);
      setFromUrl(i, value);
    }
    if (i === index || !controls || params.options.controls === 'hide') return;
    const slot = controlOf.get(i) ?? h('div', { class: 'embed-control' });
    if (!controlOf.has(i)) {
      // Controls in lesson order, whichever resolves first.
      const later = [...controlOf].filter(([at]) => at > i).sort(([a], [b]) => a - b)[0];
      controlOf.set(i, slot);
      if (later) later[1].before(slot);
      else controls.append(slot);
    }
    if (value.parentNode !== slot) {
      nameUnlabelledControls(value); // The slider of Inputs.range has no name of its own.
      slot.replaceChildren(value);
    }
    controls.hidden = false;
  };
  const setFromUrl = (i: number, element: InputElement): void => {
    for (const [name, raw] of whole.get(i) ?? []) {
      const message = applyInputParam(element, name, raw, null, lang);
      if (message !== null) notes.add(message);
    }
    const value = element.value;
    if (!isRecord(value)) return;
    for (const [name, raw] of [...maybeFields]) {
      if (!(name in value)) continue;
      maybeFields.delete(name);
      const message = applyInputParam(element, name, raw, name, lang);
      if (message !== null) notes.add(message);
    }
  };

  let reported = false;
  const shown = new ShownCell(
    section,
    cellName(sources[index] ?? ''),
    (value) => {
      onInput(index, value);
    },
    () => {
      if (reported) return;
      reported = true;
      for (const name of maybeFields.keys()) unused(name);
      maybeFields.clear();
    },
    lang,
  );

  const choice = chooseBrowserBackend(location.search, lang);
  choice.then(announceBackend, () => undefined);
  const run = runCells(sources, {
    builtins: createBrowserBuiltins({ root, choice }),
    observerFor: (i) =>
      i === index
        ? shown
        : hiddenCell((value) => {
            onInput(i, value);
          }),
    dormant: sources.flatMap((_, i) => (needed.has(i) ? [] : [i])),
  });
  for (const [i, value] of values) run.setValue(i, value);
  reportHeight(root);
  root.dataset.embedReady = '';
  await Promise.resolve();
}
