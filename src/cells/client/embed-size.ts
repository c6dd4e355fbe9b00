/**
 * Tells the page that frames an embed how tall its content is: a ResizeObserver on the embed's
 * root posts `{type: 'lora-embed:height', height}` to `parent` whenever the height changes (and
 * once at start). The message carries only a number, so it is posted to any origin: the host
 * page (any site) resizes its iframe with the script in ../embed-snippet.ts.
 */
import { HEIGHT_MESSAGE } from '../embed-snippet.ts';

/** The message an embed posts. */
export interface HeightMessage {
  readonly type: typeof HEIGHT_MESSAGE;
  readonly height: number;
}

/** The content height (px, rounded up) of `root` including its margins. */
export function contentHeight(root: HTMLElement): number {
  const style = getComputedStyle(root);
  const margins = (parseFloat(style.marginTop) || 0) + (parseFloat(style.marginBottom) || 0);
  return Math.ceil(root.getBoundingClientRect().height + margins);
}

/** Starts reporting `root`'s height to the parent frame; returns a function that stops it. */
export function reportHeight(root: HTMLElement, target: Window = window.parent): () => void {
  if (target === window) return () => undefined; // Not in a frame: nobody to tell.
  let last = -1;
  const post = (): void => {
    const height = contentHeight(root);
    if (height === last) return;
    last = height;
    const message: HeightMessage = { type: HEIGHT_MESSAGE, height };
    target.postMessage(message, '*');
  };
  post();
  if (typeof ResizeObserver !== 'function') {
    const timer = setInterval(post, 500);
    return () => {
      clearInterval(timer);
    };
  }
  const observer = new ResizeObserver(post);
  observer.observe(root);
  return () => {
    observer.disconnect();
  };
}
