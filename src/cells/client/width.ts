/** The `width` built-in in the browser: the lesson column's width, following resizes. */
import { observe } from '../generators.ts';

/** A function returning a generator of `element`'s content width in px (for `new Runtime`). */
export function widthOf(element: HTMLElement): () => Generator<Promise<number>, undefined> {
  return () =>
    observe<number>((change) => {
      let width = change(element.clientWidth);
      if (typeof ResizeObserver !== 'function') return undefined;
      const observer = new ResizeObserver(() => {
        const w = element.clientWidth;
        if (w !== width) width = change(w);
      });
      observer.observe(element);
      return () => {
        observer.disconnect();
      };
    });
}
