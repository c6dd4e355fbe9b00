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
import {
  cellIds,
  createEditStore,
  editKey,
  isLessonEditKey,
  parseStoredEdit,
  resolveEdit,
  sameEdit,
  type CellRef,
  type StoredEdit,
} from '../persist.ts';
import { runCells, type LessonRun } from '../runtime.ts';
import {
  decodeShare,
  encodeShare,
  placeSharedCells,
  shareParam,
  shareUrl,
  type SharedCell,
  type SharePayload,
} from '../share.ts';
import { announceBackend, chooseBrowserBackend } from '../backend.ts';
import type { BackendChoice } from '../../core/backend.ts';
import { cellName } from '../extract.ts';
import { createBrowserBuiltins } from './builtins-browser.ts';
import { CellView, readSource } from './cell-view.ts';
import { button, h } from './dom.ts';
import { addCopyEmbedButtons } from './embed-copy.ts';
import { attachExercises } from './exercise-view.ts';
import { exercisesOf } from '../exercises/index.ts';
import { createProgressStore } from '../exercises/progress.ts';
import { LessonBar } from './lesson-bar.ts';
import { openOnView, shouldRunLazily } from './open-on-view.ts';
import { slicer } from './yield.ts';
import { documentLang, editionKey, type Lang } from '../../lib/i18n.ts';
import { clientText, type ClientText } from './text.ts';

