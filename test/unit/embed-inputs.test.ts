// @vitest-environment jsdom
/**
 * Setting an embed's inputs from its URL on real Observable Inputs (in jsdom): values converted
 * to the input's type, clamped to the control, refused when a menu does not offer them (and the
 * old value put back), form fields by name, and an `input` event each time a value is set.
 */
import * as ObservableInputs from '@observablehq/inputs';
import { describe, expect, it } from 'vitest';
import {
  applyInputParam,
  isInputElement,
  numberBounds,
  type InputElement,
} from '../../src/cells/client/embed-inputs.ts';

type Make = (...args: unknown[]) => HTMLElement;
/** The package's own types are too narrow for these calls; they are checked at run time here. */
const Inputs = ObservableInputs as unknown as {
  range: Make;
  select: Make;
  radio: Make;
  form: Make;
};

function counted(element: unknown): { el: InputElement; events: () => number } {
  if (!isInputElement(element)) throw new TypeError('not an input element');
  let n = 0;
  element.addEventListener('input', () => n++);
  return { el: element, events: () => n };
}

describe('applyInputParam', () => {
  it('a range: reads its bounds, sets and clamps numbers, refuses text', () => {
    const { el, events } = counted(Inputs.range([1, 8], { step: 1, value: 2, label: 'rank r' }));
    expect(numberBounds(el)).toEqual({ min: 1, max: 8, step: 1 });
    expect(applyInputParam(el, 'r', '6', null)).toBeNull();
    expect(el.value).toBe(6);
    expect(applyInputParam(el, 'r', '100', null)).toBe('“r=100” is above the maximum 8; using 8.');
    expect(el.value).toBe(8);
    expect(applyInputParam(el, 'r', '2.6', null)).toMatch(/step 1; using 3/);
    expect(el.value).toBe(3);
    expect(applyInputParam(el, 'r', 'abc', null)).toBe('“r=abc” is not a number; keeping 3.');
    expect(el.value).toBe(3);
    expect(events()).toBe(3);
  });

  it('a select: takes an offered value, refuses another and keeps the old one', () => {
    const { el, events } = counted(
      Inputs.select(['default', 'zero-both', 'gated'], { value: 'default', label: 'scheme' }),
    );
    expect(applyInputParam(el, 'scheme', 'gated', null)).toBeNull();
    expect(el.value).toBe('gated');
    expect(applyInputParam(el, 'scheme', 'zeros', null)).toBe(
      '“scheme=zeros” is not one of the choices; keeping “gated”.',
    );
    expect(el.value).toBe('gated');
    expect(events()).toBe(1);
  });

  it('a select of numbers converts the text first', () => {
    const { el } = counted(Inputs.select([1, 2, 4, 8, 16], { value: 4 }));
    expect(applyInputParam(el, 'r', '8', null)).toBeNull();
    expect(el.value).toBe(8);
    expect(applyInputParam(el, 'r', '3', null)).toMatch(/not one of the choices; keeping 8/);
    expect(el.value).toBe(8);
  });

  it('a radio over a Map sets by value', () => {
    const { el } = counted(
      Inputs.radio(
        new Map([
          ['pretrained encoder', 'encoder'],
          ['small MLP', 'mlp'],
        ]),
        { value: 'encoder' },
      ),
    );
    expect(applyInputParam(el, 'modelChoice', 'mlp', null)).toBeNull();
    expect(el.value).toBe('mlp');
  });

  it('a form: sets one field by name, clamped to that field, leaving the others', () => {
    const { el, events } = counted(
      Inputs.form({
        scale: Inputs.range([0, 2], { step: 0.05, value: 0.5 }),
        r: Inputs.select([1, 2, 4, 8, 16], { value: 4 }),
        seed: Inputs.range([0, 99], { step: 1, value: 0 }),
      }),
    );
    expect(applyInputParam(el, 'seed', '3', 'seed')).toBeNull();
    expect(applyInputParam(el, 'r', '16', 'r')).toBeNull();
    expect(el.value).toEqual({ scale: 0.5, r: 16, seed: 3 });
    expect(applyInputParam(el, 'scale', '7', 'scale')).toBe(
      '“scale=7” is above the maximum 2; using 2.',
    );
    expect(applyInputParam(el, 'r', '5', 'r')).toMatch(/not one of the choices; keeping 16/);
    expect(el.value).toEqual({ scale: 2, r: 16, seed: 3 });
    expect(events()).toBe(3);
  });

  it('a whole form or a non-input value cannot be set from text', () => {
    const { el } = counted(Inputs.form({ a: Inputs.range([0, 1]) }));
    expect(applyInputParam(el, 'settings', '{"a":1}', null)).toMatch(/cannot be set/);
    expect(isInputElement({ value: 1 })).toBe(false);
  });
});
