/**
 * The sentiment comparison's starts as the results file names them (scripts/precompute-intrinsic.ts),
 * for display in either edition.
 */

/** Each start's name in the results file, with the Japanese edition's words for it. */
const STARTS_JA: Readonly<Record<string, string>> = {
  'pretrained tiny encoder': '事前学習済みの小さなエンコーダー',
  'same architecture, random init': '同じアーキテクチャ、ランダム初期化',
  'GloVe word vectors, random layers (no MLM)': 'GloVeの単語ベクトルとランダムな層（MLMなし）',
  'stand-in "pretrained" (random micro)': '代用（ランダムな極小エンコーダー）',
};

/**
 * A start's name for display: unchanged in English; in Japanese the lesson's words for the
 * starts the precompute script makes (a name it does not know comes back unchanged).
 */
export function startLabel(name: string, lang = 'en'): string {
  return lang === 'ja' ? (STARTS_JA[name] ?? name) : name;
}
