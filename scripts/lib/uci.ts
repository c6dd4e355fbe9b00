/** Reads the UCI Sentiment Labelled Sentences from `sentiment@5.0.2`'s test fixtures (Node only). */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  SENTIMENT_SOURCES,
  dedupe,
  parseUciItems,
  splitSentiment,
  type SentimentExample,
  type SentimentSplit,
} from '../../src/core/data/index.ts';
import { packageDir, packageVersion } from './paths.ts';

/** The fixture file of one site. */
export function uciFile(source: string): string {
  return path.join(packageDir('sentiment'), 'test', 'fixtures', `${source}.json`);
}

/** All 3,000 labelled sentences in file order (imdb, amazon, yelp), trailing empty items dropped. */
export function readUciSentences(): SentimentExample[] {
  const version = packageVersion('sentiment');
  if (version !== '5.0.2')
    throw new Error(`sentiment: expected the pinned 5.0.2 (fixtures can change), found ${version}`);
  return SENTIMENT_SOURCES.flatMap((s) =>
    parseUciItems(JSON.parse(readFileSync(uciFile(s), 'utf8')), s),
  );
}

/** The project's fixed split of the de-duplicated sentences. */
export function readUciSplit(): SentimentSplit {
  return splitSentiment(dedupe(readUciSentences()));
}
