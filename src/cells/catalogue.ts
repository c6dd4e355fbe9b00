/**
 * What /instructors/ says about each cell (issue 22): a human title, what the cell shows (in the
 * lesson's own words: the first sentence of the prose just above it), and its inputs in words
 * (each control's label and kind, with the address parameter that sets it). Pure text work on a
 * lesson's source, so the page is built without running any cell.
 */

/** One input a cell depends on, as an instructor reads it. */
export interface InputInWords {
  /** The address parameter (`r` in `?r=4`). */
  readonly param: string;
  /** The control's own label ("rank r"), or null when it has none. */
  readonly label: string | null;
  /** "slider", "menu", "choice", …, or "value in the code" for a literal cell (`alpha = 4`). */
  readonly kind: string;
}

const KINDS: Readonly<Record<string, string>> = {
  range: 'slider',
  number: 'number box',
  select: 'menu',
  radio: 'choice',
  checkbox: 'checkboxes',
  toggle: 'switch',
  text: 'text box',
  textarea: 'text box',
  button: 'button',
  search: 'search box',
  color: 'colour picker',
  date: 'date',
};

const LABEL = /\blabel:\s*(?:"([^"]*)"|'([^']*)'|`([^`$]*)`)/;

function labelIn(text: string): string | null {
  const m = LABEL.exec(text);
  return m ? (m[1] ?? m[2] ?? m[3] ?? null) : null;
}

/**
 * The inputs a cell defines, by parameter name: `viewof r = Inputs.range(…, {label: "rank r"})`
 * gives `r`; each field of `viewof s = Inputs.form({r: Inputs.select(…, {label: …}), …})` gives
 * its field name.
 */
export function inputsOf(source: string): Map<string, { label: string | null; kind: string }> {
  const out = new Map<string, { label: string | null; kind: string }>();
  const head = /^\s*viewof\s+([A-Za-z_$][\w$]*)\s*=\s*Inputs\.(\w+)\(/.exec(source);
  if (!head) return out;
  const [, name = '', call = ''] = head;
  if (call !== 'form') {
    out.set(name, { label: labelIn(source), kind: KINDS[call] ?? 'input' });
    return out;
  }
  const fields = [...source.matchAll(/([A-Za-z_$][\w$]*)\s*:\s*Inputs\.(\w+)\(/g)];
  fields.forEach((m, i) => {
    const end = fields[i + 1]?.index ?? source.length;
    const chunk = source.slice(m.index, end);
    out.set(m[1] ?? '', { label: labelIn(chunk), kind: KINDS[m[2] ?? ''] ?? 'input' });
  });
  return out;
}

/** The inputs `params` in words, looked up in the cells `sources` (literal cells otherwise). */
export function inputsInWords(
  params: readonly string[],
  sources: readonly string[],
): InputInWords[] {
  const known = new Map<string, { label: string | null; kind: string }>();
  for (const s of sources) for (const [k, v] of inputsOf(s)) if (!known.has(k)) known.set(k, v);
  return params.map((param) => {
    const found = known.get(param);
    return found
      ? { param, label: found.label, kind: found.kind }
      : { param, label: null, kind: 'value in the code' };
  });
}

/** One input as a phrase: `rank r (slider, ?r=…)`. */
export function inputPhrase(input: InputInWords): string {
  const what = input.label ?? input.param;
  return `${what} (${input.kind}, ?${input.param}=…)`;
}

/** What a cell makes, in a word: a figure, controls, a table, a training run, text or a value. */
export function cellKind(source: string): string {
  if (/^\s*viewof\s+\w+\s*=\s*trainingPanel\(/.test(source)) return 'training run';
  if (/^\s*viewof\b/.test(source)) return 'controls';
  if (/\bPlotly\s*\.\s*(newPlot|react)\b|<svg\b|\bsvg`/.test(source)) return 'figure';
  if (/<table\b/.test(source)) return 'table';
  if (/\bhtml`|\bmd`/.test(source)) return 'text';
  return 'value';
}

/** TeX commands that read better as their symbol. */
const TEX: Readonly<Record<string, string>> = {
  cdot: '·',
  times: '×',
  alpha: 'α',
  theta: 'θ',
  approx: '≈',
  le: '≤',
  ge: '≥',
  in: '∈',
  sqrt: '√',
  partial: '∂',
  top: 'ᵀ',
};

/** Markdown prose → plain text (code spans, emphasis, links and `$` of maths removed). */
export function plainText(markdown: string): string {
  return markdown
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/`([^`]*)`/g, '$1')
    .replace(/\*\*?([^*]+)\*\*?/g, '$1')
    .replace(/\$\$?([^$]*)\$\$?/g, '$1')
    .replace(/\\(?:text|mathrm|mathbf|mathbb|operatorname)\{([^}]*)\}/g, '$1')
    .replace(/\\frac\{([^}]*)\}\{([^}]*)\}/g, '$1/$2')
    .replace(/\\([A-Za-z]+)/g, (_, name: string) => TEX[name] ?? name)
    .replace(/\\,|\\;|\\!/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The first sentence of a text (up to 220 characters, cut at a word). */
export function firstSentence(text: string): string {
  const m = /^(.+?[.!?])(\s|$)/.exec(text);
  const s = m?.[1] ?? text;
  if (s.length <= 220) return s;
  return `${s.slice(0, 217).replace(/\s+\S*$/, '')}…`;
}

/**
 * The first sentence of the prose paragraph nearest above the fence on 1-based line
 * `fenceLine` (other fenced blocks in between are skipped), or null when a heading comes first.
 */
export function leadSentence(lines: readonly string[], fenceLine: number): string | null {
  let i = fenceLine - 2;
  while (i >= 0) {
    const line = lines[i] ?? '';
    if (/^#{1,6}\s/.test(line)) return null;
    if (/^\s*(`{3,}|~{3,})/.test(line)) {
      // The closing fence of an earlier block: skip to its opening.
      i--;
      while (i >= 0 && !/^\s*(`{3,}|~{3,})/.test(lines[i] ?? '')) i--;
      i--;
      continue;
    }
    if (line.trim() === '' || /^\s*(<|\||\$\$)/.test(line)) {
      i--;
      continue;
    }
    const end = i;
    while (i > 0 && (lines[i - 1] ?? '').trim() !== '' && !/^#{1,6}\s/.test(lines[i - 1] ?? ''))
      i--;
    const paragraph = plainText(
      lines
        .slice(i, end + 1)
        .map((l) => l.replace(/^\s*[-*]\s+/, ''))
        .join(' '),
    );
    return paragraph === '' ? null : firstSentence(paragraph);
  }
  return null;
}
