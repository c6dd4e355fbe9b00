/**
 * What keeps a lesson's two editions in step (docs/japanese-edition.md): front-matter, section
 * structure and cells compared between `lessons/<slug>.mdx` and `lessons/ja/<slug>.mdx`. Each
 * function returns the differences as readable lines (empty when the editions agree).
 */
import { tokenizer, type Token } from 'acorn';
import { parse as parseYaml } from 'yaml';
import { extractCells } from '../../../src/cells/extract.ts';

/**
 * Japanese punctuation (、。「」…), hiragana, katakana, CJK ideographs and full-width forms: text
 * that is Japanese.
 */
const JAPANESE = /[\u3000-\u303f\u3040-\u30ff\u3400-\u9fff\uff00-\uffef]/;

/** Whether `text` contains Japanese. */
export function hasJapanese(text: string): boolean {
  return JAPANESE.test(text);
}

/** The front-matter of an MDX file, parsed. */
export function frontMatter(source: string): Record<string, unknown> {
  const m = /^---\n([\s\S]*?)\n---/.exec(source);
  if (!m?.[1]) throw new Error('no front-matter');
  return parseYaml(m[1]) as Record<string, unknown>;
}

/** Headings outside fenced code, as `## text` lines (level and words). */
export function headings(source: string): { level: number; text: string; line: number }[] {
  const found: { level: number; text: string; line: number }[] = [];
  let fence: string | null = null;
  source.split('\n').forEach((line, i) => {
    const f = /^ {0,3}(`{3,}|~{3,})/.exec(line);
    if (f?.[1]) {
      if (fence === null) fence = f[1];
      else if (f[1].startsWith(fence.charAt(0)) && f[1].length >= fence.length) fence = null;
      return;
    }
    if (fence !== null) return;
    const h = /^(#{1,6})\s+(.*)$/.exec(line);
    if (h?.[1] && h[2] !== undefined) found.push({ level: h[1].length, text: h[2], line: i + 1 });
  });
  return found;
}

/** Differences in the front-matter fields that must be equal, and untranslated fields. */
export function compareFrontMatter(en: string, ja: string): string[] {
  const a = frontMatter(en);
  const b = frontMatter(ja);
  const out: string[] = [];
  for (const key of ['order', 'minutes', 'prerequisites', 'draft']) {
    if (JSON.stringify(a[key]) !== JSON.stringify(b[key])) {
      out.push(
        `front-matter ${key}: English ${JSON.stringify(a[key])}, Japanese ${JSON.stringify(b[key])}`,
      );
    }
  }
  for (const key of ['title', 'description']) {
    const v = b[key];
    if (typeof v !== 'string' || !hasJapanese(v)) {
      out.push(`front-matter ${key} is not in Japanese: ${JSON.stringify(v)}`);
    }
  }
  return out;
}

/** Differences in section structure: the number, order and levels of headings. */
export function compareSections(en: string, ja: string): string[] {
  const a = headings(en);
  const b = headings(ja);
  const out: string[] = [];
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i];
    const y = b[i];
    if (!x || !y) {
      out.push(
        `heading ${String(i + 1)}: only the ${x ? 'English' : 'Japanese'} edition has one ("${(x ?? y)?.text ?? ''}")`,
      );
      break;
    }
    if (x.level !== y.level) {
      out.push(
        `heading ${String(i + 1)} ("${x.text}" / "${y.text}"): level ${String(x.level)} in English, ${String(y.level)} in Japanese`,
      );
    }
  }
  return out;
}

const TOKEN_OPTIONS = {
  ecmaVersion: 'latest',
  sourceType: 'module',
  allowReturnOutsideFunction: true,
  allowAwaitOutsideFunction: true,
} as const;

/** A cell's tokens (comments are not tokens). */
function tokens(source: string): Token[] {
  return [...tokenizer(source, TOKEN_OPTIONS)];
}

/** Where a run of literal text ends: between tags, inside a tag, or inside a visible value. */
export interface MarkupState {
  readonly mode: 'text' | 'tag' | 'value';
  /** The quote that closes a visible attribute's value (mode `value`). */
  readonly quote: string;
}

/** Between tags: where every string and template literal starts. */
export const TEXT_STATE: MarkupState = { mode: 'text', quote: '' };

/** Attributes whose values a reader sees (or hears): their text may be translated. */
const VISIBLE_VALUE_START = /\b(?:aria-label|title|alt|placeholder)=$/;

/**
 * The markup of a run of literal text: every tag (`<…>`) with the values of visible attributes
 * left out, and nothing between tags (`skeleton`); and the words left out (`words`). `start` says where the text starts (the part after a `${…}`
 * in `<a href=${x}>` starts inside a tag); the returned `state` says where it ends.
 */
export function markup(
  text: string,
  start: MarkupState = TEXT_STATE,
): { skeleton: string; words: string; state: MarkupState } {
  let skeleton = '';
  let words = '';
  let { mode, quote } = start;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] ?? '';
    if (mode === 'value') {
      if (c === quote) {
        skeleton += c;
        mode = 'tag';
      } else {
        words += c;
      }
    } else if (mode === 'tag') {
      if ((c === '"' || c === "'") && VISIBLE_VALUE_START.test(skeleton)) {
        skeleton += c;
        mode = 'value';
        quote = c;
      } else {
        skeleton += c;
        if (c === '>') mode = 'text';
      }
    } else if (c === '<' && /[a-zA-Z/!]/.test(text[i + 1] ?? '')) {
      mode = 'tag';
      skeleton += c;
    } else {
      words += c;
    }
  }
  return { skeleton, words, state: { mode, quote } };
}

/** A string or template token's text (acorn's `Token` type leaves `value` out). */
const valueOf = (t: Token): string => {
  const value = (t as Token & { value?: unknown }).value;
  return typeof value === 'string' ? value : '';
};

/** Whether a token is literal text (a string, or a fixed part of a template literal). */
const isText = (t: Token) => t.type.label === 'string' || t.type.label === 'template';

/**
 * Differences between two versions of one cell's program: tokens compared one by one; literal
 * text may differ only where the Japanese text contains Japanese and keeps the same markup.
 */
export function compareCellCode(en: string, ja: string): string[] {
  let a: Token[];
  let b: Token[];
  try {
    a = tokens(en);
    b = tokens(ja);
  } catch (error) {
    return [`the code does not tokenise: ${(error as Error).message}`];
  }
  const out: string[] = [];
  let stateA = TEXT_STATE;
  let stateB = TEXT_STATE;
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i];
    const y = b[i];
    if (!x || !y) {
      out.push(`the ${x ? 'English' : 'Japanese'} code goes on after the other ends`);
      break;
    }
    const rawA = en.slice(x.start, x.end);
    const rawB = ja.slice(y.start, y.end);
    const shown = (raw: string) => JSON.stringify(raw);
    if (x.type.label !== y.type.label) {
      out.push(`token ${String(i)}: ${shown(rawA)} in English, ${shown(rawB)} in Japanese`);
      break;
    }
    if (x.type.label === '`') {
      stateA = TEXT_STATE;
      stateB = TEXT_STATE;
    }
    if (isText(x)) {
      const tx = valueOf(x);
      const ty = valueOf(y);
      const mx = markup(tx, x.type.label === 'template' ? stateA : TEXT_STATE);
      const my = markup(ty, x.type.label === 'template' ? stateB : TEXT_STATE);
      if (x.type.label === 'template') {
        stateA = mx.state;
        stateB = my.state;
      }
      if (tx === ty) continue;
      // Words may move between the parts of a template (`Table of ${m}` → `${m}の表`): a part
      // left with no words at all is fine; a part with other words must have Japanese ones.
      if (!hasJapanese(ty) && my.words.trim() !== '') {
        out.push(
          `text ${JSON.stringify(tx)} became ${JSON.stringify(ty)}, which is not Japanese (a value the program uses?)`,
        );
      } else if (mx.skeleton !== my.skeleton) {
        out.push(
          `the markup of ${JSON.stringify(tx)} changed: ${JSON.stringify(mx.skeleton)} became ${JSON.stringify(my.skeleton)}`,
        );
      }
      continue;
    }
    if (rawA !== rawB) {
      out.push(`token ${String(i)}: ${shown(rawA)} in English, ${shown(rawB)} in Japanese`);
      break;
    }
  }
  return out;
}

/** Differences between the two editions' cells: count, order, info strings and programs. */
export function compareCells(en: string, ja: string): string[] {
  const a = extractCells(en);
  const b = extractCells(ja);
  const out: string[] = [];
  if (a.length !== b.length) {
    out.push(`${String(a.length)} cells in English, ${String(b.length)} in Japanese`);
  }
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i];
    const y = b[i];
    if (!x || !y) continue;
    const where = `cell ${String(i)} (${x.name ?? 'anonymous'}, English line ${String(x.line)}, Japanese line ${String(y.line)})`;
    if (x.name !== y.name) {
      out.push(`${where}: named ${String(y.name)} in Japanese`);
      continue;
    }
    if (x.meta.join(' ') !== y.meta.join(' ')) {
      out.push(`${where}: info string "cell ${x.meta.join(' ')}" / "cell ${y.meta.join(' ')}"`);
    }
    for (const d of compareCellCode(x.source, y.source)) out.push(`${where}: ${d}`);
  }
  return out;
}

/** Digit-numbers in a sentence, commas dropped, sorted: what the two editions must both state. */
export function numbersIn(text: string): string[] {
  return (text.match(/\d[\d,]*(?:\.\d+)?/g) ?? []).map((n) => n.replace(/,/g, '')).sort();
}
