/**
 * Rehype plugin, run after Shiki: makes highlighted code blocks smaller without changing how they
 * look. Shiki (both themes as CSS variables) writes every token as
 * `<span style="--shiki-light:#D73A49;--shiki-dark:#F97583">`; on a lesson page those attributes
 * were 46% of the HTML (initialisation: 224 KB of 486 KB).
 *
 * - A token in the block's own text colour (the pair the `<pre>` sets) loses its span: its text
 *   inherits the same colour from the line (fewer DOM nodes too).
 * - A token whose colours are a known pair gets a short class instead (`hl-k`); the classes set the
 *   two variables in src/styles/code.css: the same colours, except where a theme's colour falls
 *   below WCAG AA contrast on the block (there a darker or lighter shade; a test checks both).
 * - Anything else (an unknown pair, a bold or italic token, a style with other properties) is left
 *   exactly as Shiki wrote it, so no token can lose its colour.
 */
import type { Element, ElementContent, Root, RootContent } from 'hast';

/** The colour pair of plain text in Shiki's github-light / github-dark themes. */
export const PLAIN_TEXT_STYLE = '--shiki-light:#24292E;--shiki-dark:#E1E4E8';

/** Known token colour pairs (light, dark) → the class that sets them (see src/styles/code.css). */
export const TOKEN_CLASSES: Readonly<Record<string, { light: string; dark: string }>> = {
  'hl-k': { light: '#D73A49', dark: '#F97583' }, // keywords, operators
  'hl-s': { light: '#032F62', dark: '#9ECBFF' }, // strings
  'hl-f': { light: '#6F42C1', dark: '#B392F0' }, // function names
  'hl-c': { light: '#005CC5', dark: '#79B8FF' }, // constants, numbers, properties
  'hl-v': { light: '#E36209', dark: '#FFAB70' }, // parameters
  'hl-m': { light: '#6A737D', dark: '#6A737D' }, // comments
  'hl-g': { light: '#22863A', dark: '#85E89D' }, // tags
  'hl-r': { light: '#032F62', dark: '#DBEDFF' }, // regular expressions
};

/** A style attribute compared without case, spaces or a trailing semicolon. */
const normalise = (style: string): string =>
  style.replace(/\s+/g, '').replace(/;$/, '').toUpperCase();

const byStyle = new Map(
  Object.entries(TOKEN_CLASSES).map(([name, c]) => [
    normalise(`--shiki-light:${c.light};--shiki-dark:${c.dark}`),
    name,
  ]),
);

/** What to do with one token span: unwrap it, give it a class, or leave it. */
export function tokenAction(style: string): 'unwrap' | { className: string } | 'keep' {
  const s = normalise(style);
  if (s === normalise(PLAIN_TEXT_STYLE)) return 'unwrap';
  const name = byStyle.get(s);
  return name === undefined ? 'keep' : { className: name };
}

const isElement = (node: RootContent | ElementContent): node is Element => node.type === 'element';

const hasClass = (element: Element, name: string): boolean => {
  const c = element.properties.className ?? element.properties.class;
  if (Array.isArray(c)) return c.includes(name);
  return typeof c === 'string' && c.split(/\s+/).includes(name);
};

/** Rewrites the token spans inside one Shiki block (in place); returns how many changed. */
export function compactBlock(pre: Element): number {
  let changed = 0;
  const visit = (parent: Element): void => {
    const out: ElementContent[] = [];
    for (const child of parent.children) {
      if (!isElement(child)) {
        out.push(child);
        continue;
      }
      const style = child.properties.style;
      const onlyStyle =
        child.tagName === 'span' &&
        typeof style === 'string' &&
        Object.keys(child.properties).length === 1;
      const action = onlyStyle ? tokenAction(style) : 'keep';
      if (action === 'unwrap') {
        visit(child);
        out.push(...child.children);
        changed++;
      } else if (action !== 'keep') {
        child.properties = { className: [action.className] };
        visit(child);
        out.push(child);
        changed++;
      } else {
        visit(child);
        out.push(child);
      }
    }
    parent.children = out;
  };
  visit(pre);
  return changed;
}

/** Applies `compactBlock` to every Shiki block (`pre.astro-code`) of a tree. */
export function compactCode(tree: Root): number {
  let changed = 0;
  const walk = (node: Root | Element): void => {
    for (const child of node.children) {
      if (!isElement(child)) continue;
      if (child.tagName === 'pre' && hasClass(child, 'astro-code')) changed += compactBlock(child);
      else walk(child);
    }
  };
  walk(tree);
  return changed;
}

/** The rehype plugin (a unified attacher): `rehypePlugins: [..., rehypeCompactCode]`. */
export function rehypeCompactCode(): (tree: Root) => void {
  return (tree) => {
    compactCode(tree);
  };
}

export default rehypeCompactCode;
