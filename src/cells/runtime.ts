/**
 * Runs a lesson's cells: one @observablehq/runtime Runtime and module per lesson, one set of
 * variables per cell (see compile.ts). Environment-neutral: no DOM here; what a cell's state means
 * on the page is the observer's business (client/), and Node tests pass their own observers.
 *
 * - `define(i, source)` (re)compiles cell i and redefines its variables, so its dependents rerun.
 * - `stop(i)` redefines cell i to reject with "Stopped by reader": the runtime invalidates the old
 *   definition (generators are returned, `invalidation` resolves) and dependents see the failure.
 * - `defer(i)` shows cell i as pending without running its code (shared code awaiting consent):
 *   its name resolves to a promise that never settles, so dependents wait instead of failing.
 * - One cell's error never stops the others; redefining it clears the error.
 * - With `lazy`, a cell's code waits until the cell is opened (`open(i)`: the page opens cells as
 *   they near the viewport) or a cell that reads it opens; `define` (the reader ran or reset it)
 *   opens it too. A waiting cell's variables are placeholders without inputs, so it costs
 *   nothing and loads nothing (not even `tf`), and it is `pending`; opening redefines the same
 *   variables with the real code. Without `lazy` (tests, embeds) every cell runs at once.
 * - `settled()` counts a generator cell as settled only when its generator is done, not after
 *   its first value (a progress bar).
 */
import { Runtime, type Observer, type Variable } from '@observablehq/runtime';
import { compileCell, errorLine, type CompiledCell, CellSyntaxError } from './compile.ts';
import { LoopTimeoutError, StoppedError } from './loop-guard.ts';
import { cellName } from './extract.ts';
import { cellsText } from './text.ts';

/** A cell's state, as shown on its root element's `data-state`. */
export type CellState = 'pending' | 'running' | 'fulfilled' | 'rejected';

/** A cell's error, ready to show. */
export interface CellErrorInfo {
  readonly message: string;
  /** 1-based line in the cell's source, when known. */
  readonly line: number | null;
  readonly kind: 'syntax' | 'runtime' | 'timeout' | 'stopped';
  readonly error: unknown;
  /**
   * The name of the cell that failed, when this cell only inherits its error by reading that
   * cell (directly or through others); `message` then says so ("Waiting on `x`, which failed: …")
   * and `line` is null, since the line is in the other cell.
   */
  readonly failedCell?: string;
}

/** What a cell's owner hears from the runtime. */
export interface CellObserver {
  /** The cell waits for deferred (shared, not yet accepted) code it depends on. */
  pending?(): void;
  running?(): void;
  fulfilled?(value: unknown): void;
  rejected?(error: CellErrorInfo): void;
  /** A generator cell started (true) or stopped producing values (false). */
  generating?(active: boolean): void;
  /** The cell is `pending` because it waits to be opened (lazy runs only). */
  waiting?(): void;
  /** Element the cell displays into; the runtime's `visibility` watches it. */
  readonly node?: Element;
}

export interface RunCellsOptions {
  /** Built-ins visible to every cell (see builtins.ts). */
  readonly builtins: Record<string, unknown>;
  readonly observerFor: (index: number) => CellObserver;
  /** Loop guard limit (ms); default 5 s. */
  readonly loopLimitMs?: number;
  /** Cells to show as pending without running (shared code awaiting the reader's consent). */
  readonly deferred?: Iterable<number>;
  /**
   * Cells defined without any observer (an embed's cells that the shown cell does not need): as
   * in an Observable notebook embedded one cell at a time, the runtime computes them only if an
   * observed cell reads them. Their observer hears nothing and their state stays `pending`.
   */
  readonly dormant?: Iterable<number>;
  /** Unresolved names: default resolves from globalThis (window), as Observable does. */
  readonly global?: (name: string) => unknown;
  /**
   * Run a cell's code only once it is opened (`LessonRun.open`), or a cell that reads it is, or
   * it is redefined; until then it is `pending`. Default false: every cell runs at once.
   */
  readonly lazy?: boolean;
}

/** The message a stopped cell rejects with (in English; in the page's language on a page). */
export const STOPPED_MESSAGE = cellsText('en').stopped;

export { StoppedError };

