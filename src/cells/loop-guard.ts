/**
 * The loop guard: compiled cell code calls `guard.check()` at the start of every loop iteration,
 * and `guard.enter()` whenever the cell's function is entered. A *synchronous* run that keeps
 * looping for longer than the limit throws a LoopTimeoutError, which rejects the cell with a
 * clear inline error instead of freezing the page for good.
 *
 * "Synchronous run" is measured from the first check after the event loop last got control: the
 * first check arms the guard and queues a microtask that disarms it, so any `await`, generator
 * step or new task starts a fresh clock — async loops that await or yield are never killed.
 * A loop that only awaits already-resolved promises starves rendering without being caught; cells
 * should yield to the page (`await tf.nextFrame()`, or `yield`) between long steps.
 *
 * Reading the clock costs ~30 ns, so checks sample it with an adaptive stride: every iteration
 * while iterations are slow, up to every 4096th while they are fast (< 1 ms between samples).
 *
 * Both errors' messages are in the page's language (text.ts).
 */
import { cellsText } from './text.ts';

/** How long (ms) a synchronous run may loop before it is stopped. */
export const DEFAULT_LOOP_LIMIT_MS = 5000;

/** The error a runaway loop is stopped with. */
export class LoopTimeoutError extends Error {
  constructor(readonly limitMs: number) {
    super(cellsText().loopTimeout(formatSeconds(limitMs)));
    this.name = 'LoopTimeoutError';
  }
}

function formatSeconds(ms: number): string {
  const s = ms / 1000;
  return `${s >= 1 ? String(Math.round(s * 10) / 10) : s.toPrecision(2)} s`;
}

/** The error a stopped cell's still-running loops are ended with. */
export class StoppedError extends Error {
  constructor() {
    super(cellsText().stopped);
    this.name = 'Stopped';
  }
}

/**
 * What compiled cell code calls. Each loop iteration runs `guard.n-- > 0 || guard.check()`: the
 * counter keeps the common case to one decrement, and `check()` does the clock work.
 */
export interface LoopGuard {
  /** Iterations left before the next `check()`; compiled code decrements it. */
  n: number;
  /** Called when the cell's function is (re)entered: restarts the clock. */
  enter(): void;
  /** Called when `n` runs out; throws LoopTimeoutError past the limit. */
  check(): void;
  /**
   * Ends this cell's loops: every later `check()` throws StoppedError. Called when a cell is
   * stopped or redefined, so an async loop that never looks at `invalidation` still ends at its
   * next iteration instead of running on unseen.
   */
  cancel(): void;
}

const MAX_STRIDE = 4096;

/** A guard with its own clock; `now` is injectable for tests. */
export function createLoopGuard(
  limitMs: number = DEFAULT_LOOP_LIMIT_MS,
  now: () => number = () => performance.now(),
): LoopGuard {
  if (!(limitMs > 0))
    throw new RangeError(`createLoopGuard: limitMs must be > 0, got ${String(limitMs)}`);
  let armed = false;
  let start = 0;
  let last = 0;
  let stride = 1;
  let cancelled = false;
  // Declared before use by `disarm`, which also zeroes the counter so that the next run's first
  // iteration checks the clock (a leftover stride could otherwise hide thousands of iterations).
  const guard: LoopGuard = {
    n: 0,
    enter(): void {
      if (!armed) queueMicrotask(disarm);
      armed = true;
      start = last = now();
      stride = 1;
      guard.n = 0;
    },
    cancel(): void {
      cancelled = true;
      guard.n = 0;
    },
    check(): void {
      if (cancelled) throw new StoppedError();
      // A new synchronous run (the event loop ran since the last check): restart the clock.
      if (!armed) guard.enter();
      const t = now();
      if (t - start > limitMs) throw new LoopTimeoutError(limitMs);
      const dt = t - last;
      last = t;
      if (dt < 1) stride = Math.min(stride * 2, MAX_STRIDE);
      else if (dt > 16) stride = Math.max(1, stride >> 1);
      guard.n = stride - 1;
    },
  };
  const disarm = (): void => {
    armed = false;
    guard.n = 0;
  };
  return guard;
}
