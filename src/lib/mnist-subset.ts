/** The MNIST digits served to the browser: the first N of each original file (in file order). */
export const MNIST_SUBSET = { train: 10_000, test: 2_000 } as const;

/** Where `scripts/prepare-data.ts` writes them, relative to the site root. */
export const MNIST_PUBLIC_DIR = 'generated/mnist';
