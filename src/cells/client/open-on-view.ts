/**
 * Lazy lessons: calls `near(i)` once when cell i's section comes within half a screen of the
 * viewport; the page then makes the cell's editor and opens it in its lazy `LessonRun` (see
 * ../runtime.ts), so a page computes only what the reader is about to see (a cell also opens the
 * cells it reads). Returns a function that stops watching.
 */

/**
 * Whether a lesson page should run its cells lazily: not under tests (`?test=1`), not when the
 * link asks for every cell at once (`?cells=all`), and only where the browser can tell.
 */
export function shouldRunLazily(search: string): boolean {
  const params = new URLSearchParams(search);
  return (
    params.get('test') !== '1' &&
    params.get('cells') !== 'all' &&
    typeof IntersectionObserver === 'function'
  );
}

/** Calls `near(i)` once, when `sections[i]` nears the viewport. */
export function openOnView(
  sections: readonly Element[],
  near: (index: number) => void,
): () => void {
  const index = new Map(sections.map((s, i) => [s, i]));
  const observer = new IntersectionObserver(
    (entries) => {
      for (const entry of entries) {
        if (!entry.isIntersecting) continue;
        const i = index.get(entry.target);
        observer.unobserve(entry.target);
        if (i !== undefined) near(i);
      }
    },
    { rootMargin: '50% 0px 50% 0px' },
  );
  for (const section of sections) observer.observe(section);
  return () => {
    observer.disconnect();
  };
}
