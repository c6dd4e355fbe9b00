/**
 * Issue 23, "no reader's edit lost" and "no consent outliving its reason", driven through
 * `mountLesson` in jsdom: share links over edited cells, two tabs (a second tab is simulated by
 * writing localStorage and dispatching the `storage` event the browser would send), a new lesson
 * version that inserts a cell above an edited one, typing in a cell that shows a notice, and shared
 * code that was run once.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cell, lesson, output, render, states } from './lesson-dom.ts';
import { mountLesson } from '../../src/cells/client/mount.ts';
import { editKey, legacyEditKey, parseStoredEdit } from '../../src/cells/persist.ts';
import { hashSource } from '../../src/cells/hash.ts';
import { encodeShare } from '../../src/cells/share.ts';

const SLUG = 'edits-test';
const notice = (key: string): string => cell(key).querySelector('.cell-notice')?.textContent ?? '';
const bar = (): ParentNode => document.querySelector('[data-lesson-toolbar]') ?? document;
const buttonIn = (el: ParentNode, name: string): HTMLButtonElement => {
  const b = [...el.querySelectorAll('button')].find((x) => x.textContent === name);
  if (!b) throw new Error(`no button "${name}"`);
  return b;
};
const editorText = (key: string): string =>
  cell(key).querySelector('.cm-content')?.textContent ?? '';
const stored = (id: string): string | undefined =>
  parseStoredEdit(localStorage.getItem(editKey(SLUG, id)))?.source;
const kept = (): string[] =>
  [...document.querySelectorAll<HTMLTextAreaElement>('.cells-kept textarea')].map((t) => t.value);

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

async function type(key: string, text: string): Promise<void> {
  const { EditorView } = await import('@codemirror/view');
  const editor = EditorView.findFromDOM(
    cell(key).querySelector<HTMLElement>('.cm-editor') ?? document.body,
  );
  if (!editor) throw new Error(`no editor in ${key}`);
  editor.dispatch({ changes: { from: 0, to: editor.state.doc.length, insert: text } });
}

/** Writes an edit as another tab would, and sends the `storage` event a browser sends here. */
function otherTabSaves(id: string, source: string | null, original: string): void {
  const key = editKey(SLUG, id);
  const oldValue = localStorage.getItem(key);
  const newValue =
    source === null
      ? null
      : JSON.stringify({ source, originalHash: hashSource(original), savedAt: Date.now() + 1 });
  if (newValue === null) localStorage.removeItem(key);
  else localStorage.setItem(key, newValue);
  window.dispatchEvent(new StorageEvent('storage', { key, oldValue, newValue }));
}

function saveEdit(id: string, source: string, original: string, extra = {}): void {
  localStorage.setItem(
    editKey(SLUG, id),
    JSON.stringify({ source, originalHash: hashSource(original), savedAt: 1, ...extra }),
  );
}

async function openLink(cells: { index: number; source: string; id?: string }[]): Promise<void> {
  const encoded = await encodeShare({ slug: SLUG, version: 'v', cells });
  history.replaceState(null, '', `/lessons/${SLUG}/#share=${encoded}`);
}

const base = ['a = 2', 'b = a * 10', '`b is ${b}`'];

Range.prototype.getClientRects = function getClientRects() {
  return [] as unknown as DOMRectList;
};
Range.prototype.getBoundingClientRect = function getBoundingClientRect() {
  return new DOMRect(0, 0, 0, 0);
};

beforeEach(() => {
  localStorage.clear();
  history.replaceState(null, '', `/lessons/${SLUG}/`);
});
afterEach(() => {
  window.dispatchEvent(new Event('pagehide'));
  document.body.innerHTML = '';
});

