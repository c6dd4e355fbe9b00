/**
 * "Copy embed" on every cell of a lesson page: copies the HTML that embeds the cell in another
 * page (../embed-snippet.ts: an iframe of `/embed/<lesson>/<cell>/` and the resize script), with
 * the reader's current values of the inputs the cell depends on in the URL. When the clipboard is
 * unavailable (no permission, not a secure context) the snippet is shown in a text box to copy.
 * An embed always runs the lesson's original code, so edits are not carried; the reader is told.
 */
import { cellDependencies, inputCells, literalCell, type ParamValue } from '../embed-cells.ts';
import { embedQuery, RESERVED_PARAMS } from '../embed-params.ts';
import { embedSnippet } from '../embed-snippet.ts';
import { siteBaseOf } from '../kit/site.ts';
import type { CellView } from './cell-view.ts';
import { button, h } from './dom.ts';
import { isInputElement, isRecord } from './embed-inputs.ts';
import { pathIn, type Lang } from '../../lib/i18n.ts';
import { clientText } from './text.ts';

function isParamValue(value: unknown): value is ParamValue {
  return (
    typeof value === 'string' ||
    typeof value === 'boolean' ||
    (typeof value === 'number' && Number.isFinite(value))
  );
}

/**
 * The URL parameters that reproduce the inputs cell `index` depends on, as the reader has them
 * now: each `viewof` input's value (a form's fields by their own names), and literal cells the
 * reader changed to another literal (`alpha = 8`).
 */
export function currentInputs(
  views: readonly CellView[],
  index: number,
): Record<string, ParamValue> {
  const originals = views.map((v) => v.original);
  const inputs = inputCells(originals);
  const out: Record<string, ParamValue> = {};
  const put = (name: string, value: unknown): void => {
    if (isParamValue(value) && !RESERVED_PARAMS.has(name) && !(name in out)) out[name] = value;
  };
  for (const i of [index, ...cellDependencies(originals, index)].sort((a, b) => a - b)) {
    const view = views[i];
    if (!view) continue;
    const inputName = [...inputs].find(([, at]) => at === i)?.[0];
    if (inputName !== undefined && isInputElement(view.lastValue)) {
      const value = view.lastValue.value;
      if (isRecord(value)) for (const [k, v] of Object.entries(value)) put(k, v);
      else put(inputName, value);
      continue;
    }
    const original = literalCell(view.original, i);
    const now = literalCell(view.source, i);
    if (original && now?.name === original.name && now.value !== original.value) {
      put(now.name, now.value);
    }
  }
  return out;
}

/**
 * Adds "Copy embed" to every cell view of a lesson, except set-up cells (marked
 * `data-cell-setup` by ../remark-cells.ts: nothing an instructor would show alone).
 */
export function addCopyEmbedButtons(
  views: readonly CellView[],
  slug: string,
  lang: Lang = 'en',
): void {
  const words = clientText(lang).embed;
  for (const view of views) {
    if (view.root.hasAttribute('data-cell-setup')) continue;
    const status = h('p', { class: 'cell-embed-status', role: 'status' });
    const panel = h('div', { class: 'cell-embed', hidden: true }, status);
    const copy = async (): Promise<void> => {
      const values = currentInputs(views, view.index);
      const key = view.root.dataset.cell ?? String(view.index);
      // The site's base as the cells' `site` finds it (the favicon link's directory).
      const base = siteBaseOf(document) ?? new URL('/', location.href).href;
      const src = new URL(
        pathIn(
          lang,
          `embed/${encodeURIComponent(slug)}/${encodeURIComponent(key)}/${embedQuery(values)}`,
          '',
        ).replace(/^\//, ''),
        base,
      ).href;
      const label = view.root.getAttribute('aria-label') ?? words.cellLabel(view.index + 1);
      const height = Math.min(1200, Math.max(120, Math.round(view.root.offsetHeight || 360)));
      const snippet = embedSnippet({ src, title: words.frameTitle(label), height });
      const edited = views.filter(
        (v) =>
          v.source !== v.original &&
          (v.index === view.index ||
            cellDependencies(
              views.map((w) => w.original),
              view.index,
            ).includes(v.index)),
      );
      const editNote = edited.length === 0 ? '' : words.editNote;
      let copied = false;
      try {
        await navigator.clipboard.writeText(snippet);
        copied = true;
      } catch {
        // No clipboard (permission, insecure context): the snippet is shown to copy by hand.
      }
      panel.querySelector('label')?.remove();
      if (copied) {
        status.textContent = words.copied(editNote);
      } else {
        status.textContent = words.copyByHand(editNote);
        const box = h('textarea', { readonly: true, rows: '5', class: 'cell-embed-code' });
        box.value = snippet;
        status.after(h('label', {}, words.codeLabel, box));
        box.focus();
        box.select();
      }
      panel.dataset.snippet = snippet;
      panel.hidden = false;
    };
    view.addTool(
      button(
        words.copy,
        () => {
          void copy();
        },
        { title: words.copyTitle },
      ),
      panel,
    );
  }
}
