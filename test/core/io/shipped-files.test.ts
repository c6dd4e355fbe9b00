/**
 * Every JSON file the site ships has one schema, and it fits: the model's manifest.json and
 * eval.json (src/core/io/model-files.ts) and each lesson's precomputed results
 * (src/experiments/<lesson>/results.ts). A broken copy of each is refused with an error that
 * names the field and the value.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseModelEval, parseModelManifest } from '../../../src/core/io/model-files.ts';
import { SchemaError } from '../../../src/core/schema.ts';
import { parseInitialisationResults } from '../../../src/experiments/initialisation/results.ts';
import {
  parseMnistResults,
  parseSentimentIntrinsicResults,
} from '../../../src/experiments/intrinsic/results.ts';
import { parsePlacementResults } from '../../../src/experiments/placement/results.ts';
import { parseLowRankResults } from '../../../src/experiments/lowrank/results.ts';

const json = (file: string): unknown => JSON.parse(readFileSync(`public/${file}`, 'utf8'));

/** A deep copy of `value` with `edit` applied (the file on disk is never touched). */
function broken(value: unknown, edit: (copy: Record<string, unknown>) => void): unknown {
  const copy = structuredClone(value) as Record<string, unknown>;
  edit(copy);
  return copy;
}

/** `value` at a path of keys and indices, for editing copies in tests. */
function at(value: unknown, ...path: (string | number)[]): Record<string, unknown> {
  let v = value;
  for (const k of path) v = (v as Record<string | number, unknown>)[k];
  return v as Record<string, unknown>;
}

const files = [
  {
    file: 'models/tiny-roberta/manifest.json',
    parse: parseModelManifest,
    breakIt: (c: Record<string, unknown>) => {
      at(c, 'files', 'model.safetensors').sha256 = 'not-a-hash';
    },
    message: /manifest\.json\.files\.model\.safetensors\.sha256 = "not-a-hash": expected a SHA-256/,
  },
  {
    file: 'models/tiny-roberta/eval.json',
    parse: parseModelEval,
    breakIt: (c: Record<string, unknown>) => {
      at(c, 'runs', 3).seed = 'zero';
    },
    message: /eval\.json\.runs\[3\]\.seed = "zero": expected an integer/,
  },
  {
    file: 'models/tiny-roberta/eval-gap.json',
    parse: parseModelEval,
    breakIt: (c: Record<string, unknown>) => {
      at(c, 'runs', 0).testCorrect = '1x0';
    },
    message: /eval\.json\.runs\[0\]\.testCorrect = "1x0": expected a string of '0' and '1'/,
  },
  {
    file: 'results/intrinsic/mnist.json',
    parse: parseMnistResults,
    breakIt: (c: Record<string, unknown>) => {
      at(c, 'runs', 0).accuracy = null;
    },
    message: /mnist\.json\.runs\[0\]\.accuracy = null: expected a finite number/,
  },
  {
    file: 'results/intrinsic/sentiment.json',
    parse: parseSentimentIntrinsicResults,
    breakIt: (c: Record<string, unknown>) => {
      at(c, 'runs', 2).d = 'half';
    },
    message: /sentiment\.json\.runs\[2\]\.d = "half": expected an integer or 'full'/,
  },
  {
    file: 'results/placement/sentiment.json',
    parse: parsePlacementResults,
    breakIt: (c: Record<string, unknown>) => {
      at(c, 'points', 1, 'setting').kind = 'adapter';
    },
    message: /points\[1\]\.setting\.kind = "adapter": expected one of "classifier", "lora", "full"/,
  },
  {
    file: 'results/lowrank/sentiment.json',
    parse: parseLowRankResults,
    breakIt: (c: Record<string, unknown>) => {
      at(c, 'runs', 0, 'method').kind = 'adapter';
    },
    message: /runs\[0\]\.method\.kind = "adapter": expected one of "full", "lora"/,
  },
  {
    file: 'results/initialisation/encoder.json',
    parse: parseInitialisationResults,
    breakIt: (c: Record<string, unknown>) => {
      delete at(c, 'runs').base;
    },
    message: /encoder\.json\.runs\.base = undefined \(missing\): expected an array/,
  },
] as const;

describe('the schemas of the shipped JSON files', () => {
  for (const f of files) {
    it(`${f.file} fits its schema, and a broken copy is refused naming the field`, () => {
      const value = json(f.file);
      expect(f.parse(value)).toBe(value); // checked and typed, not copied
      const bad = broken(value, f.breakIt);
      expect(() => f.parse(bad)).toThrow(SchemaError);
      expect(() => f.parse(bad)).toThrow(f.message);
    });
  }

  it('refuses what is not an object at all, and a truncated file', () => {
    expect(() => parseModelManifest([])).toThrow(
      /manifest\.json = an array of 0: expected an object/,
    );
    expect(() => parseMnistResults({ what: 'x' })).toThrow(/mnist\.json\.settings = undefined/);
  });
});
