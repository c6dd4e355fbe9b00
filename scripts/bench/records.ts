/**
 * `bench/results.json`'s records, and how a bench run of some sections only (`--only`) merges into
 * the files a whole run wrote: its records replace those of the same benchmarks, its section of
 * BENCHMARKS.md replaces the section of the same heading (or goes before "## Not yet measured").
 */

/** One machine-readable measurement in `bench/results.json`. */
export interface BenchRecord {
  readonly benchmark: string;
  readonly backend: string;
  readonly metric: string;
  readonly value: number;
  readonly unit: string;
}

/** `old` without the records whose benchmark starts with `prefix`, then `fresh`. */
export function mergeRecords(
  old: readonly BenchRecord[],
  fresh: readonly BenchRecord[],
  prefix: string,
): BenchRecord[] {
  return [...old.filter((r) => !r.benchmark.startsWith(prefix)), ...fresh];
}

/**
 * `markdown` with the section whose heading line is `section[0]` replaced by `section` (a section
 * runs to the next `## ` heading); a new section goes before "## Not yet measured", or at the end.
 */
export function replaceSection(markdown: string, section: readonly string[]): string {
  const heading = section[0];
  if (heading?.startsWith('## ') !== true)
    throw new Error(
      `replaceSection: the section must start with a "## " heading, got ${JSON.stringify(heading)}`,
    );
  const lines = markdown.split('\n');
  const next = (from: number): number => {
    const k = lines.findIndex((l, i) => i > from && l.startsWith('## '));
    return k === -1 ? lines.length : k;
  };
  const at = lines.indexOf(heading);
  if (at !== -1) return [...lines.slice(0, at), ...section, ...lines.slice(next(at))].join('\n');
  const tail = lines.indexOf('## Not yet measured');
  const cut = tail === -1 ? lines.length : tail;
  return [...lines.slice(0, cut), ...section, ...lines.slice(cut)].join('\n');
}
