/**
 * The host side of embeds, for pages of this site that frame a cell (the instructors' page): the
 * same rule as the snippet instructors paste (../embed-snippet.ts HOST_RESIZE_SCRIPT), as a
 * module, because this site's CSP allows no inline script.
 */
import { HEIGHT_MESSAGE, MAX_HEIGHT, MIN_HEIGHT } from '../embed-snippet.ts';

/** Resizes every `iframe[data-lora-embed]` in `doc` to the height its embed reports. */
export function listenForEmbedHeights(doc: Document = document): () => void {
  const onMessage = (event: MessageEvent<unknown>): void => {
    const data = event.data as { type?: unknown; height?: unknown } | null;
    if (typeof data !== 'object' || data?.type !== HEIGHT_MESSAGE) return;
    const height = data.height;
    if (typeof height !== 'number' || !Number.isFinite(height)) return;
    for (const frame of doc.querySelectorAll<HTMLIFrameElement>('iframe[data-lora-embed]')) {
      if (frame.contentWindow !== event.source) continue;
      frame.style.height = `${String(Math.min(MAX_HEIGHT, Math.max(MIN_HEIGHT, Math.ceil(height))))}px`;
    }
  };
  const view = doc.defaultView ?? window;
  view.addEventListener('message', onMessage);
  return () => {
    view.removeEventListener('message', onMessage);
  };
}
