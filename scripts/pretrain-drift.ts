/**
 * How far MLM pretraining moved the word embeddings from their GloVe init (a diagnosis for the
 * /data page's evaluation): per vocabulary-id band, the mean cosine between each row's init
 * (`scripts/lib/init-encoder.ts`, seed 0) and pretrained value, the mean row norms, and the
 * nearest neighbours (cosine) of a few sentiment words before and after.
 *
 *   npx tsx scripts/pretrain-drift.ts [--model public/models/tiny-roberta] [--seed 0]
 *
 * Prints text; writes nothing. Ids are in vocabulary order (UCI training words, then corpus words by
 * frequency), so higher bands hold rarer corpus words.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { SPECIAL_TOKENS, WordTokenizer } from '../src/core/data/index.ts';
import { safetensorsToTensors } from '../src/core/io/safetensors.ts';
import { Encoder } from '../src/core/models/encoder.ts';
import { fromHfConfig } from './lib/hf-weights.ts';
import { modelFolder } from '../src/cells/kit/site-node.ts';
import { applyGloveInit } from './lib/init-encoder.ts';

const { values: a } = parseArgs({
  options: {
    model: { type: 'string', default: 'public/models/tiny-roberta' },
    seed: { type: 'string', default: '0' },
    words: { type: 'string', default: 'great,awful,terrible,excellent,boring,delicious' },
  },
});
const dir = path.resolve(a.model);
await tf.setBackend('wasm');
// The model read and checked against its manifest as a lesson's page reads it (src/cells/kit/site.ts).
const files = await modelFolder(dir);
const cfg = fromHfConfig(files.config, { numLabels: 0, mlmHead: true });
const tok = WordTokenizer.fromJSON(files.tokenizer);
const enc = new Encoder(cfg, { seed: Number(a.seed) });
await applyGloveInit(enc, tok.vocab, Number(a.seed));
const NAME = 'roberta.embeddings.word_embeddings.weight';
const init = await enc.param(NAME).data<'float32'>();
const { tensors } = safetensorsToTensors(files.weights);
const table = tensors[NAME];
if (!table) throw new Error(`${dir}/model.safetensors: no ${NAME}`);
const trained = await table.data<'float32'>();
tf.dispose(Object.values(tensors));
enc.dispose();

const H = cfg.hiddenSize;
const V = cfg.vocabSize;
const row = (E: Float32Array, i: number): Float32Array => E.subarray(i * H, (i + 1) * H);
const dot = (x: Float32Array, y: Float32Array): number =>
  x.reduce((s, v, k) => s + v * (y[k] ?? 0), 0);
const norm = (x: Float32Array): number => Math.sqrt(dot(x, x));
const first = SPECIAL_TOKENS.length;
for (const [lo, hi] of [
  [first, 500],
  [500, 2000],
  [2000, 8000],
  [8000, V],
] as const) {
  let cos = 0;
  let n0 = 0;
  let n1 = 0;
  for (let i = lo; i < hi; i++) {
    const x = row(init, i);
    const y = row(trained, i);
    cos += dot(x, y) / (norm(x) * norm(y));
    n0 += norm(x);
    n1 += norm(y);
  }
  const k = hi - lo;
  console.log(
    `ids ${lo}–${hi - 1}: mean cosine(init, pretrained) ${(cos / k).toFixed(3)}; mean row norm ${(n0 / k).toFixed(3)} → ${(n1 / k).toFixed(3)}`,
  );
}
const neighbours = (E: Float32Array, w: string): string => {
  const id = tok.tokenId(w);
  const x = row(E, id);
  const sims: [number, string][] = [];
  for (let i = first; i < V; i++) {
    if (i === id) continue;
    const y = row(E, i);
    sims.push([dot(x, y) / (norm(x) * norm(y)), tok.vocab[i] ?? '?']);
  }
  return sims
    .sort((p, q) => q[0] - p[0])
    .slice(0, 6)
    .map(([, t]) => t)
    .join(' ');
};
for (const w of a.words.split(',')) {
  console.log(`${w}: init ${neighbours(init, w)} | pretrained ${neighbours(trained, w)}`);
}
