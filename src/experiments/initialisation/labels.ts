/**
 * The initialisation experiments name their tasks and learning-rate variants in English, and the
 * precomputed results file keeps those names. The Japanese edition shows them in Japanese: this
 * turns each name the experiments make (tasks.ts, lesson.ts) into the Japanese edition's words,
 * and leaves any other name as it is.
 */

/** The name patterns the experiments make, each with its Japanese form. */
const PATTERNS: readonly (readonly [RegExp, (...groups: string[]) => string])[] = [
  [/^learning rate (\S+)$/, (lr = '') => `学習率${lr}`],
  [
    /^warm-up to (\S+) over (\d+) steps$/,
    (lr = '', steps = '') => `${steps}ステップで${lr}まで上げるウォームアップ`,
  ],
  [
    /^pretrained encoder \((\d+) layers, width (\d+)\) on sentiment(, head fitted then frozen)?$/,
    (layers = '', width = '', head) =>
      `感情分析の事前学習済みエンコーダー（${layers}層、幅${width}）${head ? '、ヘッドを学習してから凍結' : ''}`,
  ],
  [
    /^MLP \[([\d, ]+)\] pretrained on a teacher, adapted to a shifted teacher$/,
    (sizes = '') => `教師で事前学習し、ずらした教師に適応させるMLP [${sizes}]`,
  ],
];

/**
 * A task or variant name of the initialisation experiments for display: unchanged in English; in
 * the Japanese edition's words with `lang: 'ja'`, e.g. "learning rate 0.1" → "学習率0.1" (a name
 * it does not know comes back unchanged).
 */
export function initLabel(name: string, lang = 'en'): string {
  if (lang !== 'ja') return name;
  for (const [pattern, ja] of PATTERNS) {
    const m = pattern.exec(name);
    if (m) return ja(...m.slice(1)); // an unmatched optional group is undefined
  }
  return name;
}
