// @ts-check
import { defineConfig } from 'astro/config';
import mdx from '@astrojs/mdx';
import { unified } from '@astrojs/markdown-remark';
import remarkMath from 'remark-math';
import rehypeKatex from 'rehype-katex';
import { writeFile } from 'node:fs/promises';
import { headersFile as headersFileText, securityHeaders } from './scripts/headers.mjs';
// Turns ```js cell blocks into the agreed <section class="cell"> markup (owned by src/cells).
import remarkCells from './src/cells/remark-cells.ts';
// Shiki's per-token style attributes become short classes (owned by src/cells).
import rehypeCompactCode from './src/cells/rehype-compact-code.ts';
// Writes dist/sw.js, the offline service worker, with the build's file list compiled in.
import { offlineServiceWorker } from './src/offline/build.ts';
// Serves TF.js's WASM pthread scripts from the site itself, so threads run under the CSP.
import { tfjsWasmThreads } from './src/platform/wasm-threads-plugin.ts';

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
  // TF.js itself first (highest priority), so that the backend groups below, which also capture
  // their dependencies, do not pull tfjs-core into a backend's chunk.
  {
    name: 'tfjs',
    test: jsModulesOf(/node_modules[\\/]@tensorflow[\\/](?!tfjs-backend-(?:wasm|webgpu)[\\/])/),
    priority: 5,
  },
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
  { name: 'plotly', test: jsModulesOf(/node_modules[\\/]plotly\.js[^\\/]*[\\/]/), priority: 3 },
];

/**
 * Writes `dist/_headers` (the format Netlify and Cloudflare Pages read) from the same header list
 * that scripts/serve.mjs sends, so a static host serves the site as the tests saw it.
 * @returns {import('astro').AstroIntegration}
 */
function headersFile() {
  return {
    name: 'site:headers-file',
    hooks: {
      'astro:build:done': async ({ dir }) => {
        // The same rules as securityHeaders (site-wide, /lessons/* with cells, /embed/*).
        await writeFile(new URL('_headers', dir), headersFileText());
      },
    },
  };
}

export default defineConfig({
  site: 'http://127.0.0.1:4321',
  base: '/',
  output: 'static',
  trailingSlash: 'ignore',
  build: {
    format: 'directory',
    // Styles go inline: six render-blocking stylesheet requests became one <style> (first paint
    // 1987 → 1671 ms on a lesson page, measured by PERF under load); the Content-Security-Policy
    // allows inline styles ('unsafe-inline' in style-src, which KaTeX and Shiki need anyway).
    // Scripts stay external files ('self' only).
    inlineStylesheets: 'always',
  },
  integrations: [mdx(), headersFile(), offlineServiceWorker(securityHeaders({ dev: false }))],
  markdown: {
    // Astro 7's default Markdown processor (Sätteri) runs no remark plugins; the cells plugin and
    // remark-math need the unified one.
    processor: unified({
      remarkPlugins: [remarkCells, remarkMath],
      rehypePlugins: [
        [rehypeKatex, { output: 'htmlAndMathml', throwOnError: true }],
        rehypeCellSource,
        rehypeCompactCode,
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
    // One header set for every path: the lesson pages' (cells need 'unsafe-eval').
    preview: { headers: securityHeaders({ dev: false, path: '/lessons/preview/' }) },
    // The training worker bundles TF.js on its own: it needs the threads plugin too.
    plugins: [tfjsWasmThreads()],
    worker: { format: 'es', plugins: () => [tfjsWasmThreads()] },
    optimizeDeps: { exclude: ['@tensorflow/tfjs-backend-wasm'] },
  },
});
