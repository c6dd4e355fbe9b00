/** Small async helpers of the fine-tuning session. */

/** Resolves with null when `signal` aborts (never, without a signal). */
export function aborted(signal: AbortSignal | undefined): Promise<null> {
  return new Promise((resolve) => {
    if (!signal) return;
    if (signal.aborted) resolve(null);
    else
      signal.addEventListener(
        'abort',
        () => {
          resolve(null);
        },
        { once: true },
      );
  });
}

/** Waits for one macrotask: a worker's message or a page's paint gets in. */
export const macrotask = (): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, 0);
  });
