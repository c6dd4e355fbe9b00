/** `npm run bench -- --only …` merging one section into the files a whole run wrote. */
import { describe, expect, it } from 'vitest';
import { mergeRecords, replaceSection, type BenchRecord } from '../../../scripts/bench/records.ts';

const DOC = [
  '# Benchmarks',
  '',
  'intro',
  '',
  '## A',
  '',
  'a1',
  '',
  '## B',
  'b1',
  '',
  '## Not yet measured',
  '',
  '- x',
  '',
].join('\n');

describe('replaceSection', () => {
  it('replaces a section of the same heading up to the next heading, keeping the rest byte for byte', () => {
    const out = replaceSection(DOC, ['## A', '', 'new', '']);
    expect(out).toBe(DOC.replace('## A\n\na1\n\n', '## A\n\nnew\n\n'));
  });

  it('replaces the last section up to the end when no heading follows it', () => {
    const out = replaceSection(DOC, ['## Not yet measured', '', '- y', '']);
    expect(out.endsWith('## Not yet measured\n\n- y\n')).toBe(true);
    expect(out.startsWith(DOC.slice(0, DOC.indexOf('## Not yet')))).toBe(true);
  });

  it('puts a new section before "## Not yet measured", or at the end without one', () => {
    const out = replaceSection(DOC, ['## C', 'c1', '']);
    expect(out.indexOf('## C')).toBeLessThan(out.indexOf('## Not yet measured'));
    expect(out.indexOf('## C')).toBeGreaterThan(out.indexOf('## B'));
    expect(replaceSection('# T\n', ['## C', 'c'])).toBe('# T\n\n## C\nc');
  });

  it('refuses a section that does not start with a "## " heading, naming what it got', () => {
    expect(() => replaceSection(DOC, ['C'])).toThrow(/"C"/);
  });
});

describe('mergeRecords', () => {
  const r = (benchmark: string, value: number): BenchRecord => ({
    benchmark,
    backend: 'node-wasm',
    metric: 'step_time_median',
    value,
    unit: 'ms',
  });
  it('drops the old records of the merged benchmarks only and appends the fresh ones', () => {
    const old = [
      r('encoder-train/full', 1),
      r('qlora-train/lora/float32', 2),
      r('qlora-trainer', 3),
    ];
    const out = mergeRecords(old, [r('qlora-train/lora/nf4', 4)], 'qlora-train/');
    expect(out).toEqual([
      r('encoder-train/full', 1),
      r('qlora-trainer', 3),
      r('qlora-train/lora/nf4', 4),
    ]);
  });
});
