/**
 * The code editor of one cell: CodeMirror 6 with JavaScript highlighting, line numbers (errors
 * name lines), history and bracket matching. Shift+Enter runs the cell (Mod+Enter too). Tab is
 * left to the browser, so keyboard users can always move on; indentation is automatic on Enter.
 * Colours come from CSS variables (cells.css), so light and dark themes both work.
 */
import { EditorState, Prec } from '@codemirror/state';
import { EditorView, drawSelection, keymap, lineNumbers } from '@codemirror/view';
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { bracketMatching, indentOnInput, syntaxHighlighting } from '@codemirror/language';
import { javascript } from '@codemirror/lang-javascript';
import { classHighlighter } from '@lezer/highlight';

export interface CellEditor {
  readonly view: EditorView;
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
