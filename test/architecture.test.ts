/**
 * The layers of docs/architecture.md hold, and lint really enforces them: ESLint (with the
 * project's own eslint.config.js) is run on code that imports the wrong way, written as if it
 * were a file in each layer, and must report it; and the import graph of every source and
 * script file, type-only imports included (which `import-x/no-cycle` skips), has no cycle.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { ESLint, type Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..');

// Type-aware rules need a program; the layer rules do not, so lint the fixtures without one.
const eslint = new ESLint({
  cwd: ROOT,
  overrideConfig: [{ files: ['**/*.ts'], ...tseslint.configs.disableTypeChecked }],
});

/** The rule ids ESLint reports for `code` as the file `file` (relative to the repository). */
async function ruleIds(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, file) });
  const messages: Linter.LintMessage[] = result?.messages ?? [];
  const fatal = messages.filter((m) => m.fatal === true);
  expect(fatal, JSON.stringify(fatal)).toEqual([]);
  return messages.map((m) => m.ruleId ?? '');
}

const LAYER = 'import-x/no-restricted-paths';

describe('lint fails on an import against the layers', () => {
  const wrong: [file: string, code: string, rule: string][] = [
    ['src/core/lora/x.ts', "import '../../cells/builtins.ts';", LAYER],
    ['src/core/lora/x.ts', "import '../../experiments/lab.ts';", LAYER],
    ['src/core/lora/x.ts', "import 'plotly.js-basic-dist-min';", 'no-restricted-imports'],
    ['src/core/lora/x.ts', "import 'node:fs';", 'no-restricted-imports'],
    ['src/experiments/placement/x.ts', "import '../intrinsic/d90.ts';", LAYER],
    ['src/experiments/placement/x.ts', "import '../../cells/builtins.ts';", LAYER],
    ['src/experiments/host2.ts', "import '../worker/host.ts';", LAYER],
    ['src/platform/x.ts', "import '../cells/backend.ts';", LAYER],
    ['src/worker/x.ts', "import '../cells/backend.ts';", LAYER],
    ['src/cells/x.ts', "import '../worker/host.ts';", LAYER],
    ['src/cells/x.ts', "import '../pages/lessons/_start-lesson.ts';", LAYER],
    ['src/lib/x.ts', "import '../core/rng.ts';", LAYER],
    ['src/offline/x.ts', "import '../core/rng.ts';", LAYER],
    ['src/cells/kit/x.ts', "import '../../worker/host.ts';", LAYER],
    ['src/pages/x.ts', "import '../../scripts/lib/cli.ts';", LAYER],
    ['src/core/x.ts', "import '../../test/core/helpers.ts';", LAYER],
    ['scripts/x.ts', "import '../test/core/helpers.ts';", LAYER],
    ['scripts/lib/x.mjs', "import '../../test/e2e/helpers.mjs';", LAYER],
  ];
  for (const [file, code, rule] of wrong) {
    it(`${file}: ${code}`, async () => {
      expect(await ruleIds(file, code)).toContain(rule);
    });
  }

  const right: [file: string, code: string][] = [
    [
      'src/core/lora/x.ts',
      "import * as tf from '@tensorflow/tfjs';\nimport '../rng.ts';\nvoid tf;",
    ],
    ['src/experiments/placement/x.ts', "import '../../core/rng.ts';\nimport './latency.ts';"],
    [
      'src/experiments/x.ts',
      "import './placement/index.ts';\nimport '../platform/tf-backends.ts';",
    ],
    [
      'src/worker/x.ts',
      "import '../experiments/training/index.ts';\nimport '../platform/worker-backend.ts';",
    ],
    ['src/cells/x.ts', "import '../worker/client.ts';\nimport '../experiments/lab.ts';"],
    ['scripts/x.ts', "import '../src/experiments/lab.ts';\nimport './lib/chromium.mjs';"],
    ['scripts/x.ts', "import '../src/cells/kit/site-node.ts';"],
    ['src/offline/x.ts', "import '../lib/lessons.ts';\nimport './plan.ts';"],
    ['test/x.ts', "import '../scripts/lib/chromium.mjs';\nimport '../src/core/rng.ts';"],
  ];
  for (const [file, code] of right) {
    it(`allows ${file}: ${code.split('\n')[0] ?? ''}`, async () => {
      const ids = await ruleIds(file, code);
      expect(ids).not.toContain(LAYER);
      expect(ids).not.toContain('no-restricted-imports');
    });
  }

  it('reports an import cycle (words.ts importing the tokenizer, which imports it)', async () => {
    const code =
      "import { WordTokenizer } from './tokenizer.ts';\nexport const T = WordTokenizer;\n";
    expect(await ruleIds('src/core/data/words.ts', code)).toContain('import-x/no-cycle');
  });
});

/** Relative specifiers of every import, export-from and dynamic import in `code`. */
function relativeImports(code: string): string[] {
  const out: string[] = [];
  const re = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)(['"])(\.\.?\/[^'"]+)\1/gm;
  for (const m of code.matchAll(re)) if (m[2] !== undefined) out.push(m[2].replace(/\?.*$/, ''));
  return out;
}

/** Every cycle's files (one strongly connected component of more than one file, or a self-loop). */
function cycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter);
    counter++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) ?? 0, low.get(w) ?? 0));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) ?? 0, index.get(w) ?? 0));
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string | undefined;
      do {
        w = stack.pop();
        if (w === undefined) break;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) return sourceFiles(p);
    return /\.(ts|mjs|astro)$/.test(name) ? [p] : [];
  });
}

describe('no import cycles, type-only imports included', () => {
  it('the cycle finder finds a two-file type-only cycle and a self-import, and no cycle in a chain', () => {
    const ab = new Map([
      ['a', ['b']],
      ['b', ['a']],
      ['c', ['c']],
      ['d', ['a']],
    ]);
    expect(cycles(ab)).toEqual([['a', 'b'], ['c']]);
    expect(
      cycles(
        new Map([
          ['x', ['y']],
          ['y', ['z']],
          ['z', []],
        ]),
      ),
    ).toEqual([]);
    expect(relativeImports("import type { A } from './a.ts';\nexport * from '../b.ts';")).toEqual([
      './a.ts',
      '../b.ts',
    ]);
    expect(relativeImports("const m = await import('./c.ts?url');")).toEqual(['./c.ts']);
  });

  it('src/, components/ and scripts/ have none', () => {
    const files = ['src', 'components', 'scripts'].flatMap((d) => sourceFiles(path.join(ROOT, d)));
    const graph = new Map<string, string[]>();
    for (const f of files) {
      const code = readFileSync(f, 'utf8');
      graph.set(
        path.relative(ROOT, f),
        relativeImports(code).map((s) => path.relative(ROOT, path.resolve(path.dirname(f), s))),
      );
    }
    expect(graph.size).toBeGreaterThan(100);
    expect(cycles(graph)).toEqual([]);
  });
});