interface CellSlot {
  source: string;
  compiled: CompiledCell | null;
  variables: Variable[];
  state: CellState;
  observer: CellObserver;
  generation: number;
  deferred: boolean;
  dormant: boolean;
  /** Lazy runs: whether the cell's code may run (always true otherwise). */
  open: boolean;
  /**
   * A closed cell's real definitions: meanwhile each of its variables is a placeholder with no
   * inputs (so nothing it reads, not even `tf` or `Plotly`, is loaded) whose value is WAITING.
   */
  waitingDefs: CompiledCell['definitions'] | null;
  /** Whether a generator of the current definition is still producing values. */
  generating: boolean;
  /** The error the cell last rejected with (undefined while it has none). */
  error: unknown;
  /** The cell it inherited that error from, or null when it threw the error itself. */
  failedBy: CellSlot | null;
}

/** The value of a closed cell's placeholder variables (never shown, never read by open cells). */
const WAITING: unique symbol = Symbol('waiting to be opened');

/** The runtime names a cell's source defines (without running it). */
function definedNames(source: string): string[] {
  return compileCell(source)
    .definitions.map((d) => d.name)
    .filter((n): n is string => n !== null);
}

/** Describes an error a cell rejected with. */
export function describeError(error: unknown, compiled: CompiledCell | null): CellErrorInfo {
  const kind: CellErrorInfo['kind'] =
    error instanceof CellSyntaxError
      ? 'syntax'
      : error instanceof LoopTimeoutError
        ? 'timeout'
        : error instanceof StoppedError
          ? 'stopped'
          : 'runtime';
  let message: string;
  if (error instanceof Error) {
    // "TypeError: …" helps; the runtime's own "RuntimeError: x is not defined" does not.
    const named = kind === 'runtime' && !['Error', 'RuntimeError', ''].includes(error.name);
    message = named ? `${error.name}: ${error.message}` : error.message;
  } else {
    message = cellsText().nonError(String(error));
  }
  const line = compiled ? errorLine(error, compiled) : null;
  return { message, line, kind, error };
}

function isGenerator(value: unknown): value is Generator | AsyncGenerator {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Generator).next === 'function' &&
    typeof (value as Generator).return === 'function'
  );
}

/** The error of a cell that only reads the failed cell `name`, whose own error is `origin`. */
export function inheritedError(origin: CellErrorInfo, name: string): CellErrorInfo {
  return {
    ...origin,
    message: cellsText().waitingOn(name, origin.line, origin.message),
    line: null,
    failedCell: name,
  };
}

/** A running lesson. */
export class LessonRun {
  readonly #runtime: Runtime;
  readonly #module;
  readonly #slots: CellSlot[];
  readonly #loopLimitMs: number | undefined;
  readonly #lazy: boolean;

