/** The JSON the browser loads for the sentiment lessons (`public/data/sentiment.json`). */
import { SENTIMENT_SOURCES, type SentimentSplit } from '../../src/core/data/index.ts';

/** Serialises the split with its attribution; rows are `[text, label, sourceIndex]` to stay small. */
export function sentimentJson(split: SentimentSplit): string {
  const rows = (name: 'train' | 'validation' | 'test') =>
    split[name].map((e) => [e.text, e.label, SENTIMENT_SOURCES.indexOf(e.source)] as const);
  const body = {
    name: 'UCI Sentiment Labelled Sentences',
    citation:
      'D. Kotzias, M. Denil, N. de Freitas, P. Smyth. From Group to Individual Labels using Deep Features. KDD 2015.',
    licence: 'CC BY 4.0',
    via: 'npm sentiment@5.0.2, test/fixtures/{imdb,amazon,yelp}.json',
    changes:
      'trailing empty items dropped, whitespace trimmed, 21 repeated sentences removed, split made by scripts/prepare-data.ts',
    seed: split.seed,
    columns: ['text', 'label (1 = positive)', 'source index'],
    sources: SENTIMENT_SOURCES,
    train: rows('train'),
    validation: rows('validation'),
    test: rows('test'),
  };
  return `${JSON.stringify(body, null, 0)}\n`;
}
