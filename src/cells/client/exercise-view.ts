/**
 * The page side of a lesson's exercises (issue 22). Each exercise is an ordinary live cell (its
 * code is the starter; the reader edits and runs it as any cell); this adds, below the cell's
 * output, the check's verdict, "Show a hint" (one more each press), "Show the solution" (after a
 * confirmation; it puts the solution in the cell and runs it) and "Start over" (the starter code,
 * no hints, no solution). Under the lesson’s Exercises heading, a line says how many are done.
 *
 * The check runs whenever the cell finishes with code other than the starter: it reads the value
 * the cell produced (`CellView.lastValue`), so it never runs the reader's code itself beyond
 * calling a function the cell returned (the loop guard applies to it as in the cell). Progress
 * (verdict, hints, solution) is kept by `../exercises/progress.ts` in the storage of the edits.
 *
 * DOM contract: the cell's root gets `data-exercise="<name>"` and
 * `data-exercise-state="unanswered|wrong|right"`; in it, `.exercise` holds `[data-exercise-verdict]`
 * (role=status, announced), `[data-exercise-action=hint|solution|confirm|cancel|start-over]`,
 * `[data-exercise-hints]` (an ordered list) and `[data-exercise-solution-note]`. The count is
 * `[data-exercise-count]` with `data-done` and `data-total`.
 */
import './exercise.css';
import type { Exercise, ExerciseState, Verdict } from '../exercises/types.ts';
import { FRESH, type ExerciseProgress, type ProgressStore } from '../exercises/progress.ts';
import type { CellView } from './cell-view.ts';
import { button, h } from './dom.ts';
import { exerciseText, type ExerciseText } from './exercise-text.ts';

/** What the lesson (mount.ts) gives the exercises. */
export interface ExerciseHost {
  readonly slug: string;
  readonly views: readonly CellView[];
  readonly exercises: readonly Exercise[];
  readonly progress: ProgressStore;
  /** Puts `code` in the cell as the reader's code and runs it; the reader's own edit is kept. */
  readonly replaceCode: (view: CellView, code: string) => void;
  /**
   * Gives the cell its lesson (starter) code and runs it; the reader's own edit is kept unless
   * it is the exercise's `solution`.
   */
  readonly startOver: (view: CellView, solution: string) => void;
}

/** A right verdict's message starts "Right: " (or "正解：") where the view shows its own word. */
const RIGHT_PREFIX = /^(?:Right:\s*|正解：)/;

/** One exercise on the page. */
class ExerciseView {
  readonly #root: HTMLElement;
  readonly #verdict: HTMLElement;
  readonly #hints: HTMLOListElement;
  readonly #hintButton: HTMLButtonElement;
  readonly #solutionButton: HTMLButtonElement;
  readonly #confirm: HTMLElement;
  readonly #confirmButton: HTMLButtonElement;
  readonly #solutionNote: HTMLElement;
  #progress: ExerciseProgress;
  #token = 0;
  readonly #text: ExerciseText;

