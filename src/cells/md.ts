/**
 * The `md` built-in: a tagged template that renders Markdown (CommonMark + GFM tables, raw HTML
 * allowed, as in Observable) to a DOM fragment wrapped in a <div class="cell-md">. Interpolated
 * DOM nodes (a slider, a plot) are placed where they appear; other values are inserted as text
 * into the Markdown source. The parser (micromark via mdast-util-from-markdown, ~100 kB) is
 * loaded on first use: the built-in is a promise of the tag function.
 */
export type MarkdownTag = (
  strings: TemplateStringsArray | readonly string[],
  ...values: unknown[]
) => HTMLElement;

/** Loads the Markdown toolchain and returns the `md` tag. */
export async function loadMarkdown(): Promise<MarkdownTag> {
  const [{ fromMarkdown }, { toHast }, { toHtml }, { gfm }, { gfmFromMarkdown }] =
    await Promise.all([
      import('mdast-util-from-markdown'),
      import('mdast-util-to-hast'),
      import('hast-util-to-html'),
      import('micromark-extension-gfm'),
      import('mdast-util-gfm'),
    ]);
  return (strings, ...values) => {
    const nodes = new Map<string, Node>();
    let source = strings[0] ?? '';
    values.forEach((value, i) => {
      if (value instanceof Node) {
        const id = `md-slot-${String(i)}`;
        nodes.set(id, value);
        source += `<span data-md-slot="${id}"></span>`;
      } else {
        source += String(value);
      }
      source += strings[i + 1] ?? '';
    });
    const tree = fromMarkdown(source, {
      extensions: [gfm()],
      mdastExtensions: [gfmFromMarkdown()],
    });
    const html = toHtml(toHast(tree, { allowDangerousHtml: true }), { allowDangerousHtml: true });
    const template = document.createElement('template');
    template.innerHTML = html;
    const root = document.createElement('div');
    root.className = 'cell-md';
    root.append(template.content);
    for (const slot of root.querySelectorAll<HTMLElement>('[data-md-slot]')) {
      const node = nodes.get(slot.dataset.mdSlot ?? '');
      if (node) slot.replaceWith(node);
    }
    return root;
  };
}