  constructor(sources: readonly string[], options: RunCellsOptions) {
    this.#runtime = new Runtime(options.builtins, options.global);
    this.#module = this.#runtime.module();
    this.#loopLimitMs = options.loopLimitMs;
    const deferred = new Set(options.deferred ?? []);
    const dormant = new Set(options.dormant ?? []);
    this.#lazy = options.lazy ?? false;
    this.#slots = sources.map((source, i) => {
      return {
        source,
        compiled: null,
        variables: [],
        state: 'pending',
        observer: options.observerFor(i),
        generation: 0,
        deferred: false,
        dormant: dormant.has(i),
        open: !this.#lazy,
        waitingDefs: null,
        generating: false,
        error: undefined,
        failedBy: null,
      };
    });
    this.#slots.forEach((_, i) => {
      const source = sources[i] ?? '';
      if (deferred.has(i)) this.defer(i, source);
      else this.#define(i, source);
    });
  }

  /** Whether cell i may run (always, unless the run is lazy and the cell waits to be opened). */
  isOpen(index: number): boolean {
    return this.#slot(index).open;
  }

  /**
   * Lets cell i run, and every cell it reads (transitively), since it needs their values. A
   * cell that was waiting becomes `running`. Opening an open cell does nothing.
   */
  open(index: number): void {
    const todo = [this.#slot(index)];
    const byName = this.#definers();
    for (let slot = todo.pop(); slot; slot = todo.pop()) {
      if (!slot.open) {
        slot.open = true;
        const defs = slot.waitingDefs;
        slot.waitingDefs = null;
        // Same variables, real definitions: dependents stay bound and recompute.
        if (defs) this.#defineVariables(slot, defs, slot.variables);
        if (slot.state === 'pending' && !slot.deferred && !slot.dormant && !this.#blocked(slot)) {
          this.#setState(slot, 'running');
          slot.observer.running?.();
        }
      }
      for (const name of slot.compiled?.inputs ?? []) {
        const dep = byName.get(name);
        if (dep && !dep.open) todo.push(dep);
      }
    }
  }

  /** The slot defining each runtime name. */
  #definers(): Map<string, CellSlot> {
    const byName = new Map<string, CellSlot>();
    for (const s of this.#slots) {
      for (const d of s.compiled?.definitions ?? []) if (d.name !== null) byName.set(d.name, s);
    }
    return byName;
  }

  /** Number of cells. */
  get size(): number {
    return this.#slots.length;
  }

  /** The source cell i currently runs (or waits to run). */
  source(index: number): string {
    return this.#slot(index).source;
  }

  /** The last state reported for cell i. */
  state(index: number): CellState {
    return this.#slot(index).state;
  }

  /** All cells' states. */
  states(): CellState[] {
    return this.#slots.map((s) => s.state);
  }

  #slot(index: number): CellSlot {
    const slot = this.#slots[index];
    if (!slot)
      throw new RangeError(
        `LessonRun: no cell ${String(index)} (lesson has ${String(this.#slots.length)})`,
      );
    return slot;
  }

  #setState(slot: CellSlot, state: CellState): void {
    slot.state = state;
  }

  /** Observer for one runtime variable of a slot; stale generations are ignored. */
  #observer(slot: CellSlot, display: boolean): Observer | undefined {
    if (slot.dormant) return undefined; // Unobserved: computed only when another cell reads it.
    const generation = slot.generation;
    const current = (): boolean => slot.generation === generation;
    if (!display) {
      // Reachable (so it computes), but silent; its error is kept to name it to its dependants.
      return {
        rejected: (error) => {
          if (current()) this.#failed(slot, error);
        },
      };
    }
    const observer: Observer = {
      pending: () => {
        if (!current()) return;
        if (this.#blocked(slot)) {
          this.#setState(slot, 'pending');
          slot.observer.pending?.();
        } else if (!slot.open) {
          this.#setState(slot, 'pending');
          slot.observer.waiting?.();
        } else {
          this.#setState(slot, 'running');
          slot.observer.running?.();
        }
      },
      fulfilled: (value) => {
        if (!current()) return;
        if (value === WAITING) {
          if (slot.open) return; // A placeholder's value arriving after the cell opened.
          this.#setState(slot, 'pending');
          slot.observer.waiting?.();
          return;
        }
        slot.error = undefined;
        slot.failedBy = null;
        this.#setState(slot, 'fulfilled');
        slot.observer.fulfilled?.(value);
      },
      rejected: (error) => {
        if (!current()) return;
        const inherited = this.#failed(slot, error);
        if (this.#blocked(slot)) {
          this.#setState(slot, 'pending');
          slot.observer.pending?.();
          return;
        }
        this.#setState(slot, 'rejected');
        slot.observer.rejected?.(
          inherited === null
            ? describeError(error, slot.compiled)
            : inheritedError(
                describeError(inherited.error, inherited.origin.compiled),
                this.#nameOf(inherited.origin),
              ),
        );
      },
    };
    if (slot.observer.node) observer._node = slot.observer.node;
    return observer;
  }

  /**
   * Records that a cell rejected with `error` and returns the cell that threw it when that is
   * another one, with that cell's own error. The runtime rejects a variable whose input failed
   * with a new `RuntimeError` naming the input (`error.input`); this follows those names back
   * through the cells that recorded them to the first one that threw an error of its own.
   */
  #failed(slot: CellSlot, error: unknown): { origin: CellSlot; error: unknown } | null {
    slot.error = error;
    slot.failedBy = null;
    const byName = this.#definers();
    const seen = new Set<CellSlot>([slot]);
    let found: { origin: CellSlot; error: unknown } | null = null;
    let e = error;
    for (;;) {
      const input = e instanceof Error ? (e as Error & { input?: unknown }).input : undefined;
      const dep = typeof input === 'string' ? byName.get(input) : undefined;
      if (!dep || seen.has(dep)) break;
      seen.add(dep);
      if (dep.failedBy) {
        found = { origin: dep.failedBy, error: dep.failedBy.error };
        break;
      }
      // Not recorded (a cell nobody observes): its name is known, its own error is not.
      found = { origin: dep, error: dep.error ?? e };
      if (dep.error === undefined) break;
      e = dep.error;
    }
    slot.failedBy = found?.origin ?? null;
    return found;
  }

  /** The name a reader knows a cell by: its Observable name, else "cell N". */
  #nameOf(slot: CellSlot): string {
    return cellName(slot.source) ?? cellsText().cellN(this.#slots.indexOf(slot) + 1);
  }

  /** Whether a cell (transitively) reads a name defined by a deferred cell. */
  #blocked(slot: CellSlot): boolean {
    const names = new Set<string>();
    for (const s of this.#slots) {
      if (s.deferred) for (const n of definedNames(s.source)) names.add(n);
    }
    if (names.size === 0) return false;
    let grew = true;
    while (grew) {
      grew = false;
      for (const s of this.#slots) {
        if (s.deferred || !s.compiled) continue;
        if (s.compiled.inputs.some((n) => names.has(n))) {
          for (const d of s.compiled.definitions) {
            if (d.name !== null && !names.has(d.name)) {
              names.add(d.name);
              grew = true;
            }
          }
          if (s === slot) return true;
        }
      }
    }
    return slot.compiled?.inputs.some((n) => names.has(n)) ?? false;
  }

  #clear(slot: CellSlot): void {
    slot.generation++;
    slot.deferred = false;
    slot.generating = false;
    slot.error = undefined;
    slot.failedBy = null;
    slot.compiled?.guard.cancel();
    // Delete first, so a name moving between variables never looks duplicated.
    for (const v of slot.variables) v.delete();
    slot.variables = [];
  }

  /**
   * Defines a slot's variables (new ones, or `reuse`: the slot's own, redefined in place). A
   * closed slot of a lazy run gets placeholders instead (see `waitingDefs`).
   */
  #defineVariables(
    slot: CellSlot,
    defs: CompiledCell['definitions'],
    reuse: readonly Variable[] | null = null,
    lazy = false,
  ): void {
    const generation = slot.generation;
    const waiting = lazy && !slot.open;
    slot.waitingDefs = waiting ? defs : null;
    defs.forEach((def, k) => {
      // Only the definition running the cell's code: a `mutable x`'s displayed generator is
      // plumbing that never ends.
      const definition = waiting
        ? () => WAITING
        : k === 0
          ? this.#trackGenerators(slot, generation, def.definition)
          : def.definition;
      const variable = reuse?.[k] ?? this.#module.variable(this.#observer(slot, def.display));
      variable.define(def.name, waiting ? [] : def.inputs, definition);
      if (!reuse) slot.variables.push(variable);
    });
  }

  /** Wraps a definition so the slot's observer hears when a generator starts and ends. */
  #trackGenerators(slot: CellSlot, generation: number, fn: (...args: never[]) => unknown) {
    return function (this: unknown, ...args: never[]): unknown {
      const value = fn.apply(this, args);
      if (!isGenerator(value)) return value;
      const report = (active: boolean): void => {
        if (slot.generation !== generation) return;
        slot.generating = active;
        slot.observer.generating?.(active);
      };
      report(true);
      const gen = value as AsyncGenerator;
      const done = (r: IteratorResult<unknown>): IteratorResult<unknown> => {
        if (r.done === true) report(false);
        return r;
      };
      const fail = (e: unknown): never => {
        report(false);
        throw e;
      };
      return {
        next(v?: unknown) {
          let r: unknown;
          try {
            r = gen.next(v);
          } catch (e) {
            return fail(e);
          }
          return r instanceof Promise ? r.then(done, fail) : done(r as IteratorResult<unknown>);
        },
        return(v?: unknown) {
          report(false);
          return gen.return(v);
        },
        throw(e?: unknown) {
          return gen.throw(e);
        },
        [Symbol.iterator]() {
          return this;
        },
        [Symbol.asyncIterator]() {
          return this;
        },
      };
    };
  }

  /** (Re)defines cell i with `source` and opens it (see `open`); its dependents rerun. */
  define(index: number, source: string): CompiledCell {
    const slot = this.#slot(index);
    slot.open = true;
    const compiled = this.#define(index, source);
    this.open(index); // The new source may read cells that were not open yet.
    return compiled;
  }

  #define(index: number, source: string): CompiledCell {
    const slot = this.#slot(index);
    const compiled = compileCell(source, {
      id: String(index + 1),
      ...(this.#loopLimitMs === undefined ? {} : { loopLimitMs: this.#loopLimitMs }),
    });
    this.#clear(slot);
    slot.source = source;
    slot.compiled = compiled;
    if (slot.dormant) {
      this.#setState(slot, 'pending');
    } else if (this.#blocked(slot)) {
      this.#setState(slot, 'pending');
      slot.observer.pending?.();
    } else if (!slot.open) {
      this.#setState(slot, 'pending');
      slot.observer.waiting?.();
    } else {
      this.#setState(slot, 'running');
      slot.observer.running?.();
    }
    this.#defineVariables(slot, compiled.definitions, null, this.#lazy && compiled.error === null);
    return compiled;
  }

  /**
   * Gives cell i a constant value instead of running its code (an embed's URL parameter for a
   * cell like `alpha = 4`): nothing is compiled, the cell keeps its source, dependents rerun.
   * Only for a named cell that defines one variable (not `viewof`/`mutable`).
   */
  setValue(index: number, value: unknown): void {
    const slot = this.#slot(index);
    const compiled = slot.compiled ?? compileCell(slot.source);
    const name = compiled.name;
    if (compiled.kind !== 'expression' || name === null) {
      throw new TypeError(
        `LessonRun.setValue: cell ${String(index)} is not a named value cell (${compiled.kind}${name === null ? ', anonymous' : ''})`,
      );
    }
    this.#clear(slot);
    slot.compiled = compiled;
    if (!slot.dormant) {
      this.#setState(slot, 'running');
      slot.observer.running?.();
    }
    this.#defineVariables(slot, [{ name, inputs: [], definition: () => value, display: true }]);
  }

  /** Shows cell i as pending and does not run `source` until `define` is called. */
  defer(index: number, source: string): void {
    const slot = this.#slot(index);
    this.#clear(slot);
    slot.source = source;
    slot.compiled = null;
    slot.deferred = true;
    this.#setState(slot, 'pending');
    slot.observer.pending?.();
    // Rejecting (not a never-settling promise): the runtime waits for a variable's previous
    // computation before recomputing it, so a dependent stuck on a never-settling input would
    // stay stuck after the reader accepts the shared code. Dependents show as pending instead.
    const wait = (): never => {
      throw new Error('waiting for the shared code to be run');
    };
    for (const name of definedNames(source)) {
      slot.variables.push(this.#module.variable({}).define(name, [], wait));
    }
  }

  /** Stops cell i: it rejects with "Stopped by reader" until it is run again. */
  stop(index: number): void {
    const slot = this.#slot(index);
    const names = slot.compiled?.definitions.map((d) => d.name) ?? [null];
    this.#clear(slot);
    const fail = (): never => {
      throw new StoppedError();
    };
    this.#defineVariables(
      slot,
      names.map((name, i) => ({ name, inputs: [], definition: fail, display: i === 0 })),
    );
  }

  /**
   * Resolves with every cell's state once none is running (each is fulfilled, rejected, or pending
   * on deferred code or, in a lazy run, waiting to be opened) and no generator cell is still
   * producing values, for `quietMs`; rejects after `timeoutMs`.
   */
  async settled(timeoutMs = 60_000, quietMs = 100): Promise<CellState[]> {
    const deadline = Date.now() + timeoutMs;
    let quietSince: number | null = null;
    for (;;) {
      const busy = this.#slots.some((s) => s.state === 'running' || s.generating);
      if (!busy) {
        quietSince ??= Date.now();
        if (Date.now() - quietSince >= quietMs) return this.states();
      } else {
        quietSince = null;
      }
      if (Date.now() > deadline) {
        const running = this.#slots.flatMap((s, i) =>
          s.state === 'running' || s.generating ? [i] : [],
        );
        throw new Error(
          `LessonRun.settled: cells ${running.join(', ')} still running after ${String(timeoutMs)} ms`,
        );
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Stops everything (invalidates every cell). */
  dispose(): void {
    this.#runtime.dispose();
  }
}

/** Runs a lesson's cells (sources in order). */
export function runCells(
  cells: readonly (string | { readonly source: string })[],
  options: RunCellsOptions,
): LessonRun {
  return new LessonRun(
    cells.map((c) => (typeof c === 'string' ? c : c.source)),
    options,
  );
}
