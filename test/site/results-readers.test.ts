/**
 * One schema per precomputed results file, used by its writer and every reader: each lesson cell
 * that reads a file under `results/` passes its lesson's parse function
 * (`site.results("results/…", lab.parse…Results)`), the one the precompute script checks what it
 * writes against, so a file that does not fit is refused naming the file and the field.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const LESSONS = join(import.meta.dirname, '..', '..', 'lessons');

/** Each read of a results file in `source`: the call as written, and whether it names a parser. */
function resultsReads(source: string): { call: string; parsed: boolean }[] {
  const reads = /site\.(?:results|json|optionalJson)\(\s*["'`](results\/[^"'`]+)["'`]\s*([,)])/g;
  return [...source.matchAll(reads)].map((m) => ({
    call: m[0],
    parsed: m[2] === ',',
  }));
}

describe('lesson cells read precomputed results with their schema', () => {
  it('finds the reads (self-check)', () => {
    expect(resultsReads('x = site.results("results/a/b.json")')).toEqual([
      { call: 'site.results("results/a/b.json")', parsed: false },
    ]);
    expect(resultsReads('site.json(\n "results/a.json", lab.parseA)')[0]?.parsed).toBe(true);
  });

  const files = readdirSync(LESSONS).filter((f) => /\.mdx?$/.test(f));
  for (const file of files) {
    it(`${file}: every results file is read with a parse function`, () => {
      const unparsed = resultsReads(readFileSync(join(LESSONS, file), 'utf8')).filter(
        (r) => !r.parsed,
      );
      expect(unparsed.map((r) => r.call)).toEqual([]);
    });
  }
});
