// @ts-check
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'astro/config';
import mdx from '@astrojs/mdx';
import { unified } from '@astrojs/markdown-remark';
import remarkMath from 'remark-math';
import rehypeKatex from 'rehype-katex';
import { securityHeaders } from './scripts/headers.mjs';

/**
 * The cells remark plugin (owned by src/cells) turns ```js cell blocks into the agreed
 * `<section class="cell">` markup. It is loaded only when the file exists, so the site still builds
 * (with cells shown as plain code) while that area is being written.
 */
const remarkCellsPath = fileURLToPath(new URL('./src/cells/remark-cells.ts', import.meta.url));
/** @type {import('@astrojs/markdown-remark').RemarkPlugins} */
const cellPlugins = [];
if (existsSync(remarkCellsPath)) {
  /** @type {Record<string, unknown>} */
  const mod = await import('./src/cells/remark-cells.ts');
  const plugin = mod['default'] ?? mod['remarkCells'];
  if (typeof plugin !== 'function') {
    throw new TypeError(
      `src/cells/remark-cells.ts must export the remark plugin as default or remarkCells; got ${typeof plugin}`,
    );
  }
  cellPlugins.push(/** @type {import('@astrojs/markdown-remark').RemarkPlugin} */ (plugin));
}

/**
 * Shiki highlights every `pre > code.language-js`, cells' source included, and replaces the `<pre>`.
 * This rehype plugin (user rehype plugins run after Shiki) puts the agreed classes back:
 * `section.cell > pre.cell-source > code.language-js`, so the cell markup keeps its contract and
 * readers without JavaScript still get coloured source.
 * @returns {(tree: import('hast').Root) => void}
 */
function rehypeCellSource() {
  /** @param {import('hast').Element} element @param {string} name */
  const addClass = (element, name) => {
    // Shiki's hast uses `class` (a string); hast proper uses `className` (a list).
    const props = element.properties;
    /** @param {unknown} v @returns {string[]} */
    const split = (v) =>
      Array.isArray(v)
        ? v.map(String)
        : typeof v === 'string'
          ? v.split(/\s+/).filter(Boolean)
          : [];
    const list = [...split(props['className']), ...split(props['class'])];
    delete props['class'];
    props['className'] = list.includes(name) ? list : [...list, name];
  };
  /** @param {import('hast').Root | import('hast').Element} node */
  const walk = (node) => {
    for (const child of node.children) {
      if (child.type !== 'element') continue;
      const classes = child.properties['className'];
      if (child.tagName === 'section' && Array.isArray(classes) && classes.includes('cell')) {
        const pre = child.children.find((c) => c.type === 'element' && c.tagName === 'pre');
        if (pre?.type === 'element') {
          addClass(pre, 'cell-source');
          const code = pre.children.find((c) => c.type === 'element' && c.tagName === 'code');
          if (code?.type === 'element') addClass(code, 'language-js');
        }
      } else {
        walk(child);
      }
    }
  };
  return walk;
}

/**
 * Libraries that must stay in their own lazily loaded chunks (only fetched when a cell uses them).
 * Only JavaScript modules are grouped: a `?url` import (e.g. the WASM binaries' URLs, which the
 * cell runtime imports eagerly) must not drag its package's code into the importer's graph.
 * @param {RegExp} pattern
 * @returns {(id: string) => boolean}
 */
const jsModulesOf = (pattern) => (id) => pattern.test(id) && !id.includes('?');
const lazyChunkGroups = [
  {
    name: 'tfjs-wasm',
    test: jsModulesOf(/node_modules[\\/]@tensorflow[\\/]tfjs-backend-wasm[\\/]/),
    priority: 4,
  },
  {
    name: 'tfjs-webgpu',
    test: jsModulesOf(/node_modules[\\/]@tensorflow[\\/]tfjs-backend-webgpu[\\/]/),
    priority: 4,
  },
  { name: 'tfjs', test: jsModulesOf(/node_modules[\\/]@tensorflow[\\/]/), priority: 3 },
  { name: 'plotly', test: jsModulesOf(/node_modules[\\/]plotly\.js[^\\/]*[\\/]/), priority: 3 },
];

export default defineConfig({
  site: 'http://127.0.0.1:4321',
  base: '/',
  output: 'static',
  trailingSlash: 'ignore',
  build: {
    format: 'directory',
    // External files only: the Content-Security-Policy allows scripts and styles from 'self'.
    inlineStylesheets: 'never',
  },
  integrations: [mdx()],
  markdown: {
    // Astro 7's default Markdown processor (Sätteri) runs no remark plugins; the cells plugin and
    // remark-math need the unified one.
    processor: unified({
      remarkPlugins: [...cellPlugins, remarkMath],
      rehypePlugins: [
        [rehypeKatex, { output: 'htmlAndMathml', throwOnError: true }],
        rehypeCellSource,
      ],
    }),
    syntaxHighlight: 'shiki',
    shikiConfig: {
      // Both themes as CSS variables; src/styles/code.css picks one from <html data-theme>.
      themes: { light: 'github-light', dark: 'github-dark' },
      defaultColor: false,
      wrap: false,
    },
  },
  server: { host: '127.0.0.1', port: 4321, headers: securityHeaders({ dev: true }) },
  vite: {
    // Don't inline small scripts or assets into HTML: keeps CSP at 'self' without hashes.
    build: {
      assetsInlineLimit: 0,
      chunkSizeWarningLimit: 4096,
      rolldownOptions: { output: { codeSplitting: { groups: lazyChunkGroups } } },
    },
    preview: { headers: securityHeaders({ dev: false }) },
    worker: { format: 'es' },
    optimizeDeps: { exclude: ['@tensorflow/tfjs-backend-wasm'] },
  },
});
