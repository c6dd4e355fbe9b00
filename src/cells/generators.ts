/**
 * The few pieces of Observable's standard library that cell semantics need, since runtime 6 ships
 * none: `observe` (a generator fed by callbacks), `input` (the value of a `viewof` element) and
 * `Mutable` (the state behind `mutable x`). Ported from @observablehq/stdlib (ISC).
 */
import { cellsText } from './text.ts';

/** A generator of values pushed by `change`; `initialize` may return a disposer. */
export function observe<T>(
  initialize: (change: (value: T) => T) => (() => void) | undefined,
): Generator<Promise<T>, undefined> {
  let stale = false;
  let value: T | undefined;
  let resolve: ((value: T) => void) | null = null;
  const change = (x: T): T => {
    if (resolve) {
      resolve(x);
      resolve = null;
    } else {
      stale = true;
    }
    return (value = x);
  };
  const dispose = initialize(change);
  const generator: Generator<Promise<T>, undefined> = {
    [Symbol.iterator]() {
      return generator;
    },
    next() {
      if (stale) {
        stale = false;
        return { done: false, value: Promise.resolve(value as T) };
      }
      return { done: false, value: new Promise<T>((r) => (resolve = r)) };
    },
    return() {
      if (typeof dispose === 'function') dispose();
      return { done: true, value: undefined };
    },
    throw() {
      return { done: true, value: undefined };
    },
  };
  return generator;
}

interface InputLike extends EventTarget {
  value?: unknown;
  type?: string;
  valueAsNumber?: number;
  checked?: boolean;
}

function valueof(input: InputLike): unknown {
  switch (input.type) {
    case 'range':
    case 'number':
      return input.valueAsNumber;
    case 'checkbox':
      return input.checked;
    default:
      return input.value;
  }
}

function eventof(input: InputLike): string {
  switch (input.type) {
    case 'button':
    case 'submit':
    case 'checkbox':
      return 'click';
    case 'file':
      return 'change';
    default:
      return 'input';
  }
}

/** The values of a view (an element with `.value` that fires `input`), as `viewof x` gives `x`. */
export function input(element: unknown): Generator<Promise<unknown>, undefined> {
  if (typeof element !== 'object' || element === null || !('addEventListener' in element)) {
    throw new TypeError(cellsText().viewofNotInput(typeof element));
  }
  const target = element as InputLike;
  return observe<unknown>((change) => {
    const event = eventof(target);
    const inputted = (): void => {
      change(valueof(target));
    };
    target.addEventListener(event, inputted);
    const value = valueof(target);
    if (value !== undefined) change(value);
    return () => {
      target.removeEventListener(event, inputted);
    };
  });
}

/** The state behind `mutable x`: assigning `mutable x = …` in another cell updates `x`. */
export class Mutable<T> {
  readonly generator: Generator<Promise<T>, undefined>;
  #value: T;
  #change: (value: T) => T = (v) => v;
  constructor(value: T) {
    this.#value = value;
    this.generator = observe<T>((change) => {
      this.#change = change;
      return undefined;
    });
    if (value !== undefined) this.#change(value);
  }
  get value(): T {
    return this.#value;
  }
  set value(x: T) {
    this.#value = x;
    this.#change(x);
  }
}
