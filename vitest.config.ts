import { defineConfig } from 'vitest/config';

/**
 * Two projects: `unit` (the typed core and the cell compiler, plain Node) and `cells` (every
 * lesson's cells run headlessly with the real Observable runtime, in a jsdom document).
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/core/**/*.test.ts', 'test/unit/**/*.test.ts', 'test/site/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'cells',
          include: ['test/cells/**/*.test.ts'],
          environment: 'jsdom',
          testTimeout: 300_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
