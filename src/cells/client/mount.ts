/**
 * Browser entry of the live cells: `mountLesson(root, {slug, version})` finds the lesson's
 * `section.cell` elements (server markup from remark-cells.ts), gives each an editor, toolbar and
 * output (cell-view.ts), runs them all in one Observable runtime (../runtime.ts) with the browser
 * built-ins, restores the reader's saved edits (../persist.ts; asking when the lesson changed
 * since), and opens share links (../share.ts) without running their code until the reader agrees.
 * Outside tests (`?test=1`) a cell runs only when the reader gets near it or presses Run
 * (open-on-view.ts), so the page does not compute at load what nobody is looking at.
 */
import '@observablehq/inputs/dist/index.css';
import './cells.css';
import { hashSource, lessonVersion } from '../hash.ts';
import { createEditStore, resolveEdit, type StoredEdit } from '../persist.ts';
import { runCells, type LessonRun } from '../runtime.ts';
import { decodeShare, encodeShare, shareParam, shareUrl, type SharePayload } from '../share.ts';
import { announceBackend, chooseBrowserBackend } from '../backend.ts';
import type { BackendChoice } from '../../core/backend.ts';
import { cellName } from '../extract.ts';
import { createBrowserBuiltins } from './builtins-browser.ts';
import { CellView, readSource } from './cell-view.ts';
import { button, h } from './dom.ts';
import { addCopyEmbedButtons } from './embed-copy.ts';
import { LessonBar } from './lesson-bar.ts';
import { openOnView, shouldRunLazily } from './open-on-view.ts';
import { slicer } from './yield.ts';

export interface MountOptions {
  readonly slug: string;
  /** Hash of the lesson's cell sources; computed from the page when empty. */
  readonly version: string;
  /** Open every cell at once (the reader pressed "Run all cells" before the runtime loaded). */
  readonly runAll?: boolean;
}

const SAVE_DELAY_MS = 300;

function toolbarContainer(root: HTMLElement): HTMLElement {
  const existing =
    root.querySelector<HTMLElement>('[data-lesson-toolbar]') ??
    document.querySelector<HTMLElement>('[data-lesson-toolbar]');
  if (existing) return existing;
  const created = h('div', { 'data-lesson-toolbar': true, class: 'lesson-toolbar' });
  root.prepend(created);
  return created;
}

async function readShared(
  slug: string,
): Promise<{ payload: SharePayload | null; problem: string }> {
  const param = shareParam(location.hash);
  if (param === null) return { payload: null, problem: '' };
  try {
    const payload = await decodeShare(param);
    if (payload.slug !== slug) {
      return {
        payload: null,
        problem: `The share link is for another lesson (“${payload.slug}”); it was ignored.`,
      };
    }
    return { payload, problem: '' };
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    return {
      payload: null,
      problem: `The share link could not be read: ${why}. The lesson's own code is shown.`,
    };
  }
}

function dropShareFragment(): void {
  if (location.hash === '') return;
  history.replaceState(history.state, '', `${location.pathname}${location.search}`);
}

