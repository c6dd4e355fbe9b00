/**
 * Registers the offline service worker (`/sw.js`, see `sw.ts`) from every page but the embeds
 * (src/layouts/Base.astro, production builds only: `astro dev` serves no `sw.js`). It waits until
 * the page has loaded and the browser is idle, so saving the site never competes with the page's
 * own first downloads; once the worker is active it asks for the data group (model, MNIST) to be
 * saved too, unless the browser asks to save data (then those files are saved when a lesson first
 * uses them).
 */
import type { ToServiceWorker } from './plan.ts';

/** Whether the reader's browser asks sites to use less data (Network Information API). */
function savesData(): boolean {
  const connection = (navigator as { connection?: { saveData?: unknown } }).connection;
  return connection?.saveData === true;
}

async function register(base: string): Promise<void> {
  // Playwright's `serviceWorkers: 'block'` (the e2e tests) makes register() resolve to undefined.
  const registration = (await navigator.serviceWorker.register(`${base}sw.js`, {
    scope: base,
    updateViaCache: 'none',
  })) as ServiceWorkerRegistration | undefined;
  if (!registration) return;
  const ready = await navigator.serviceWorker.ready;
  if (!savesData()) {
    const warm: ToServiceWorker = { type: 'offline:warm' };
    ready.active?.postMessage(warm);
  }
}

/** Registers the service worker for the site at `base` (e.g. `/`) once the page is idle. */
export function registerOffline(base: string): void {
  if (!('serviceWorker' in navigator)) return;
  const start = () => {
    register(base).catch((error: unknown) => {
      // Offline use is an extra: the page works the same without it. Say why, quietly.
      console.warn(
        `Offline use is not available: ${error instanceof Error ? error.message : String(error)}`,
      );
    });
  };
  const whenIdle = () => {
    if (typeof requestIdleCallback === 'function') requestIdleCallback(start, { timeout: 5000 });
    else setTimeout(start, 1000);
  };
  if (document.readyState === 'complete') whenIdle();
  else addEventListener('load', whenIdle, { once: true });
}
