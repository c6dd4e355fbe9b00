/**
 * Compact code blocks (src/cells/rehype-compact-code.ts): every character of every lesson cell,
 * highlighted by the real Shiki with the site's two themes, keeps its light and dark colour, the
 * text is unchanged, the markup shrinks, and the classes agree with src/styles/code.css.
 */
import { readFileSync, readdirSync } from 'node:fs';
import type { Element, ElementContent, Root } from 'hast';
import { fromHtml } from 'hast-util-from-html';
import { toHtml } from 'hast-util-to-html';
import { codeToHtml } from 'shiki';
import { describe, expect, it } from 'vitest';
import { extractCells } from '../../src/cells/extract.ts';
import {
  compactCode,
  PLAIN_TEXT_STYLE,
  TOKEN_CLASSES,
  tokenAction,
} from '../../src/cells/rehype-compact-code.ts';

const lessonsDir = new URL('../../lessons/', import.meta.url);
const sources = readdirSync(lessonsDir)
  .filter((f) => /\.mdx?$/.test(f))
  .flatMap((f) => extractCells(readFileSync(new URL(f, lessonsDir), 'utf8')).map((c) => c.source));

/** A Shiki block as Astro renders it (both themes as CSS variables, class `astro-code`). */
async function shikiTree(code: string): Promise<Root> {
  const html = await codeToHtml(code, {
    lang: 'js',
    themes: { light: 'github-light', dark: 'github-dark' },
    defaultColor: false,
  });
  return fromHtml(html.replace('class="shiki', 'class="astro-code shiki'), { fragment: true });
}

const styleVars = (style: string): Record<string, string> =>
  Object.fromEntries(
    style
      .split(';')
      .map((d) => d.split(':').map((x) => x.trim().toUpperCase()))
      .filter((kv): kv is [string, string] => kv.length === 2 && kv[0]?.startsWith('--') === true),
  );

/** Each character with the light/dark colours it is shown in (variables inherit, as in CSS). */
function colouredText(tree: Root): string[] {
  const out: string[] = [];
  const walk = (node: Root | Element, light: string, dark: string): void => {
    for (const child of node.children as ElementContent[]) {
      if (child.type === 'text') {
        for (const ch of child.value) out.push(`${ch}|${light}|${dark}`);
        continue;
      }
      if (child.type !== 'element') continue;
      let [l, d] = [light, dark];
      const style = child.properties.style;
      if (typeof style === 'string') {
        const vars = styleVars(style);
        l = vars['--SHIKI-LIGHT'] ?? l;
        d = vars['--SHIKI-DARK'] ?? d;
      }
      const classes = child.properties.className;
      for (const c of Array.isArray(classes) ? classes : []) {
        const pair = typeof c === 'string' ? TOKEN_CLASSES[c] : undefined;
        if (pair) [l, d] = [pair.light, pair.dark];
      }
      walk(child, l, d);
    }
  };
  walk(tree, '', '');
  return out;
}

describe('tokenAction', () => {
  it('unwraps plain text, classes known pairs, keeps anything else', () => {
    expect(tokenAction(PLAIN_TEXT_STYLE)).toBe('unwrap');
    expect(tokenAction('--shiki-light:#24292e; --shiki-dark:#e1e4e8;')).toBe('unwrap');
    expect(tokenAction('--shiki-light:#D73A49;--shiki-dark:#F97583')).toEqual({
      className: 'hl-k',
    });
    expect(tokenAction('--shiki-light:#D73A49;--shiki-dark:#000000')).toBe('keep');
    expect(
      tokenAction(
        '--shiki-light:#22863A;--shiki-light-font-weight:bold;--shiki-dark:#85E89D;--shiki-dark-font-weight:bold',
      ),
    ).toBe('keep');
  });
});

describe('compactCode on every lesson cell', () => {
  it('keeps every character and its colours, and makes the markup smaller', async () => {
    expect(sources.length).toBeGreaterThan(50);
    let before = 0;
    let after = 0;
    for (const source of sources) {
      const tree = await shikiTree(source);
      const colours = colouredText(tree);
      before += toHtml(tree).length;
      const changed = compactCode(tree);
      after += toHtml(tree).length;
      expect(changed).toBeGreaterThan(0);
      expect(colouredText(tree)).toEqual(colours);
    }
    expect(after / before).toBeLessThan(0.6);
  }, 60_000);

  it('leaves blocks that are not Shiki blocks alone', () => {
    const tree = fromHtml(`<pre><code><span style="${PLAIN_TEXT_STYLE}">x</span></code></pre>`, {
      fragment: true,
    });
    const html = toHtml(tree);
    expect(compactCode(tree)).toBe(0);
    expect(toHtml(tree)).toBe(html);
  });
});

/** WCAG relative luminance and contrast ratio of two #rrggbb colours. */
function contrast(a: string, b: string): number {
  const lum = (hex: string): number => {
    const [r, g, bl] = [1, 3, 5].map((i) => {
      const c = parseInt(hex.slice(i, i + 2), 16) / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * (r ?? 0) + 0.7152 * (g ?? 0) + 0.0722 * (bl ?? 0);
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
  return ((hi ?? 0) + 0.05) / ((lo ?? 0) + 0.05);
}

describe('src/styles/code.css', () => {
  const css = readFileSync(new URL('../../src/styles/code.css', import.meta.url), 'utf8');
  const rules = Object.fromEntries(
    [
      ...css.matchAll(
        /\.(hl-[a-z]+)\s*\{\s*--shiki-light:\s*(#[0-9a-f]{6});\s*--shiki-dark:\s*(#[0-9a-f]{6});\s*\}/gi,
      ),
    ].map((m) => [
      m[1] ?? '',
      { light: m[2]?.toUpperCase() ?? '', dark: m[3]?.toUpperCase() ?? '' },
    ]),
  );
  // The blocks' backgrounds (Shiki's github-light / github-dark, set on the <pre>).
  const background = { light: '#FFFFFF', dark: '#24292E' };

  it('has one rule per class, and no other token class', () => {
    expect(Object.keys(rules).sort()).toEqual(Object.keys(TOKEN_CLASSES).sort());
    expect([...css.matchAll(/\.hl-[a-z]+\s*\{/g)].length).toBe(Object.keys(rules).length);
  });
  it("keeps the theme's colour unless it is below 4.5:1, and then reaches 4.5:1", () => {
    for (const [name, shiki] of Object.entries(TOKEN_CLASSES)) {
      for (const theme of ['light', 'dark'] as const) {
        const shown = rules[name]?.[theme] ?? '';
        expect(contrast(shown, background[theme]), `${name} ${theme}`).toBeGreaterThanOrEqual(4.5);
        if (contrast(shiki[theme], background[theme]) >= 4.5) expect(shown).toBe(shiki[theme]);
      }
    }
  });
  it('computes contrast as WCAG does', () => {
    expect(contrast('#000000', '#FFFFFF')).toBeCloseTo(21, 5);
    expect(contrast('#E36209', '#FFFFFF')).toBeCloseTo(3.49, 2);
  });
});
