import { defineConfig } from 'vitest/config';

/**
 * Two projects: `unit` (the core, the experiments, the scripts, the cell compiler; plain Node) and `cells` (every
 * lesson's cells run headlessly with the real Observable runtime, in a jsdom document).
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: [
            'test/*.test.ts',
            'test/core/**/*.test.ts',
            'test/experiments/**/*.test.ts',
            'test/scripts/**/*.test.ts',
            'test/platform/**/*.test.ts',
            'test/worker/**/*.test.ts',
            'test/unit/**/*.test.ts',
            'test/site/**/*.test.ts',
          ],
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