export interface MountOptions {
  readonly slug: string;
  /**
   * The page's edition. Each edition keeps its own stored edits and share links (its cells' text
   * differs), under {@link editionKey}; exercises and their progress are the same in both.
   * Its words are the chrome's in this language (client/text.ts). Default: `<html lang>`.
   */
  readonly lang?: Lang;
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
  lang: Lang,
  text: ClientText,
): Promise<{ payload: SharePayload | null; problem: string }> {
  const param = shareParam(location.hash);
  if (param === null) return { payload: null, problem: '' };
  try {
    const payload = await decodeShare(param, lang);
    if (payload.slug !== slug) {
      return { payload: null, problem: text.lesson.otherLesson(payload.slug) };
    }
    return { payload, problem: '' };
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    return { payload: null, problem: text.lesson.unreadable(why) };
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
  const lessonSlug = opts.slug;
  const lang = opts.lang ?? documentLang();
  const text = clientText(lang);
  const words = text.lesson;
  // Stored edits and share links are the edition's own: `ja/<slug>` in the Japanese edition.
  const slug = editionKey(lessonSlug, lang);
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
  const storageFailed = (): void => {
    if (storageWarned) return;
    storageWarned = true;
    bar.current?.status(words.storageFailed);
  };
  const store = createEditStore(() => window.localStorage, storageFailed);

  const shared = await readShared(slug, lang, text);
  const names = originals.map(cellName);
  const ids = cellIds(originals.map((original, i) => ({ name: names[i] ?? null, original })));
  const refs: CellRef[] = originals.map((original, index) => ({
    slug,
    id: ids[index] ?? String(index),
    index,
    name: names[index] ?? null,
    original,
  }));
  store.migrateLegacy(slug, refs);
  // A link's cells go to the cells they name (a lesson that gained a cell does not shift them).
  const placed = placeSharedCells(shared.payload?.cells ?? [], ids);
  if (placed.unplaced.length > 0 && shared.problem === '') {
    shared.problem = words.unplaced(placed.unplaced.map((c) => c.index));
  }

  /** Cells whose code waits for consent: from the link, or shared code saved on an earlier visit. */
  const deferred = new Map<number, 'link' | 'saved'>();
  /** What a deferred cell holds without the shared code: the reader's edit or the original. */
  const ownCode = new Map<number, string>();
  /** The shared code of a cell, while the cell still holds it unchanged. */
  const sharedCode = new Map<number, string>();
  const conflicts = new Map<number, StoredEdit>();
  /** The edit each cell last read from or wrote to storage: what this tab has seen. */
  const seen: (StoredEdit | null)[] = [];
  let savedSharedAt = 0;
  const initial = refs.map((ref) => {
    const i = ref.index;
    const stored = store.load(slug, ref.id);
    seen[i] = stored;
    const resolution = resolveEdit(ref.original, stored);
    if (resolution.kind === 'conflict') conflicts.set(i, resolution.edit);
    const start = resolution.kind === 'edit' ? resolution.source : ref.original;
    const fromLink = placed.byIndex.get(i);
    if (fromLink !== undefined && fromLink !== start) {
      deferred.set(i, 'link');
      ownCode.set(i, start);
      sharedCode.set(i, fromLink);
      return fromLink;
    }
    if (resolution.kind === 'edit' && stored?.origin === 'share') {
      // Consent was given on an earlier visit, for that visit: shown again, run on a new click.
      deferred.set(i, 'saved');
      ownCode.set(i, ref.original);
      sharedCode.set(i, stored.source);
      savedSharedAt = Math.max(savedSharedAt, stored.savedAt);
    }
    return start;
  });

  const timers = new Map<number, ReturnType<typeof setTimeout>>();
  const keptNote = (view: CellView, what: string): void => {
    view.notice([h('strong', {}, what), words.keptWhere]);
  };
  const save = (view: CellView): void => {
    const i = view.index;
    const t = timers.get(i);
    if (t !== undefined) clearTimeout(t);
    timers.delete(i);
    const ref = refs[i];
    if (!ref) return;
    if (deferred.has(i)) return; // Shared code is not the reader's edit until run.
    const old = conflicts.get(i);
    if (old !== undefined && view.source !== old.source) {
      // Typing in (or running) a cell whose lesson code changed since the reader's edit: the old
      // edit is kept, then what the reader has now is saved.
      conflicts.delete(i);
      if (store.keep(slug, old) !== null) keptNote(view, words.earlierKept);
    }
    const origin = sharedCode.get(i) === view.source ? 'share' : 'reader';
    if (origin === 'reader') sharedCode.delete(i);
    const outcome = store.save(ref, view.source, seen[i] ?? null, origin);
    seen[i] = outcome.stored;
    if (outcome.displaced !== null) {
      keptNote(view, words.otherTabSaved);
    }
    if (old !== undefined || outcome.displaced !== null) refreshKept();
  };

  let run: LessonRun | null = null;
  const views: CellView[] = [];

  const runView = (view: CellView): void => {
    if (deferred.has(view.index)) {
      runShared([view.index]);
      return;
    }
    // Running the cell is a choice: the old edit of a changed cell gives way (it is kept).
    if (conflicts.has(view.index)) view.notice(null);
    save(view);
    run?.define(view.index, view.source);
  };

  const resetView = (view: CellView): void => {
    const i = view.index;
    deferred.delete(i);
    conflicts.delete(i);
    sharedCode.delete(i);
    view.notice(null);
    view.setSource(view.original);
    const ref = refs[i];
    if (ref) seen[i] = store.remove(slug, ref.id, seen[i] ?? null).stored;
    run?.define(i, view.original);
  };

  /** Runs the shared code of `cells` (the reader agreed); their own edits are kept. */
  function runShared(cells: readonly number[]): void {
    const undo: { view: CellView; code: string; keptKey: string | null }[] = [];
    for (const i of cells) {
      const view = views[i];
      const ref = refs[i];
      if (!view || !ref || !deferred.has(i)) continue;
      const own = ownCode.get(i) ?? view.original;
      deferred.delete(i);
      view.notice(null);
      // The reader's own edit is kept before the shared code takes its place.
      const mine = seen[i] ?? null;
      const keptKey =
        own !== view.original && mine !== null && mine.origin !== 'share'
          ? store.keep(slug, mine)
          : null;
      undo.push({ view, code: own, keptKey });
      save(view);
      run?.define(i, view.source);
    }
    // The link is dropped once none of its code waits any more (a reload would offer it again).
    if (![...deferred.values()].includes('link')) dropShareFragment();
    if (undo.length === 0) {
      updateBanner();
      return;
    }
    const kept = undo.filter((u) => u.keptKey !== null);
    const said = words.sharedSaved(
      undo.map((u) => u.view.index),
      kept.length,
    );
    refreshKept();
    if (deferred.size > 0) {
      // Other shared cells still wait: their banner stays, and this is said in the status line.
      updateBanner();
      bar.current?.status(`${words.sharedRan}${said}`);
      return;
    }
    bar.current?.banner([
      h('p', {}, h('strong', {}, words.sharedRan), said),
      button(words.undo, () => {
        for (const u of undo) {
          sharedCode.delete(u.view.index);
          u.view.setSource(u.code);
          save(u.view);
          if (u.keptKey !== null) store.forget(u.keptKey);
          run?.define(u.view.index, u.code);
        }
        refreshKept();
        bar.current?.banner(null);
        bar.current?.status(words.undone);
      }),
      button(words.ok, () => {
        bar.current?.banner(null);
      }),
    ]);
  }

  /** Discards the shared code of `cells`: each gets back what it held before, nothing is deleted. */
  function discardShared(cells: readonly number[]): void {
    for (const i of cells) {
      const view = views[i];
      const ref = refs[i];
      if (!view || !ref) continue;
      const why = deferred.get(i);
      deferred.delete(i);
      sharedCode.delete(i);
      view.notice(null);
      const own = ownCode.get(i) ?? view.original;
      view.setSource(own);
      // Shared code saved on an earlier visit is removed; the reader's own edit is never touched.
      if (why === 'saved') seen[i] = store.remove(slug, ref.id, seen[i] ?? null).stored;
      const conflict = conflicts.get(i);
      if (conflict) showConflict(i, conflict);
      run?.define(i, own);
    }
    dropShareFragment();
    updateBanner();
  }

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
        lang,
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

  addCopyEmbedButtons(views, lessonSlug, lang);

  bar.current = new LessonBar({
    container: toolbarContainer(root),
    helpId,
    lang,
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
      bar.current?.status(words.allReset);
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

  // Exercises (exercise-view.ts): the reader's own code is kept under "Earlier edits" before
  // the solution or the starter code takes its place.
  const keepOwn = (view: CellView, unless: string): void => {
    save(view);
    const mine = seen[view.index] ?? null;
    if (mine !== null && mine.source !== unless && mine.source !== view.original) {
      store.keep(slug, mine);
      refreshKept();
    }
  };
  attachExercises({
    slug: lessonSlug,
    views,
    exercises: exercisesOf(lessonSlug),
    progress: createProgressStore(() => window.localStorage, storageFailed),
    replaceCode: (view, code) => {
      keepOwn(view, code);
      view.setSource(code);
      runView(view);
    },
    startOver: (view, solution) => {
      keepOwn(view, solution);
      resetView(view);
      updateBanner();
    },
  });

  function updateBanner(): void {
    if (deferred.size === 0) {
      bar.current?.banner(null);
      return;
    }
    const cells = [...deferred.keys()].sort((a, b) => a - b);
    const fromLink = cells.filter((i) => deferred.get(i) === 'link');
    const said = words.banner({
      fromLink: fromLink.length > 0,
      cells,
      savedAt: savedSharedAt,
      overOwn: cells.filter((i) => (ownCode.get(i) ?? '') !== (views[i]?.original ?? '')),
      stale: fromLink.length > 0 && shared.payload !== null && shared.payload.version !== version,
    });
    bar.current?.banner([
      h('p', {}, h('strong', {}, said.intro), said.text),
      button(words.runShared, () => {
        runShared(cells.filter((i) => deferred.has(i)));
      }),
      button(words.discardShared, () => {
        discardShared(cells.filter((i) => deferred.has(i)));
      }),
    ]);
  }

  /** Lists the edits no cell holds (kept ones, and those of cells this version no longer has). */
  function refreshKept(): void {
    const orphans = store.orphans(slug, ids);
    bar.current?.kept(
      orphans.map(({ key, edit }) => ({
        label: words.keptLabel(edit),
        source: edit.source,
        forget: () => {
          store.forget(key);
          refreshKept();
        },
      })),
    );
  }

  function showConflict(i: number, edit: StoredEdit): void {
    const view = views[i];
    const ref = refs[i];
    if (!view || !ref) return;
    view.notice(
      [
        h('p', {}, h('strong', {}, words.conflictTitle), words.conflictText),
        button(words.useMine, () => {
          conflicts.delete(i);
          view.notice(null);
          view.setSource(edit.source);
          save(view);
          run?.define(i, edit.source);
        }),
        button(words.useNew, () => {
          conflicts.delete(i);
          view.notice(null);
          seen[i] = store.remove(slug, ref.id, seen[i] ?? null).stored;
        }),
      ],
      'warn',
    );
  }

  // Another tab of this lesson saved or removed a cell's edit: this tab never overwrites it
  // unseen (the store keeps it), and says so, offering both versions.
  window.addEventListener('storage', (event) => {
    if (event.key === null) {
      refreshKept();
      return;
    }
    if (!isLessonEditKey(event.key, slug)) return;
    refreshKept();
    const i = refs.findIndex((r) => editKey(slug, r.id) === event.key);
    const view = views[i];
    if (!view) return;
    const theirs = parseStoredEdit(event.newValue);
    if (sameEdit(theirs, seen[i] ?? null)) return;
    if (deferred.has(i)) return; // Unrun shared code is not saved; the other tab's edit waits.
    if ((theirs?.source ?? view.original) === view.source && !timers.has(i)) {
      seen[i] = theirs;
      return;
    }
    view.notice(
      [
        h(
          'p',
          {},
          h('strong', {}, theirs === null ? words.resetElsewhere : words.changedElsewhere),
          words.otherTabText,
        ),
        button(theirs === null ? words.useLesson : words.useOtherTab, () => {
          const t = timers.get(i);
          if (t !== undefined) clearTimeout(t);
          timers.delete(i);
          const latest = store.load(slug, refs[i]?.id ?? '');
          seen[i] = latest;
          conflicts.delete(i);
          view.notice(null);
          const code = latest?.source ?? view.original;
          view.setSource(code);
          run?.define(i, code);
        }),
        button(words.keepThisTab, () => {
          view.notice(null);
          save(view);
        }),
      ],
      'warn',
    );
  });

  async function share(): Promise<void> {
    const cells = views
      .filter((v) => v.source !== v.original)
      .map((v): SharedCell => {
        const id = refs[v.index]?.id;
        return id === undefined
          ? { index: v.index, source: v.source }
          : { index: v.index, source: v.source, id };
      });
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
    bar.current?.showLink(url, words.shareNote(cells.length, copied));
  }

  for (const [i, why] of deferred) {
    views[i]?.notice(
      [
        h('strong', {}, words.deferredTitle),
        why === 'link' ? words.deferredLink : words.deferredSaved,
      ],
      'warn',
    );
  }
  for (const [i, edit] of conflicts) if (!deferred.has(i)) showConflict(i, edit);
  refreshKept();
  updateBanner();

  run = runCells(initial, {
    builtins: createBrowserBuiltins({ root, choice }),
    observerFor: (i) => views[i] ?? {},
    deferred: deferred.keys(),
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