describe('share links over a cell the reader edited', () => {
  it("Discard shared code gives the reader's own edit back and keeps it stored", async () => {
    saveEdit('n:a', 'a = 5', 'a = 2');
    await openLink([{ index: 0, source: 'a = 7' }]);
    await mountLesson(render(lesson(base)), { slug: SLUG, version: 'v' });
    await until(settled, 'settled');
    expect(editorText('a')).toBe('a = 7');
    expect(document.querySelector('.cells-banner')?.textContent).toMatch(
      /replaces your own edit of cell 1/,
    );
    buttonIn(bar(), 'Discard shared code').click();
    await until(() => output('2').includes('b is 50'), "the reader's edit runs");
    expect(editorText('a')).toBe('a = 5');
    expect(stored('n:a')).toBe('a = 5');
  });

  it("Run shared code keeps the reader's edit (offered back) and can be undone", async () => {
    saveEdit('n:a', 'a = 5', 'a = 2');
    await openLink([{ index: 0, source: 'a = 7' }]);
    await mountLesson(render(lesson(base)), { slug: SLUG, version: 'v' });
    await until(settled, 'settled');
    buttonIn(bar(), 'Run shared code').click();
    await until(() => output('2').includes('b is 70'), 'the shared code runs');
    expect(stored('n:a')).toBe('a = 7');
    expect(kept()).toEqual(['a = 5']);
    const banner = document.querySelector('.cells-banner')?.textContent ?? '';
    expect(banner).toMatch(/saved in this browser/);
    expect(banner).toMatch(/does not run until you press Run/);
    buttonIn(bar(), 'Undo: back to my code').click();
    await until(() => output('2').includes('b is 50'), 'undone');
    expect(stored('n:a')).toBe('a = 5');
    expect(kept()).toEqual([]);
  });

  it('shared code that ran once does not run again on a later visit without a click', async () => {
    await openLink([{ index: 0, source: 'a = 7' }]);
    await mountLesson(render(lesson(base)), { slug: SLUG, version: 'v' });
    await until(settled, 'settled');
    buttonIn(bar(), 'Run shared code').click();
    await until(() => output('2').includes('b is 70'), 'ran');
    // A later visit, without the link.
    history.replaceState(null, '', `/lessons/${SLUG}/`);
    await mountLesson(render(lesson(base)), { slug: SLUG, version: 'v' });
    await until(settled, 'settled again');
    expect(editorText('a')).toBe('a = 7');
    expect(states()).toBe('a:pending b:pending 2:pending');
    expect(document.querySelector('.cells-banner')?.textContent).toMatch(/earlier visit/);
    buttonIn(bar(), 'Discard shared code').click();
    await until(() => output('2').includes('b is 20'), "the lesson's code runs");
    expect(stored('n:a')).toBeUndefined();
  });
  it("a shared cell's own Run runs it alone; the other shared cell still waits, with its banner", async () => {
    await openLink([
      { index: 0, source: 'a = 7' },
      { index: 1, source: 'b = a * 3' },
    ]);
    await mountLesson(render(lesson(base)), { slug: SLUG, version: 'v' });
    await until(settled, 'settled');
    buttonIn(cell('a'), 'Run').click();
    await until(() => cell('a').dataset.state === 'fulfilled', 'cell a ran');
    expect(cell('b').dataset.state).toBe('pending');
    expect(editorText('b')).toBe('b = a * 3');
    expect(() => buttonIn(bar(), 'Run shared code')).not.toThrow();
    expect(location.hash).toMatch(/^#share=/);
    expect(document.querySelector('.cells-lesson-status')?.textContent).toMatch(/shared code ran/);
    buttonIn(bar(), 'Discard shared code').click();
    await until(() => output('2').includes('b is 70'), "b's own code with a's shared code");
    expect(location.hash).toBe('');
  });
});

describe('two tabs', () => {
  it("Run on an unedited cell does not remove another tab's saved edit", async () => {
    await mountLesson(render(lesson(base)), { slug: SLUG, version: '' });
    await until(settled, 'settled');
    saveEdit('n:a', 'a = 9', 'a = 2'); // the other tab, after this one loaded
    buttonIn(cell('a'), 'Run').click();
    await until(settled, 'ran');
    expect(stored('n:a')).toBe('a = 9');
  });

  it("an edit typed here while another tab saved the cell keeps the other tab's edit", async () => {
    await mountLesson(render(lesson(base)), { slug: SLUG, version: '' });
    await until(settled, 'settled');
    otherTabSaves('n:a', 'a = 9', 'a = 2');
    expect(notice('a')).toMatch(/changed in another tab/);
    await type('a', 'a = 3');
    window.dispatchEvent(new Event('pagehide'));
    expect(stored('n:a')).toBe('a = 3');
    expect(kept()).toEqual(['a = 9']);
  });

  it("offers the other tab's code, and uses it on request", async () => {
    await mountLesson(render(lesson(base)), { slug: SLUG, version: '' });
    await until(settled, 'settled');
    otherTabSaves('n:b', 'b = a * 3', 'b = a * 10');
    buttonIn(cell('b'), 'Use the other tab’s code').click();
    await until(() => output('2').includes('b is 6'), "the other tab's code runs");
    expect(editorText('b')).toBe('b = a * 3');
  });
});

describe('a new version of the lesson', () => {
  const inserted = ['z = 1', ...base];

  it('keeps an edit on its cell when a cell is inserted above it', async () => {
    saveEdit('n:b', 'b = a * 100', 'b = a * 10', { index: 1 });
    await mountLesson(render(lesson(inserted)), { slug: SLUG, version: '' });
    await until(() => output('3').includes('b is 200'), 'the edit runs in its cell');
    expect(editorText('a')).toBe('a = 2');
    expect(notice('a')).toBe('');
  });

  it('puts the code of a share link made before the insertion into the cell it was made for', async () => {
    // The link's maker saw b at index 1; this version has z above it.
    await openLink([{ index: 1, source: 'b = a * 4', id: 'n:b' }]);
    await mountLesson(render(lesson(inserted)), { slug: SLUG, version: 'v' });
    await until(settled, 'settled');
    expect(editorText('b')).toBe('b = a * 4');
    expect(editorText('a')).toBe('a = 2');
    buttonIn(bar(), 'Run shared code').click();
    await until(() => output('3').includes('b is 8'), 'the shared code runs in b');
  });

  it('a link made by the Share button names its cells', async () => {
    await mountLesson(render(lesson(base)), { slug: SLUG, version: 'v' });
    await until(settled, 'settled');
    await type('b', 'b = a * 5');
    buttonIn(bar(), 'Share').click();
    await until(() => document.querySelector('.cells-share-url') !== null, 'the link');
    const url = (document.querySelector<HTMLInputElement>('.cells-share-url')?.value ?? '').split(
      '#share=',
    )[1];
    const { decodeShare } = await import('../../src/cells/share.ts');
    expect((await decodeShare(url ?? '')).cells).toEqual([
      { index: 1, source: 'b = a * 5', id: 'n:b' },
    ]);
  });

  it('moves an edit stored by position (format 1) to the cell it was made for', async () => {
    localStorage.setItem(
      legacyEditKey(SLUG, 1),
      JSON.stringify({ source: 'b = a * 100', originalHash: hashSource('b = a * 10'), savedAt: 1 }),
    );
    await mountLesson(render(lesson(inserted)), { slug: SLUG, version: '' });
    await until(() => output('3').includes('b is 200'), 'the edit runs in its cell');
    expect(notice('a')).toBe('');
    expect(stored('n:b')).toBe('b = a * 100');
  });

  it('an edit of a cell that is gone is kept and offered back', async () => {
    saveEdit('n:gone', 'gone = 2', 'gone = 1', { index: 3, name: 'gone' });
    await mountLesson(render(lesson(base)), { slug: SLUG, version: '' });
    await until(settled, 'settled');
    expect(kept()).toEqual(['gone = 2']);
    expect(document.querySelector('.cells-kept summary')?.textContent).toMatch(/Earlier edits/);
    buttonIn(bar(), 'Forget').click();
    expect(kept()).toEqual([]);
    expect(localStorage.length).toBe(0);
  });

  it('typing in a cell that shows "changed since you edited it", then leaving, saves it', async () => {
    saveEdit('n:a', 'a = 5', 'a = 1 // an older version');
    await mountLesson(render(lesson(base)), { slug: SLUG, version: '' });
    await until(settled, 'settled');
    expect(notice('a')).toMatch(/changed since you edited it/);
    await type('a', 'a = 4');
    window.dispatchEvent(new Event('pagehide'));
    expect(stored('n:a')).toBe('a = 4');
    expect(kept()).toEqual(['a = 5']);
  });
});
