/**
 * The pre-tokenizer shared by the tokenizer, the corpus builder and the GloVe trimming: it turns
 * raw text into lowercase word tokens. Punctuation marks are tokens of their own; English clitics
 * are split the way the Penn Treebank / Stanford tokenizers do ("don't" → "do" "n't", "it's" →
 * "it" "'s"), so negation is one reusable token, which matters for sentiment.
 */

const CLITIC = /^(.+?)(n't|'s|'re|'ve|'ll|'d|'m)$/;
const CLITICS = new Set(["n't", "'s", "'re", "'ve", "'ll", "'d", "'m"]);
const TOKEN = /[\p{L}\p{N}]+(?:'[\p{L}\p{N}]+)*|[^\s\p{L}\p{N}]/gu;

/** Lowercases, folds curly quotes and accents' composed forms to NFC, and collapses whitespace. */
export function normalizeText(text: string): string {
  return text
    .normalize('NFC')
    .toLowerCase()
    .replace(/[\u2018\u2019\u02bc`]/g, "'")
    .replace(/[\u201c\u201d]/g, '"')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Splits text into word, clitic and punctuation tokens (lowercase). Empty text gives `[]`. */
export function splitWords(text: string): string[] {
  const out: string[] = [];
  for (const m of normalizeText(text).matchAll(TOKEN)) {
    const t = m[0];
    const c = t.includes("'") ? CLITIC.exec(t) : null;
    if (CLITICS.has(t)) {
      out.push(t);
    } else if (c?.[1] !== undefined && c[2] !== undefined) {
      out.push(c[1], c[2]);
    } else if (t.includes("'")) {
      // A stray apostrophe inside a word ("rock'n'roll"): keep the pieces and the marks.
      for (const piece of t.split(/(')/)) if (piece !== '') out.push(piece);
    } else {
      out.push(t);
    }
  }
  return out;
}

const NO_SPACE_BEFORE = new Set([
  '.',
  ',',
  '!',
  '?',
  ';',
  ':',
  ')',
  ']',
  '%',
  "n't",
  "'s",
  "'re",
  "'ve",
  "'ll",
  "'d",
  "'m",
]);
const NO_SPACE_AFTER = new Set(['(', '[', '$']);

/** Joins word tokens back into readable text (the inverse of {@link splitWords} up to spacing and case). */
export function joinWords(tokens: readonly string[]): string {
  let s = '';
  let prev = '';
  for (const t of tokens) {
    if (s !== '' && !NO_SPACE_BEFORE.has(t) && !NO_SPACE_AFTER.has(prev)) s += ' ';
    s += t;
    prev = t;
  }
  return s;
}
