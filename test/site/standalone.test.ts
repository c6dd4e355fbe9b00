/**
 * The repository stands alone: nothing it ships or documents points to a folder outside it (such
 * as the team's shared folder beside the checkout), which a person who clones the project lacks.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const TEXT = /\.(md|mdx|ts|mts|mjs|js|astro|json|css|sh)$/;

describe('the repository stands alone', () => {
  it('no tracked file refers to a folder beside the checkout', () => {
    const files = execFileSync('git', ['ls-files'], { cwd: root, encoding: 'utf8' })
      .split('\n')
      .filter((f) => TEXT.test(f) && f !== 'package-lock.json' && !f.startsWith('public/'));
    expect(files.length).toBeGreaterThan(50);
    const pattern = ['..', 'shared'].join('/'); // not written whole, so this file passes itself
    const offenders = files.filter((f) => readFileSync(join(root, f), 'utf8').includes(pattern));
    expect(offenders).toEqual([]);
  });
});
