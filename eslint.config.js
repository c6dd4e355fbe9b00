// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import astro from 'eslint-plugin-astro';
import globals from 'globals';

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
      'no-restricted-imports': ['error', { patterns: notInCore }],
      'no-restricted-globals': [
        'error',
        { name: 'document', message: 'src/core knows no page.' },
        { name: 'window', message: 'src/core knows no page.' },
        { name: 'navigator', message: 'src/core knows no page: probe the browser in src/cells.' },
      ],
    },
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
