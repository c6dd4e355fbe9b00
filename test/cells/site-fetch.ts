/**
 * The site, for lessons run headlessly: `fetch` of a URL on the jsdom page's origin reads the
 * same file under `public/` that the built site serves (the favicon link that lessons take the
 * site's base from is added too). So the cell tests load the shipped model, MNIST and results
 * files through the lessons' own loaders, as a reader's page does; anything else is refused.
 */
import { readFile } from 'node:fs/promises';
import { join, normalize, sep } from 'node:path';

const publicDir = join(import.meta.dirname, '..', '..', 'public');

const TYPES: Record<string, string> = {
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
};

/** Installs the site `fetch` and favicon link; returns a function that undoes both. */
export function installSiteFetch(): () => void {
  const original = globalThis.fetch;
  const origin = location.origin;
  const icon = document.createElement('link');
  icon.rel = 'icon';
  icon.href = `${origin}/favicon.svg`;
  document.head.appendChild(icon);
  globalThis.fetch = async (input: string | URL | Request): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : String(input), location.href);
    if (url.origin !== origin)
      throw new TypeError(`the cell tests reach no other host: ${url.href}`);
    const path = normalize(join(publicDir, decodeURIComponent(url.pathname)));
    if (!path.startsWith(publicDir + sep)) return new Response('forbidden', { status: 403 });
    try {
      const body = await readFile(path);
      const ext = path.slice(path.lastIndexOf('.'));
      return new Response(body, {
        status: 200,
        headers: { 'content-type': TYPES[ext] ?? 'application/octet-stream' },
      });
    } catch {
      return new Response('not found', { status: 404 });
    }
  };
  return () => {
    globalThis.fetch = original;
    icon.remove();
  };
}
