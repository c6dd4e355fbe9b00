/**
 * Time slicing for page work that would otherwise be one long task (mounting a lesson's editors):
 * `slicer(budgetMs)` returns a function to call between units of work; it yields to the event
 * loop (input, paint) once `budgetMs` have passed since the last yield, and is free otherwise.
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

/** A function that yields when more than `budgetMs` passed since it last did (or was made). */
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
