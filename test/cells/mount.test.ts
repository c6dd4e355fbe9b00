/**
 * The browser client (`mountLesson`) in jsdom: editors replace the source, states follow the
 * runtime, saved edits come back, a changed lesson asks before applying an old edit, share links
 * wait for consent, Reset and Reset all restore. TF.js, Plotly and the backend probe are not
 * touched by these cells (they would need a real browser; the e2e tests cover them).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cell, lesson, output, render, states } from './lesson-dom.ts';
import { mountLesson } from '../../src/cells/client/mount.ts';
import { editKey } from '../../src/cells/persist.ts';
import { encodeShare } from '../../src/cells/share.ts';

const SLUG = 'mount-test';
const buttonIn = (el: ParentNode, name: string): HTMLButtonElement => {
  const b = [...el.querySelectorAll('button')].find((x) => x.textContent === name);
  if (!b) throw new Error(`no button "${name}"`);
  return b;
};
const editorText = (key: string): string =>
  cell(key).querySelector('.cm-content')?.textContent ?? '';

async function until(check: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; states: ${states()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
const settled = (): boolean =>
  [...document.querySelectorAll<HTMLElement>('section.cell')].every(
    (e) => e.dataset.state !== 'running',
  );

const base = ['a = 2', 'b = a * 10', '`b is ${b}`'];

// jsdom has no layout; CodeMirror measures text ranges. Give it empty rectangles.
Range.prototype.getClientRects = function getClientRects() {
  return [] as unknown as DOMRectList;
};
Range.prototype.getBoundingClientRect = function getBoundingClientRect() {
  return new DOMRect(0, 0, 0, 0);
};

beforeEach(() => {
  localStorage.clear();
  history.replaceState(null, '', '/lessons/mount-test/');
});
afterEach(() => {
  document.body.innerHTML = '';
});

describe('mountLesson', () => {
  it('replaces sources with editors and runs the cells', async () => {
    const root = render(lesson(base));
    await mountLesson(root, { slug: SLUG, version: '' });
    await until(() => states() === 'a:fulfilled b:fulfilled 2:fulfilled', 'all fulfilled');
    expect(document.querySelectorAll('section.cell .cm-content')).toHaveLength(3);
    expect(document.querySelector('section.cell pre.cell-source')).toBeNull();
    expect(editorText('a')).toBe('a = 2');
    expect(output('2')).toContain('b is 20');
    expect(cell('a').querySelector('.cm-content')?.getAttribute('aria-label')).toBe(
      'Code of live cell 1: a',
    );
    for (const name of ['Run', 'Reset', 'Stop'])
      expect(() => buttonIn(cell('a'), name)).not.toThrow();
    const bar = document.querySelector('[data-lesson-toolbar]') ?? document;
    for (const name of ['Reset all', 'Share']) expect(() => buttonIn(bar, name)).not.toThrow();
  });

  it('restores a saved edit; asks when the lesson changed since the edit', async () => {
    localStorage.setItem(
      editKey(SLUG, 'n:a'),
      JSON.stringify({ source: 'a = 5', originalHash: 'deadbeef', savedAt: 1 }),
    );
    const { hashSource } = await import('../../src/cells/hash.ts');
    localStorage.setItem(
      editKey(SLUG, 'n:b'),
      JSON.stringify({ source: 'b = a * 100', originalHash: hashSource('b = a * 10'), savedAt: 1 }),
    );
    const root = render(lesson(base));
    await mountLesson(root, { slug: SLUG, version: '' });
    await until(settled, 'settled');
    // Cell b's edit matches the current lesson: applied.
    expect(editorText('b')).toBe('b = a * 100');
    // Cell a's edit was made against another version: the new version runs, and the reader is asked.
    expect(editorText('a')).toBe('a = 2');
    expect(output('2')).toContain('b is 200');
    const notice = cell('a').querySelector('.cell-notice');
    expect(notice?.textContent).toMatch(/changed since you edited it/);
    buttonIn(cell('a'), 'Use my edit').click();
    await until(() => output('2').includes('b is 500'), 'edit applied');
    expect(editorText('a')).toBe('a = 5');
    expect(cell('a').querySelector('.cell-notice')?.hasAttribute('hidden')).toBe(true);
    // Stored against the current original now.
    expect(JSON.parse(localStorage.getItem(editKey(SLUG, 'n:a')) ?? '{}')).toMatchObject({
      source: 'a = 5',
      originalHash: hashSource('a = 2'),
    });
  });

  it('"Use the new version" drops the old edit', async () => {
    localStorage.setItem(
      editKey(SLUG, 'n:a'),
      JSON.stringify({ source: 'a = 5', originalHash: 'deadbeef', savedAt: 1 }),
    );
    const root = render(lesson(base));
    await mountLesson(root, { slug: SLUG, version: '' });
    await until(settled, 'settled');
    buttonIn(cell('a'), 'Use the new version').click();
    expect(localStorage.getItem(editKey(SLUG, 'n:a'))).toBeNull();
    expect(editorText('a')).toBe('a = 2');
  });

  it('running a changed cell settles its conflict: what runs is saved', async () => {
    localStorage.setItem(
      editKey(SLUG, 'n:a'),
      JSON.stringify({ source: 'a = 5', originalHash: 'deadbeef', savedAt: 1 }),
    );
    const root = render(lesson(base));
    await mountLesson(root, { slug: SLUG, version: '' });
    await until(settled, 'settled');
    buttonIn(cell('a'), 'Run').click();
    // Issue 23: the old edit is not deleted but kept (listed under "Earlier edits").
    await until(
      () =>
        (cell('a').querySelector('.cell-notice')?.textContent ?? '').includes(
          'earlier edit of this cell is kept',
        ),
      'notice says the old edit is kept',
    );
    expect(localStorage.getItem(editKey(SLUG, 'n:a'))).toBeNull(); // it ran the lesson's own code
    expect(document.querySelector('.cells-kept textarea')).toHaveProperty('value', 'a = 5');
  });

  it('opens a share link without running it until the reader agrees', async () => {
    const encoded = await encodeShare({
      slug: SLUG,
      version: 'v-old',
      cells: [{ index: 0, source: 'a = 7' }],
    });
    history.replaceState(null, '', `/lessons/mount-test/#share=${encoded}`);
    const root = render(lesson(base));
    await mountLesson(root, { slug: SLUG, version: 'v-now' });
    await until(settled, 'settled');
    expect(states()).toBe('a:pending b:pending 2:pending');
    expect(editorText('a')).toBe('a = 7');
    const banner = document.querySelector('.cells-banner');
    expect(banner?.textContent).toMatch(/has not run/);
    expect(banner?.textContent).toMatch(/lesson has changed since the link was made/);
    expect(localStorage.getItem(editKey(SLUG, 'n:a'))).toBeNull();
    if (!banner) throw new Error('no banner');
    buttonIn(banner, 'Run shared code').click();
    await until(() => states() === 'a:fulfilled b:fulfilled 2:fulfilled', 'shared code ran');
    expect(output('2')).toContain('b is 70');
    expect(location.hash).toBe('');
    expect(JSON.parse(localStorage.getItem(editKey(SLUG, 'n:a')) ?? '{}')).toMatchObject({
      source: 'a = 7',
    });
  });

  it('ignores a share link for another lesson, with a notice', async () => {
    const encoded = await encodeShare({
      slug: 'other',
      version: 'v',
      cells: [{ index: 0, source: 'a = 7' }],
    });
    history.replaceState(null, '', `/lessons/mount-test/#share=${encoded}`);
    const root = render(lesson(base));
    await mountLesson(root, { slug: SLUG, version: '' });
    await until(() => states() === 'a:fulfilled b:fulfilled 2:fulfilled', 'fulfilled');
    expect(editorText('a')).toBe('a = 2');
    expect(document.querySelector('.cells-lesson-status')?.textContent).toMatch(/another lesson/);
  });

  it('shows errors inline with their line, clears them when fixed; Reset and Reset all restore', async () => {
    const root = render(lesson(base));
    await mountLesson(root, { slug: SLUG, version: '' });
    await until(settled, 'settled');
    const view = cell('b').querySelector('.cm-content');
    if (!view) throw new Error('no editor');
    const { EditorView } = await import('@codemirror/view');
    const editor = EditorView.findFromDOM(
      cell('b').querySelector<HTMLElement>('.cm-editor') ?? document.body,
    );
    if (!editor) throw new Error('no EditorView');
    const type = (text: string): void => {
      editor.dispatch({ changes: { from: 0, to: editor.state.doc.length, insert: text } });
    };
    type('b = {\n  const x = 1;\n  return x.y.z;\n}');
    buttonIn(cell('b'), 'Run').click();
    await until(() => cell('b').dataset.state === 'rejected', 'rejected');
    const alert = cell('b').querySelector('[role="alert"]');
    expect(alert?.textContent).toMatch(/Line 3: TypeError/);
    const marked = cell('b').querySelectorAll('.cm-line.cm-errorLine');
    expect(marked).toHaveLength(1);
    expect(marked[0]?.textContent).toBe('  return x.y.z;');
    expect(cell('2').dataset.state).toBe('rejected');
    expect(cell('a').dataset.state).toBe('fulfilled');
    type('b = a + 1');
    buttonIn(cell('b'), 'Run').click();
    await until(
      () => cell('b').dataset.state === 'fulfilled' && output('2').includes('b is 3'),
      'fixed',
    );
    expect(alert?.textContent).toBe('');
    expect(cell('b').querySelectorAll('.cm-errorLine')).toHaveLength(0);
    expect(alert?.hasAttribute('hidden')).toBe(true);
    // Saved on run.
    expect(JSON.parse(localStorage.getItem(editKey(SLUG, 'n:b')) ?? '{}')).toMatchObject({
      source: 'b = a + 1',
    });
    buttonIn(cell('b'), 'Reset').click();
    await until(() => output('2').includes('b is 20'), 'reset');
    expect(editorText('b')).toBe('b = a * 10');
    expect(localStorage.getItem(editKey(SLUG, 'n:b'))).toBeNull();
    type('b = 0');
    buttonIn(cell('b'), 'Run').click();
    await until(() => output('2').includes('b is 0'), 'edited again');
    buttonIn(document.querySelector('[data-lesson-toolbar]') ?? document, 'Reset all').click();
    await until(() => output('2').includes('b is 20'), 'reset all');
    expect(localStorage.length).toBe(0);
  });

  it('names the slider of an Inputs.range (axe: every control has a label)', async () => {
    const root = render(
      lesson(['viewof k = Inputs.range([1, 8], {step: 1, value: 2, label: "rank r"})', 'k * 2']),
    );
    await mountLesson(root, { slug: SLUG, version: '' });
    await until(() => states() === 'k:fulfilled 1:fulfilled', 'fulfilled');
    const range = cell('k').querySelector('input[type=range]');
    expect(range?.getAttribute('aria-label')).toBe('rank r (range)');
    const number = cell('k').querySelector('input[type=number]');
    expect(number?.hasAttribute('aria-label')).toBe(false);
    expect(output('1')).toContain('4');
  });

  it('shows a long cell as running with elapsed time, and Stop ends it', async () => {
    const root = render(
      lesson([
        'ticks = { let n = 0; while (true) { n++; await new Promise((r) => setTimeout(r, 5)); } }',
        '1 + 1',
      ]),
    );
    await mountLesson(root, { slug: SLUG, version: '' });
    await until(() => cell('1').dataset.state === 'fulfilled', 'other cell done');
    expect(cell('ticks').dataset.state).toBe('running');
    const stop = buttonIn(cell('ticks'), 'Stop');
    expect(stop.hidden).toBe(false);
    await until(
      () =>
        /Running… \d+\.\d s/.test(cell('ticks').querySelector('.cell-status')?.textContent ?? ''),
      'elapsed time',
      4000,
    );
    stop.click();
    await until(() => cell('ticks').dataset.state === 'rejected', 'stopped');
    expect(cell('ticks').querySelector('[role="alert"]')?.textContent).toMatch(/Stopped by reader/);
    expect(stop.hidden).toBe(true);
    expect(cell('1').dataset.state).toBe('fulfilled');
    buttonIn(cell('ticks'), 'Run').click();
    await until(() => cell('ticks').dataset.state === 'running', 'runs again');
    buttonIn(cell('ticks'), 'Stop').click();
    await until(() => cell('ticks').dataset.state === 'rejected', 'stopped again');
  });

  /** Mounts the base lesson and types `text` into cell `a`'s editor (not run). */
  async function typeIntoA(text: string): Promise<void> {
    const root = render(lesson(base));
    await mountLesson(root, { slug: SLUG, version: '' });
    await until(settled, 'settled');
    const { EditorView } = await import('@codemirror/view');
    const editor = EditorView.findFromDOM(
      cell('a').querySelector<HTMLElement>('.cm-editor') ?? document.body,
    );
    editor?.dispatch({ changes: { from: 0, to: editor.state.doc.length, insert: text } });
  }

  it('writes an edit to storage shortly after it is typed, without running it', async () => {
    await typeIntoA('a = 9');
    expect(localStorage.getItem(editKey(SLUG, 'n:a'))).toBeNull();
    expect(cell('a').hasAttribute('data-edited')).toBe(true);
    await until(() => localStorage.getItem(editKey(SLUG, 'n:a')) !== null, 'debounced save', 2000);
    expect(JSON.parse(localStorage.getItem(editKey(SLUG, 'n:a')) ?? '{}')).toMatchObject({
      source: 'a = 9',
    });
    expect(output('2')).toContain('b is 20');
  });

  it('writes a pending edit at once when the page is hidden (a reload or a closed tab)', async () => {
    await typeIntoA('a = 7');
    expect(localStorage.getItem(editKey(SLUG, 'n:a'))).toBeNull();
    window.dispatchEvent(new Event('pagehide'));
    expect(JSON.parse(localStorage.getItem(editKey(SLUG, 'n:a')) ?? '{}')).toMatchObject({
      source: 'a = 7',
    });
  });

  it('keeps working when storage fails, and says so', async () => {
    const spy = vi.spyOn(Storage.prototype, 'setItem').mockImplementation(() => {
      throw new DOMException('full', 'QuotaExceededError');
    });
    try {
      const root = render(lesson(base));
      await mountLesson(root, { slug: SLUG, version: '' });
      await until(settled, 'settled');
      const editor = (await import('@codemirror/view')).EditorView.findFromDOM(
        cell('a').querySelector<HTMLElement>('.cm-editor') ?? document.body,
      );
      editor?.dispatch({ changes: { from: 0, to: editor.state.doc.length, insert: 'a = 3' } });
      buttonIn(cell('a'), 'Run').click();
      await until(() => output('2').includes('b is 30'), 'ran despite storage failure');
      expect(document.querySelector('.cells-lesson-status')?.textContent).toMatch(
        /cannot be saved/,
      );
    } finally {
      spy.mockRestore();
    }
  });
});
