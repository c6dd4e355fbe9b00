/**
 * The code editor of one cell: CodeMirror 6 with JavaScript highlighting, line numbers (errors
 * name lines), history and bracket matching. Shift+Enter runs the cell (Mod+Enter too). Tab is
 * left to the browser, so keyboard users can always move on; indentation is automatic on Enter.
 * Colours come from CSS variables (cells.css), so light and dark themes both work.
 */
import { EditorState, Prec, StateEffect, StateField, type Extension } from '@codemirror/state';
import {
  Decoration,
  EditorView,
  drawSelection,
  keymap,
  lineNumbers,
  type DecorationSet,
} from '@codemirror/view';
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { bracketMatching, indentOnInput, syntaxHighlighting } from '@codemirror/language';
import { javascript } from '@codemirror/lang-javascript';
import { classHighlighter } from '@lezer/highlight';

/** Sets (or clears, with null) the 1-based line an error points at. */
const setErrorLine = StateEffect.define<number | null>();
const errorLineMark = Decoration.line({ class: 'cm-errorLine' });

/** The error line's decoration; it goes away as soon as the code is edited. */
const errorLineField: Extension = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(marks, tr) {
    let next = tr.docChanged ? Decoration.none : marks;
    for (const effect of tr.effects) {
      if (!effect.is(setErrorLine)) continue;
      const line = effect.value;
      next =
        line === null || line < 1 || line > tr.state.doc.lines
          ? Decoration.none
          : Decoration.set([errorLineMark.range(tr.state.doc.line(line).from)]);
    }
    return next;
  },
  provide: (field) => EditorView.decorations.from(field),
});

export interface CellEditor {
  readonly view: EditorView;
  /** Marks the line an error points at (null clears it). */
  markErrorLine(line: number | null): void;
  getSource(): string;
  /** Replaces the whole text (not a reader edit: `onChange` is not called). */
  setSource(source: string): void;
  destroy(): void;
}

export interface EditorOptions {
  readonly parent: HTMLElement;
  readonly source: string;
  /** Accessible name of the editable area. */
  readonly label: string;
  /** id of an element describing the keyboard shortcuts. */
  readonly describedBy?: string;
  readonly onRun: () => void;
  readonly onChange: (source: string) => void;
}

export function createEditor(options: EditorOptions): CellEditor {
  let silent = false;
  const run = (): boolean => {
    options.onRun();
    return true;
  };
  const view = new EditorView({
    parent: options.parent,
    state: EditorState.create({
      doc: options.source,
      extensions: [
        lineNumbers(),
        drawSelection(),
        history(),
        indentOnInput(),
        bracketMatching(),
        javascript(),
        errorLineField,
        // Wrap long lines: no sideways scrolling on a phone, and no scroll region without focus.
        EditorView.lineWrapping,
        syntaxHighlighting(classHighlighter),
        Prec.high(
          keymap.of([
            { key: 'Shift-Enter', run },
            { key: 'Mod-Enter', run },
          ]),
        ),
        keymap.of([...defaultKeymap, ...historyKeymap]),
        EditorView.contentAttributes.of({
          'aria-label': options.label,
          ...(options.describedBy ? { 'aria-describedby': options.describedBy } : {}),
        }),
        EditorView.updateListener.of((update) => {
          if (update.docChanged && !silent) options.onChange(update.state.doc.toString());
        }),
      ],
    }),
  });
  return {
    view,
    getSource: () => view.state.doc.toString(),
    markErrorLine(line: number | null): void {
      view.dispatch({ effects: setErrorLine.of(line) });
    },
    setSource(source: string): void {
      silent = true;
      try {
        view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: source } });
      } finally {
        silent = false;
      }
    },
    destroy: () => {
      view.destroy();
    },
  };
}