/** Mounts the live cells of one lesson. Safe to call once per root. */
export async function mountLesson(root: HTMLElement, opts: MountOptions): Promise<void> {
  if (root.dataset.cellsMounted !== undefined) return;
  root.dataset.cellsMounted = '';
  const { slug } = opts;
  const sections = [...root.querySelectorAll<HTMLElement>('section.cell')];
  const originals = sections.map(readSource);
  const version = opts.version === '' ? lessonVersion(originals) : opts.version;
  const helpId = `cells-help-${slug || 'lesson'}`;

  // Under tests the backend is decided (and shown) now; on a reader's page when a cell first
  // needs TF.js, since probing WebGPU and WebGL is a long task. TF.js loads on first need.
  const lazy = shouldRunLazily(location.search);
  let decided: Promise<BackendChoice> | null = null;
  const choice = (): Promise<BackendChoice> => {
    if (decided === null) {
      decided = chooseBrowserBackend();
      decided.then(announceBackend, () => undefined);
    }
    return decided;
  };
  if (!lazy) void choice();

  let storageWarned = false;
  const bar: { current: LessonBar | null } = { current: null };
  const store = createEditStore(
    () => window.localStorage,
    () => {
      if (storageWarned) return;
      storageWarned = true;
      bar.current?.status(
        'Your edits cannot be saved in this browser (storage is off or full); they will be lost when you leave the page.',
      );
    },
  );

  const shared = await readShared(slug);
  const deferred = new Set<number>();
  const conflicts = new Map<number, StoredEdit>();
  const initial = originals.map((original, i) => {
    const fromLink = shared.payload?.cells.find((c) => c.index === i);
    if (fromLink && fromLink.source !== original) {
      deferred.add(i);
      return fromLink.source;
    }
    const resolution = resolveEdit(original, store.load(slug, i));
    if (resolution.kind === 'edit') return resolution.source;
    if (resolution.kind === 'conflict') conflicts.set(i, resolution.edit);
    return original;
  });

  const timers = new Map<number, ReturnType<typeof setTimeout>>();
  const save = (view: CellView): void => {
    const t = timers.get(view.index);
    if (t !== undefined) clearTimeout(t);
    timers.delete(view.index);
    if (deferred.has(view.index)) return; // Shared code is not the reader's edit until run.
    if (!conflicts.has(view.index)) store.save(slug, view.index, view.source, view.original);
  };

  let run: LessonRun | null = null;
  const views: CellView[] = [];

  const runView = (view: CellView): void => {
    if (deferred.delete(view.index)) {
      view.notice(null);
      updateBanner();
    }
    // Running the cell is a choice: the old edit of a changed cell gives way to what runs now.
    if (conflicts.delete(view.index)) view.notice(null);
    save(view);
    run?.define(view.index, view.source);
  };

  const resetView = (view: CellView): void => {
    deferred.delete(view.index);
    conflicts.delete(view.index);
    view.notice(null);
    view.setSource(view.original);
    store.remove(slug, view.index);
    run?.define(view.index, view.original);
  };

  // One editor at a time, yielding every few milliseconds (a phone is several times slower than
  // this budget suggests): a lesson has up to ~30 editors, and making them in one go was a long
  // task that froze the page as it loaded.
  const pause = slicer(8);
  for (const [i, section] of sections.entries()) {
    await pause();
    const original = originals[i] ?? '';
    views.push(
      new CellView({
        root: section,
        index: i,
        name: cellName(original),
        source: initial[i] ?? original,
        original,
        helpId,
        onRun: runView,
        onStop: (view) => run?.stop(view.index),
        onReset: (view) => {
          resetView(view);
          updateBanner();
        },
        deferEditor: lazy,
        onEdit: (view) => {
          const t = timers.get(view.index);
          if (t !== undefined) clearTimeout(t);
          timers.set(
            view.index,
            setTimeout(() => {
              save(view);
            }, SAVE_DELAY_MS),
          );
        },
      }),
    );
  }

  // A reload, a closed tab or a switch away must not lose the last keystrokes (the save waits
  // SAVE_DELAY_MS after each): write every pending edit at once when the page is hidden.
  const flushEdits = (): void => {
    for (const view of views) if (timers.has(view.index)) save(view);
  };
  window.addEventListener('pagehide', flushEdits);
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'hidden') flushEdits();
  });

  addCopyEmbedButtons(views, slug);

  bar.current = new LessonBar({
    container: toolbarContainer(root),
    helpId,
    onResetAll: () => {
      for (const view of views) {
        if (
          view.source !== view.original ||
          deferred.has(view.index) ||
          conflicts.has(view.index)
        ) {
          resetView(view);
        }
      }
      dropShareFragment();
      updateBanner();
      bar.current?.status('Every cell has its original code again.');
    },
    onShare: () => {
      void share();
    },
    ...(lazy && opts.runAll !== true
      ? {
          onRunAll: () => {
            for (let i = 0; i < views.length; i++) run?.open(i);
          },
        }
      : {}),
  });
  if (shared.problem !== '') bar.current.status(shared.problem);

  function updateBanner(): void {
    if (deferred.size === 0) {
      bar.current?.banner(null);
      return;
    }
    const list = [...deferred].map((i) => String(i + 1)).join(', ');
    const stale =
      shared.payload && shared.payload.version !== version
        ? ' The lesson has changed since the link was made, so the shared code may not fit it.'
        : '';
    bar.current?.banner([
      h(
        'p',
        {},
        h('strong', {}, 'This link carries code someone else edited'),
        ` (cell${deferred.size === 1 ? '' : 's'} ${list}). It is shown in the editor${deferred.size === 1 ? '' : 's'} but has not run. Read it first; run it only if you trust it.${stale}`,
      ),
      button('Run shared code', () => {
        for (const i of [...deferred]) {
          const view = views[i];
          if (view) runView(view);
        }
        dropShareFragment();
        updateBanner();
      }),
      button('Discard shared code', () => {
        for (const i of [...deferred]) {
          const view = views[i];
          if (view) resetView(view);
        }
        dropShareFragment();
        updateBanner();
      }),
    ]);
  }

  async function share(): Promise<void> {
    const cells = views
      .filter((v) => v.source !== v.original)
      .map((v) => ({ index: v.index, source: v.source }));
    const base = `${location.origin}${location.pathname}${location.search}`;
    const url =
      cells.length === 0 ? base : shareUrl(base, await encodeShare({ slug, version, cells }));
    let copied = false;
    try {
      await navigator.clipboard.writeText(url);
      copied = true;
    } catch {
      // No clipboard permission (or no secure context): the link is shown to copy by hand.
    }
    const what =
      cells.length === 0
        ? 'No cell is edited; this link opens the lesson as it is.'
        : `Link with ${String(cells.length)} edited cell${cells.length === 1 ? '' : 's'}`;
    bar.current?.showLink(url, `${what}${copied ? ' — copied to the clipboard:' : ':'}`);
  }

  for (const i of deferred) {
    views[i]?.notice(
      [
        h('strong', {}, 'Shared code, not run yet. '),
        'This cell holds code from the link you opened. Use “Run shared code” above when you have read it.',
      ],
      'warn',
    );
  }
  for (const [i, edit] of conflicts) {
    const view = views[i];
    if (!view) continue;
    view.notice(
      [
        h(
          'p',
          {},
          h('strong', {}, 'This cell changed since you edited it. '),
          'The lesson’s new version is shown and has run; your edit is kept until you choose.',
        ),
        button('Use my edit', () => {
          conflicts.delete(i);
          view.notice(null);
          view.setSource(edit.source);
          store.save(slug, i, edit.source, view.original);
          run?.define(i, edit.source);
        }),
        button('Use the new version', () => {
          conflicts.delete(i);
          view.notice(null);
          store.remove(slug, i);
        }),
      ],
      'warn',
    );
  }
  updateBanner();

  run = runCells(initial, {
    builtins: createBrowserBuiltins({ root, choice }),
    observerFor: (i) => views[i] ?? {},
    deferred,
    lazy,
  });
  if (lazy) {
    openOnView(sections, (i) => {
      views[i]?.ensureEditor();
      run.open(i);
    });
    if (opts.runAll === true) for (let i = 0; i < views.length; i++) run.open(i);
  }
  root.dataset.cellsVersion = version;
  root.dataset.cellsSourceHash = hashSource(originals.join('\u0000'));
  await Promise.resolve();
}
