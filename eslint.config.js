// @ts-check
import { readdirSync } from 'node:fs';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import astro from 'eslint-plugin-astro';
import importX from 'eslint-plugin-import-x';
import globals from 'globals';

/**
 * The layers of docs/architecture.md, enforced on resolved paths (so `../../cells/x.ts` and
 * `../cells/x.ts` are the same file): for each folder, what it must not import. A lesson's
 * experiments (src/experiments/<lesson>/) import the core only, never another lesson's folder;
 * every folder under src/experiments/ is a lesson.
 */
const LESSON_DIRS = readdirSync(new URL('./src/experiments/', import.meta.url), {
  withFileTypes: true,
})
  .filter((d) => d.isDirectory())
  .map((d) => d.name);

/** @type {{target: string | string[], from: string | string[], except?: string[], message: string}[]} */
export const LAYER_ZONES = [
  {
    target: './src/core',
    from: './src',
    except: ['./core'],
    message: 'src/core is the library: it imports TF.js and src/core only (docs/architecture.md).',
  },
  ...LESSON_DIRS.map((lesson) => ({
    target: `./src/experiments/${lesson}`,
    from: './src',
    except: ['./core', `./experiments/${lesson}`],
    message: `src/experiments/${lesson}/ imports the core only: what two lessons share belongs in src/core (docs/architecture.md).`,
  })),
  {
    target: './src/experiments',
    from: './src',
    except: ['./core', './experiments', './platform'],
    message: 'The experiment runner imports the experiments, the core and src/platform only.',
  },
  {
    target: './src/platform',
    from: './src',
    except: ['./core', './platform'],
    message: 'src/platform sits under the cells and the workers: it imports the core only.',
  },
  {
    target: './src/worker',
    from: './src',
    except: ['./core', './experiments', './platform', './worker'],
    message:
      'The training worker imports the core, the experiments and src/platform; what it shares with the cells lives in src/platform.',
  },
  {
    target: './src/cells',
    from: './src',
    except: [
      './core',
      './experiments',
      './platform',
      './cells',
      './lib',
      './worker/client.ts',
      './worker/protocol.ts',
    ],
    message:
      'The cells import the core, the experiments, src/platform, src/lib and the workers’ clients, never a page or the worker’s inside.',
  },
  {
    target: './src/lib',
    from: './src',
    except: ['./lib'],
    message: 'src/lib holds site facts: it imports nothing else of src/.',
  },
  {
    target: './src/offline',
    from: './src',
    except: ['./offline', './lib'],
    message: 'The service worker and its plan import src/lib only (docs/architecture.md).',
  },
  {
    target: ['./src', './components'],
    from: ['./scripts', './test'],
    message: 'Nothing the site ships imports a script or a test (docs/architecture.md).',
  },
  {
    target: './scripts',
    from: './test',
    message:
      'Scripts never import tests: shared code lives in scripts/lib/, which the tests import.',
  },
];

/** Packages and paths the core must never import: it knows no screen (see STYLE.md). */
const notInCore = [
  { group: ['astro', 'astro:*', 'astro/*'], message: 'src/core knows no page: no Astro.' },
  { group: ['plotly*'], message: 'src/core knows no page: no Plotly.' },
  { group: ['@observablehq/*'], message: 'src/core knows no page: no Observable runtime.' },
  { group: ['@codemirror/*', 'codemirror'], message: 'src/core knows no page: no editor.' },
  {
    group: ['**/cells/**', '**/pages/**', '**/components/**', '**/layouts/**', '**/worker/**'],
    message: 'Data flows one way: the page imports the core, never the reverse.',
  },
];

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      '.astro/**',
      'node_modules/**',
      'public/**',
      'docs/**',
      'src/env.d.ts',
      '.cache/**',
      '.core-scratch/**',
      'tmp/**',
      'bench/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  ...tseslint.configs.stylisticTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: { ...globals.browser, ...globals.node },
    },
    rules: {
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
    },
  },
  {
    files: ['src/core/**/*.ts'],
    languageOptions: { globals: { ...globals['shared-node-browser'] } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...notInCore,
            {
              regex: '^(?!\\.|@tensorflow/tfjs$)',
              message: 'src/core imports only TF.js (@tensorflow/tfjs) and itself.',
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'document', message: 'src/core knows no page.' },
        { name: 'window', message: 'src/core knows no page.' },
        { name: 'navigator', message: 'src/core knows no page: probe the browser in src/cells.' },
      ],
    },
  },
  {
    // Layers and cycles (docs/architecture.md); the resolver follows `.ts` specifiers as written.
    files: ['**/*.ts', '**/*.mjs', '**/*.js', '**/*.astro'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts', '.mjs', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.mts'] },
    },
    rules: { 'import-x/no-restricted-paths': ['error', { zones: LAYER_ZONES }] },
  },
  {
    files: ['**/*.ts', '**/*.mjs', '**/*.js'],
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  ...astro.configs.recommended,
  {
    files: ['**/*.astro', '**/*.astro/*.ts'],
    ...tseslint.configs.disableTypeChecked,
  },
);
