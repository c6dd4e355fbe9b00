/**
 * Sets an embed's inputs from its URL: a `viewof r` cell's element gets the value (converted to
 * the type of its current value, clamped to its control's min/max/step) and an `input` event, as
 * if the reader had moved it; `viewof settings = Inputs.form({r, seed, …})` takes `?r=8` for its
 * field `r`. A value the control refuses (not one of a select's choices) is undone and reported,
 * in the language given (English by default; the embed passes its page's).
 */
import type { Lang } from '../../lib/i18n.ts';
import { clip, coerceParam, type NumberBounds } from '../embed-params.ts';
import { cellsText } from '../text.ts';

/** An Observable input: an element whose `value` property is what the cell's name holds. */
export type InputElement = Element & { value: unknown };

/** Whether a cell's value is an input element (what `viewof x = …` displays). */
export function isInputElement(value: unknown): value is InputElement {
  return typeof Element === 'function' && value instanceof Element && 'value' in value;
}

/** Whether a value is a plain record of fields (the value of `Inputs.form({…})`). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

function attributeNumber(input: Element, name: string): number | undefined {
  const raw = input.getAttribute(name);
  if (raw === null || raw.trim() === '' || raw === 'any') return undefined;
  const value = Number(raw);
  return Number.isFinite(value) ? value : undefined;
}

/** The min/max/step of the one number or range control in `element` (none: no bounds). */
export function numberBounds(element: Element | null): NumberBounds {
  if (!element) return {};
  const controls = element.querySelectorAll('input[type="number"], input[type="range"]');
  const first = controls[0];
  if (!first) return {};
  // Inputs.range has a number box and a slider with the same bounds; more means several inputs.
  if (controls.length > 2) return {};
  return {
    min: attributeNumber(first, 'min'),
    max: attributeNumber(first, 'max'),
    step: attributeNumber(first, 'step'),
  };
}

/** The control of field `key` in an Inputs.form element (its children follow the keys). */
function fieldElement(form: InputElement, key: string): Element | null {
  const value = form.value;
  if (!isRecord(value)) return null;
  const keys = Object.keys(value);
  const holder = form.children.length === keys.length ? form : form.firstElementChild;
  if (holder?.children.length !== keys.length) return null;
  return holder.children[keys.indexOf(key)] ?? null;
}

function show(value: unknown, lang: Lang): string {
  return typeof value === 'string' ? cellsText(lang).params.quote(clip(value)) : String(value);
}

/**
 * Sets one URL parameter on an input element: the whole value (`field` null) or one field of a
 * form. Returns a message for the reader when the value was refused or adjusted, else null.
 */
export function applyInputParam(
  element: InputElement,
  name: string,
  raw: string,
  field: string | null,
  lang: Lang = 'en',
): string | null {
  const words = cellsText(lang).params;
  const before = element.value;
  const read = (): unknown => {
    const v = element.value;
    return field === null ? v : isRecord(v) ? v[field] : undefined;
  };
  const current = read();
  const bounds = numberBounds(field === null ? element : fieldElement(element, field));
  const coerced = coerceParam(name, raw, current, bounds, lang);
  if (!coerced.ok) return coerced.message;
  const wanted = coerced.value;
  element.value =
    field === null ? wanted : { ...(before as Record<string, unknown>), [field]: wanted };
  const after = read();
  if (after === null || after === undefined || typeof after !== typeof wanted) {
    element.value = before; // Not one of the choices: put the old value back.
    return words.notAChoice(`${name}=${clip(raw)}`, show(current, lang));
  }
  element.dispatchEvent(new Event('input', { bubbles: true }));
  if (!Object.is(after, wanted)) {
    return words.adjusted(`${name}=${clip(raw)}`, show(after, lang));
  }
  return coerced.note;
}