  constructor(
    readonly exercise: Exercise,
    readonly view: CellView,
    readonly host: ExerciseHost,
    readonly changed: () => void,
    text: ExerciseText,
  ) {
    this.#text = text;
    this.#root = view.root;
    this.#progress = host.progress.load(host.slug, exercise.name);
    this.#root.dataset.exercise = exercise.name;
    const id = `exercise-${host.slug}-${exercise.name}`;
    this.#verdict = h('p', {
      class: 'exercise-verdict',
      role: 'status',
      'aria-live': 'polite',
      'data-exercise-verdict': true,
    });
    this.#hints = h('ol', {
      class: 'exercise-hints',
      'aria-live': 'polite',
      'aria-relevant': 'additions',
      'aria-label': text.hints,
      'data-exercise-hints': true,
    });
    this.#hintButton = button(
      text.showHint(0, exercise.hints.length),
      () => {
        this.#update({ hints: Math.min(this.#progress.hints + 1, exercise.hints.length) });
      },
      { 'data-exercise-action': 'hint' },
    );
    this.#solutionButton = button(
      text.showSolution,
      () => {
        this.#confirm.hidden = false;
        this.#solutionButton.setAttribute('aria-expanded', 'true');
        this.#confirmButton.focus();
      },
      {
        'data-exercise-action': 'solution',
        'aria-expanded': 'false',
        'aria-controls': `${id}-confirm`,
      },
    );
    this.#confirmButton = button(
      text.confirmSolution,
      () => {
        this.#closeConfirm(false);
        this.#update({ solution: true });
        host.replaceCode(view, exercise.solution);
      },
      { 'data-exercise-action': 'confirm' },
    );
    const cancel = button(
      text.cancel,
      () => {
        this.#closeConfirm(true);
      },
      { 'data-exercise-action': 'cancel' },
    );
    this.#confirm = h(
      'div',
      {
        class: 'exercise-confirm',
        id: `${id}-confirm`,
        role: 'group',
        'aria-label': text.confirm,
        hidden: true,
      },
      h('p', {}, text.confirmText),
      this.#confirmButton,
      cancel,
    );
    this.#confirm.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') this.#closeConfirm(true);
    });
    const startOver = button(
      text.startOver,
      () => {
        this.#closeConfirm(false);
        this.#progress = FRESH;
        host.progress.save(host.slug, exercise.name, FRESH);
        host.startOver(view, exercise.solution);
        this.#render();
        this.changed();
      },
      {
        'data-exercise-action': 'start-over',
        title: text.startOverTitle,
      },
    );
    this.#solutionNote = h(
      'p',
      { class: 'exercise-solution-note', 'data-exercise-solution-note': true, hidden: true },
      text.solutionNote,
    );
    const panel = h(
      'div',
      { class: 'exercise', role: 'group', 'aria-label': text.panel(exercise.title) },
      this.#verdict,
      h('div', { class: 'exercise-actions' }, this.#hintButton, this.#solutionButton, startOver),
      this.#confirm,
      this.#hints,
      this.#solutionNote,
    );
    this.#root.append(panel);
    new MutationObserver(() => {
      void this.evaluate();
    }).observe(this.#root, {
      attributes: true,
      attributeFilter: ['data-state', 'data-generating'],
    });
    this.#render();
    void this.evaluate();
  }

  get state(): ExerciseState {
    return this.#progress.state;
  }

  #closeConfirm(refocus: boolean): void {
    if (this.#confirm.hidden) return;
    this.#confirm.hidden = true;
    this.#solutionButton.setAttribute('aria-expanded', 'false');
    if (refocus) this.#solutionButton.focus();
  }

  /** Judges what the cell shows now (called whenever its state changes). */
  async evaluate(): Promise<void> {
    const token = ++this.#token;
    const { view, exercise } = this;
    const starter = view.source === view.original;
    const generating = this.#root.hasAttribute('data-generating');
    if (view.state === 'rejected' && !starter) {
      this.#setVerdict('wrong', { right: false, message: this.#text.codeFailed });
      return;
    }
    if (view.state !== 'fulfilled' || generating) return;
    if (starter) {
      this.#setVerdict('unanswered', null);
      return;
    }
    let verdict: Verdict;
    try {
      verdict = await exercise.check(view.lastValue);
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      verdict = { right: false, message: this.#text.checkFailed(why) };
    }
    if (token !== this.#token) return; // The cell ran again meanwhile.
    this.#setVerdict(verdict.right ? 'right' : 'wrong', verdict);
  }

  #setVerdict(state: ExerciseState, verdict: Verdict | null): void {
    this.#update({ state });
    const text = this.#text;
    if (verdict === null) this.#verdict.replaceChildren(text.pending);
    else
      this.#verdict.replaceChildren(
        h('strong', {}, verdict.right ? text.right : text.notYet),
        verdict.message.replace(RIGHT_PREFIX, ''),
      );
  }

  #update(change: Partial<ExerciseProgress>): void {
    const before = this.#progress;
    this.#progress = { ...before, ...change };
    if (
      before.state !== this.#progress.state ||
      before.hints !== this.#progress.hints ||
      before.solution !== this.#progress.solution
    ) {
      this.host.progress.save(this.host.slug, this.exercise.name, this.#progress);
      this.#render();
      if (before.state !== this.#progress.state) this.changed();
    }
  }

  #render(): void {
    const { hints } = this.exercise;
    const text = this.#text;
    const p = this.#progress;
    this.#root.dataset.exerciseState = p.state;
    if (this.#verdict.childNodes.length === 0 || p.state === 'unanswered') {
      this.#verdict.replaceChildren(
        p.state === 'unanswered' ? text.pending : text.earlier(p.state === 'right'),
      );
    }
    // Only the new hint is added (the list is announced: the earlier ones are not read again).
    while (this.#hints.children.length > p.hints) this.#hints.lastElementChild?.remove();
    for (const text of hints.slice(this.#hints.children.length, p.hints)) {
      this.#hints.append(h('li', {}, text));
    }
    this.#hints.hidden = p.hints === 0;
    const left = hints.length - p.hints;
    this.#hintButton.disabled = left === 0;
    this.#hintButton.textContent =
      left === 0 ? text.noMoreHints : text.showHint(p.hints, hints.length);
    this.#solutionNote.hidden = !p.solution;
  }
}

/**
 * Puts the done count under the heading of the lesson's exercises (the nearest `h2` before the
 * first exercise), else just before the first exercise. There, at the end of a lesson, it appears
 * out of view when the cells mount, so nothing the reader sees moves; in the lesson bar at the
 * top it would push the whole lesson down as the page loads.
 */
function placeCount(first: HTMLElement, count: HTMLElement): void {
  for (let el = first.previousElementSibling; el !== null; el = el.previousElementSibling) {
    if (el.tagName === 'H2') {
      el.after(count);
      return;
    }
  }
  first.before(count);
}

/**
 * Adds the exercise controls to the cells named by `host.exercises` and the lesson's done count,
 * in the words of the page's edition (`<html lang>`). Returns the number of exercises found on
 * the page (an exercise whose cell is missing is reported on the console and skipped: the lesson
 * still works).
 */
export function attachExercises(host: ExerciseHost): number {
  if (host.exercises.length === 0) return 0;
  const text = exerciseText();
  const count = h('p', {
    class: 'exercise-count',
    role: 'status',
    'aria-live': 'polite',
    'data-exercise-count': true,
  });
  const shown: ExerciseView[] = [];
  const renderCount = (): void => {
    const done = shown.filter((e) => e.state === 'right').length;
    count.dataset.done = String(done);
    count.dataset.total = String(shown.length);
    count.textContent = text.count(done, shown.length);
  };
  for (const exercise of host.exercises) {
    const view = host.views.find((v) => v.name === exercise.name);
    if (view === undefined) {
      console.error(`Exercise “${exercise.name}”: the lesson has no cell of that name.`);
      continue;
    }
    shown.push(new ExerciseView(exercise, view, host, renderCount, text));
  }
  const first = shown[0]?.view.root;
  if (first) {
    renderCount();
    placeCount(first, count);
  }
  return shown.length;
}
