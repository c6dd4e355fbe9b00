/**
 * First-load JavaScript of each built page: the scripts a page fetches before the reader can
 * interact — every `<script type="module">` (inline or `src`) and `modulepreload`, plus the chunks
 * they import *statically*, followed recursively. Dynamic `import()` targets are excluded: those
 * load when first needed (TF.js, Plotly, WASM, data), which is exactly what the budget is about.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';

/** One page's first-load JavaScript. */
export interface FirstLoad {
  /** The page's path under dist/, e.g. `lessons/how-these-notebooks-work/index.html`. */
  readonly page: string;
  /** Files counted (paths under dist/), in discovery order. */
  readonly files: readonly string[];
  /** Total bytes before compression. */
  readonly rawBytes: number;
  /** Total bytes after gzip (level 9, each file compressed on its own, as a server would). */
  readonly gzipBytes: number;
}

const STATIC_IMPORT =
  /(?:^|[;\s}])(?:import|export)\s*(?:[\w*{}\s,$]+from\s*)?["']([^"']+\.m?js)["']/g;

/** Static import specifiers of a JavaScript module's source (no dynamic `import()`). */
export function staticImports(source: string): string[] {
  const out: string[] = [];
  for (const m of source.matchAll(STATIC_IMPORT)) {
    const spec = m[1];
    if (spec !== undefined) out.push(spec);
  }
  return out;
}

function scriptsOfHtml(html: string): { srcs: string[]; inline: string[] } {
  const srcs: string[] = [];
  const inline: string[] = [];
  for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)) {
    const attrs = m[1] ?? '';
    const body = m[2] ?? '';
    if (/type\s*=\s*["']?(application\/(ld\+)?json)/.test(attrs)) continue;
    const src = /\bsrc\s*=\s*["']([^"']+)["']/.exec(attrs)?.[1];
    if (src !== undefined) srcs.push(src);
    else if (body.trim() !== '') inline.push(body);
  }
  for (const m of html.matchAll(/<link\b[^>]*rel\s*=\s*["']modulepreload["'][^>]*>/g)) {
    const href = /\bhref\s*=\s*["']([^"']+)["']/.exec(m[0])?.[1];
    if (href !== undefined) srcs.push(href);
  }
  return { srcs, inline };
}

/** Measures one built HTML page (absolute path) inside `distDir`. */
export function measurePage(distDir: string, pagePath: string): FirstLoad {
  const html = readFileSync(pagePath, 'utf8');
  const { srcs, inline } = scriptsOfHtml(html);
  const seen = new Set<string>();
  const files: string[] = [];
  let rawBytes = 0;
  let gzipBytes = 0;
  const add = (bytes: Buffer): void => {
    rawBytes += bytes.length;
    gzipBytes += gzipSync(bytes, { level: 9 }).length;
  };
  const visit = (absFile: string): void => {
    if (seen.has(absFile)) return;
    seen.add(absFile);
    const bytes = readFileSync(absFile);
    files.push(relative(distDir, absFile));
    add(bytes);
    for (const spec of staticImports(bytes.toString('utf8'))) {
      if (!spec.startsWith('.') && !spec.startsWith('/')) continue;
      visit(spec.startsWith('/') ? join(distDir, spec) : resolve(dirname(absFile), spec));
    }
  };
  const pageDir = dirname(pagePath);
  for (const src of srcs) {
    if (/^[a-z]+:\/\//i.test(src)) throw new Error(`${pagePath}: script from another host: ${src}`);
    visit(src.startsWith('/') ? join(distDir, src) : resolve(pageDir, src));
  }
  for (const body of inline) {
    add(Buffer.from(body, 'utf8'));
    for (const spec of staticImports(body)) {
      if (spec.startsWith('/')) visit(join(distDir, spec));
      else if (spec.startsWith('.')) visit(resolve(pageDir, spec));
    }
  }
  return { page: relative(distDir, pagePath), files, rawBytes, gzipBytes };
}

/** Every `index.html` under `distDir`, depth first. */
export function htmlPages(distDir: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.html')) out.push(p);
    }
  };
  walk(distDir);
  return out;
}
