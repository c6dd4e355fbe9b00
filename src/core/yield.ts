/**
 * Time slicing for long computations that run on a page's main thread (a sweep, a training loop,
 * an evaluation in batches). On TF.js's CPU and WASM backends `await tensor.data()` resolves as a
 * microtask, so an `async` loop of many steps never returns to the event loop: the page cannot
 * paint or answer input until the whole loop ends. Calling a {@link slicer}'s function between
 * steps yields once its time budget is spent, and costs nothing otherwise (also in Node).
 */

interface SchedulerLike {
  yield?: () => Promise<void>;
}

/** Lets the browser handle input and paint: `scheduler.yield()` where it exists, else a task. */
export function yieldToMain(): Promise<void> {
  const scheduler = (globalThis as { scheduler?: SchedulerLike }).scheduler;
  if (typeof scheduler?.yield === 'function') return scheduler.yield();
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * A function to await between units of work: it yields to the event loop when more than
 * `budgetMs` have passed since it last did (or was made), and resolves at once otherwise.
 * Throws a RangeError naming the value when `budgetMs` is not a positive number.
 */
export function slicer(budgetMs: number): () => Promise<void> {
  if (!(budgetMs > 0))
    throw new RangeError(`slicer: budgetMs must be > 0, got ${String(budgetMs)}`);
  let since = performance.now();
  return async () => {
    if (performance.now() - since < budgetMs) return;
    await yieldToMain();
    since = performance.now();
  };
}

/** The budget the core's loops use: well under the 50 ms a long task starts at. */
export const SLICE_MS = 30;
