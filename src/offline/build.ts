/**
 * The build step of the offline service worker (an Astro integration, registered in
 * astro.config.mjs): once the site is built, lists every file of the output directory with its
 * SHA-256, turns that into the manifest (`plan.ts`), and bundles `sw.ts` with the manifest compiled
 * in as `sw.js` at the site's root — so every build with any change ships a different `sw.js`,
 * which is how browsers learn that there is a new version to install.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AstroIntegration } from 'astro';
import { build } from 'esbuild';
import { buildEntries, fingerprintText, type BuiltFile, type OfflineManifest } from './plan.ts';

const sha256 = (data: string | Uint8Array): string =>
  createHash('sha256').update(data).digest('hex');

/** Every file under `dir`, with its path relative to `dir` (`/` separators), digest and size. */
export async function listBuiltFiles(dir: string): Promise<BuiltFile[]> {
  const names = await readdir(dir, { recursive: true, withFileTypes: true });
  const files: BuiltFile[] = [];
  for (const entry of names) {
    if (!entry.isFile()) continue;
    const full = join(entry.parentPath, entry.name);
    const content = await readFile(full);
    files.push({
      path: relative(dir, full).split(sep).join('/'),
      sha256: sha256(content),
      bytes: content.byteLength,
    });
  }
  return files;
}

/** The manifest of a built site: its entries and their fingerprint as the version. */
export async function offlineManifest(dir: string): Promise<OfflineManifest> {
  const entries = buildEntries(await listBuiltFiles(dir));
  return { version: sha256(fingerprintText(entries)).slice(0, 16), entries };
}

const megabytes = (entries: OfflineManifest['entries']) =>
  (entries.reduce((n, e) => n + e.bytes, 0) / 1e6).toFixed(1);

/**
 * Writes `sw.js` into the build output.
 * @param headers the security headers every response of the site carries (scripts/headers.mjs);
 *   the worker puts them on the offline answers it makes itself.
 */
export function offlineServiceWorker(headers: Readonly<Record<string, string>>): AstroIntegration {
  let base = '/';
  let root: URL | null = null;
  return {
    name: 'site:offline-service-worker',
    hooks: {
      'astro:config:done': ({ config }) => {
        base = config.base.endsWith('/') ? config.base : `${config.base}/`;
        root = config.root;
      },
      'astro:build:done': async ({ dir, logger }) => {
        if (root === null) throw new Error('offline service worker: the config was never read');
        const out = fileURLToPath(dir);
        const manifest = await offlineManifest(out);
        const result = await build({
          entryPoints: [fileURLToPath(new URL('src/offline/sw.ts', root))],
          bundle: true,
          format: 'iife',
          target: 'es2022',
          minify: true,
          legalComments: 'none',
          write: false,
          define: { __OFFLINE_BUILD__: JSON.stringify({ manifest, base, headers }) },
        });
        const [script] = result.outputFiles;
        if (!script) throw new Error('offline service worker: esbuild wrote no file');
        await writeFile(join(out, 'sw.js'), script.text);
        const shell = manifest.entries.filter((e) => e.group === 'shell');
        const data = manifest.entries.filter((e) => e.group === 'data');
        logger.info(
          `sw.js (version ${manifest.version}): ${String(shell.length)} files, ${megabytes(shell)} MB saved at install; ` +
            `${String(data.length)} files, ${megabytes(data)} MB in the background`,
        );
      },
    },
  };
}
