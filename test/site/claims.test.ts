/**
 * Every lesson's prose against the results files it rests on (test/site/claims/): each claimed
 * sentence is still in its lesson and its file still supports it. Regenerating a results file so
 * that a sentence no longer holds fails here, naming the lesson, the sentence and the number.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkClaims, formatFailures, type Claim, type Results } from './claims/claim.ts';
import { numbersIn } from './editions/compare.ts';

const root = join(import.meta.dirname, '..', '..');
const lessonsDir = join(root, 'lessons');
const slugs = readdirSync(lessonsDir)
  .filter((f) => f.endsWith('.mdx'))
  .map((f) => f.replace(/\.mdx$/, ''))
  .sort();

/** A results file under `public/`, or an evidence file the site does not serve (`docs/…`). */
const readPublic = (file: string): Results =>
  JSON.parse(
    readFileSync(file.startsWith('docs/') ? join(root, file) : join(root, 'public', file), 'utf8'),
  ) as Results;

async function claimsOf(slug: string): Promise<readonly Claim[]> {
  const mod = (await import(`./claims/${slug}.ts`)) as { claims: readonly Claim[] };
  return mod.claims;
}

describe('lesson claims hold on the committed results', () => {
  for (const slug of slugs) {
    it(`${slug}: every claimed sentence is in the lesson and its results support it`, async () => {
      const claims = await claimsOf(slug);
      const source = readFileSync(join(lessonsDir, `${slug}.mdx`), 'utf8');
      const failures = checkClaims(slug, source, claims, readPublic);
      expect(failures, formatFailures(failures)).toEqual([]);
    });
  }
});

const jaDir = join(lessonsDir, 'ja');
const jaSlugs = existsSync(jaDir)
  ? readdirSync(jaDir)
      .filter((f) => f.endsWith('.mdx'))
      .map((f) => f.replace(/\.mdx$/, ''))
      .sort()
  : [];

describe('the Japanese edition states the same claims, checked against the same results', () => {
  for (const slug of jaSlugs) {
    it(`${slug}: every claim has its Japanese sentence, with the same numbers, in lessons/ja/`, async () => {
      const claims = await claimsOf(slug);
      const missing = claims.filter((c) => c.ja === undefined).map((c) => c.sentence);
      expect(missing, 'claims without a ja sentence').toEqual([]);
      const numbers = claims
        .filter(
          (c) => c.ja !== undefined && numbersIn(c.ja).join() !== numbersIn(c.sentence).join(),
        )
        .map(
          (c) =>
            `"${c.ja ?? ''}" states ${numbersIn(c.ja ?? '').join(', ')}; the English ${numbersIn(c.sentence).join(', ')}`,
        );
      expect(numbers, 'Japanese sentences stating other numbers').toEqual([]);
      const source = readFileSync(join(jaDir, `${slug}.mdx`), 'utf8');
      const japanese = claims.map((c) => ({ ...c, sentence: c.ja ?? c.sentence }));
      const failures = checkClaims(`ja/${slug}`, source, japanese, readPublic);
      expect(failures, formatFailures(failures)).toEqual([]);
    });
  }
});

describe('the claims check can fail', () => {
  /** A deep copy of a results file with one change, to stand for a regenerated file. */
  const doctored = (file: string, change: (r: Record<string, unknown>) => void) => {
    const copy = structuredClone(readPublic(file));
    change(copy);
    return (f: string): Results => (f === file ? copy : readPublic(f));
  };

  it('a regenerated eval.json with a closer LoRA fails, naming the sentence and the number', async () => {
    const source = readFileSync(join(lessonsDir, 'intrinsic-dimension.mdx'), 'utf8');
    const read = doctored('models/tiny-roberta/eval.json', (r) => {
      const summary = r.summary as Record<string, { test: { mean: number } }>;
      const lora = summary['lora/pretrained:mean'];
      if (!lora) throw new Error('no LoRA arm in eval.json');
      lora.test.mean = 0.893;
    });
    const failures = checkClaims(
      'intrinsic-dimension',
      source,
      await claimsOf('intrinsic-dimension'),
      read,
    );
    expect(failures).toHaveLength(1);
    const text = formatFailures(failures);
    expect(text).toContain('LoRA at rank 2 on query and value reaches 85.1');
    expect(text).toContain('LoRA mean: the sentence says 85.1, the results give 89.30');
  });

  it('an MNIST sweep whose d90 moved fails on every sentence that quotes it', async () => {
    const source = readFileSync(join(lessonsDir, 'intrinsic-dimension.mdx'), 'utf8');
    const read = doctored('results/intrinsic/mnist.json', (r) => {
      const runs = r.runs as { d: number; accuracy: number }[];
      for (const run of runs) if (run.d === 750) run.accuracy -= 0.05;
    });
    const failures = checkClaims(
      'intrinsic-dimension',
      source,
      await claimsOf('intrinsic-dimension'),
      read,
    );
    expect(failures.map((f) => f.sentence)).toEqual(
      expect.arrayContaining([expect.stringContaining("With the paper's own bar")]),
    );
  });

  it('a placement run where one module beats the classifier alone fails on the sentences that deny it', async () => {
    const source = readFileSync(join(lessonsDir, 'adapter-placement.mdx'), 'utf8');
    const read = doctored('results/placement/sentiment.json', (r) => {
      const points = r.points as { label: string; mean: number }[];
      const value = points.find((p) => p.label === 'LoRA r=8 value, all layers');
      if (!value) throw new Error('no value point in the placement results');
      value.mean = 0.79;
    });
    const failures = checkClaims(
      'adapter-placement',
      source,
      await claimsOf('adapter-placement'),
      read,
    );
    expect(failures.map((f) => f.sentence)).toEqual([
      expect.stringContaining('None beats the classifier alone'),
      expect.stringContaining('only all six modules together beat the classifier alone'),
    ]);
    const text = formatFailures(failures);
    expect(text).toContain('value beat the classifier alone');
    expect(text).toContain('the sentence says 72.8, the results give 79.00');
  });

  it('a sentence edited in the lesson but not in its claim fails', async () => {
    const source = readFileSync(join(lessonsDir, 'intrinsic-dimension.mdx'), 'utf8').replace(
      'a gap of 4.6 points',
      'a gap of 4.0 points',
    );
    const failures = checkClaims(
      'intrinsic-dimension',
      source,
      await claimsOf('intrinsic-dimension'),
      readPublic,
    );
    expect(failures).toHaveLength(1);
    expect(failures[0]?.reason).toMatch(/not in the lesson any more/);
  });
});
