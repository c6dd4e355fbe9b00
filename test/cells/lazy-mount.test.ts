/**
 * Lazy lesson pages in jsdom (mount.ts + open-on-view.ts): outside test mode a cell waits until
 * its section nears the viewport (a controllable IntersectionObserver stands in for the
 * browser's), a cell that comes into view runs what it reads, Run and "Run all cells" start
 * waiting cells, and `?test=1` / `?cells=all` run everything at once.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lesson, render } from './lesson-dom.ts';
import { mountLesson } from '../../src/cells/client/mount.ts';
import { shouldRunLazily } from '../../src/cells/client/open-on-view.ts';

/** Records observed elements; `show(el)` reports it as intersecting. */
class FakeIntersectionObserver {
  static last: FakeIntersectionObserver | null = null;
  readonly observed = new Set<Element>();
  readonly options: IntersectionObserverInit | undefined;
  readonly #callback: IntersectionObserverCallback;
  constructor(callback: IntersectionObserverCallback, options?: IntersectionObserverInit) {
    this.#callback = callback;
    this.options = options;
    FakeIntersectionObserver.last = this;
  }
  observe(el: Element): void {
    this.observed.add(el);
  }
  unobserve(el: Element): void {
    this.observed.delete(el);
  }
  disconnect(): void {
    this.observed.clear();
  }
  show(el: Element): void {
    const entry = { target: el, isIntersecting: true } as unknown as IntersectionObserverEntry;
    this.#callback([entry], this as unknown as IntersectionObserver);
  }
}

const sections = (): HTMLElement[] => [...document.querySelectorAll<HTMLElement>('section.cell')];
const states = (): string =>
  sections()
    .map((e) => e.dataset.state ?? '')
    .join(' ');
async function until(check: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; states: ${states()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
const quiet = () => new Promise((r) => setTimeout(r, 150));
const buttonNamed = (name: string, within: ParentNode = document): HTMLButtonElement => {
  const b = [...within.querySelectorAll('button')].find((x) => x.textContent === name);
  if (!b) throw new Error(`no button "${name}"`);
  return b;
};

Range.prototype.getClientRects = function getClientRects() {
  return [] as unknown as DOMRectList;
};
Range.prototype.getBoundingClientRect = function getBoundingClientRect() {
  return new DOMRect(0, 0, 0, 0);
};

// a and b are cheap; c reads b; d stands alone.
const CELLS = ['a = 2', 'b = a * 10', 'c = `b is ${b}`', 'd = "alone"'];

beforeEach(() => {
  localStorage.clear();
  (globalThis as { IntersectionObserver?: unknown }).IntersectionObserver =
    FakeIntersectionObserver;
  history.replaceState(null, '', '/lessons/lazy-test/');
});
afterEach(() => {
  delete (globalThis as { IntersectionObserver?: unknown }).IntersectionObserver;
  FakeIntersectionObserver.last = null;
  document.body.innerHTML = '';
});

describe('lazy lesson pages', () => {
  it('decide from the query: lazy unless ?test=1 or ?cells=all', () => {
    expect(shouldRunLazily('')).toBe(true);
    expect(shouldRunLazily('?backend=wasm')).toBe(true);
    expect(shouldRunLazily('?test=1')).toBe(false);
    expect(shouldRunLazily('?cells=all&backend=cpu')).toBe(false);
  });

  it('run nothing until a cell nears the viewport; then that cell and what it reads', async () => {
    await mountLesson(render(lesson(CELLS)), { slug: 'lazy-test', version: '' });
    await quiet();
    expect(states()).toBe('pending pending pending pending');
    expect(sections().every((s) => s.hasAttribute('data-waiting'))).toBe(true);
    // Until a cell nears the viewport its code stays the server's <pre> (no editor yet).
    expect(document.querySelectorAll('.cm-content')).toHaveLength(0);
    expect(sections()[0]?.querySelector('pre.cell-source')?.textContent).toBe('a = 2');
    expect(sections()[0]?.querySelector('.cell-status')?.textContent).toMatch(/scroll here/);
    const io = FakeIntersectionObserver.last;
    expect(io?.options?.rootMargin).toMatch(/%/); // Opens ahead of the viewport, not at its edge.
    const c = sections()[2];
    if (!io || !c) throw new Error('no observer or cell');
    io.show(c);
    await until(() => states() === 'fulfilled fulfilled fulfilled pending', 'c and its inputs');
    expect(c.querySelector('.cell-output')?.textContent).toContain('b is 20');
    expect(c.querySelector('.cm-content')?.textContent).toBe('c = `b is ${b}`');
    expect(c.querySelector('pre.cell-source')).toBeNull();
    expect(sections()[0]?.querySelector('.cm-content')).toBeNull(); // Ran as an input; not near.
    expect(c.hasAttribute('data-waiting')).toBe(false);
    expect(io.observed.has(c)).toBe(false);
  });

  it('a restored edit shows in an editor at once (the code shown is the code that runs)', async () => {
    const { editKey } = await import('../../src/cells/persist.ts');
    const { hashSource } = await import('../../src/cells/hash.ts');
    localStorage.setItem(
      editKey('lazy-test', 'n:d'),
      JSON.stringify({
        source: 'd = "edited"',
        originalHash: hashSource('d = "alone"'),
        savedAt: 1,
      }),
    );
    await mountLesson(render(lesson(CELLS)), { slug: 'lazy-test', version: '' });
    expect(sections()[3]?.querySelector('.cm-content')?.textContent).toBe('d = "edited"');
    expect(sections()[0]?.querySelector('.cm-content')).toBeNull();
  });

  it("a waiting cell's Run button runs it; 'Run all cells' runs every cell", async () => {
    await mountLesson(render(lesson(CELLS)), { slug: 'lazy-test', version: '' });
    await quiet();
    const d = sections()[3];
    if (!d) throw new Error('no cell d');
    buttonNamed('Run', d).click();
    await until(() => states() === 'pending pending pending fulfilled', 'd alone');
    const runAll = buttonNamed('Run all cells');
    runAll.click();
    await until(() => states() === 'fulfilled fulfilled fulfilled fulfilled', 'all');
    expect(runAll.disabled).toBe(true);
  });

  for (const query of ['?test=1', '?cells=all']) {
    it(`${query} runs every cell at once, with no 'Run all cells' button`, async () => {
      history.replaceState(null, '', `/lessons/lazy-test/${query}`);
      await mountLesson(render(lesson(CELLS)), { slug: 'lazy-test', version: '' });
      await until(() => states() === 'fulfilled fulfilled fulfilled fulfilled', 'all');
      expect(() => buttonNamed('Run all cells')).toThrow();
    });
  }
});
