/**
 * Running an exercise's cell as the exercise tests do (checks.test.ts, japanese.test.ts): with the
 * real cell runtime and Node's built-ins, after the lesson cells it uses.
 */
import { createNodeBuiltins } from '../../../src/cells/builtins-node.ts';
import { runCells } from '../../../src/cells/runtime.ts';

/**
 * Runs one cell's source with the real runtime, after the lesson cells it uses (`context`, run
 * as they are in the lesson), and returns its value (or throws its error).
 */
export async function valueOf(source: string, context: readonly string[] = []): Promise<unknown> {
  let value: unknown;
  const failures: string[] = [];
  const run = runCells([...context, source], {
    builtins: createNodeBuiltins({ plotly: null }),
    observerFor: (index) => ({
      fulfilled: (v) => {
        if (index === context.length) value = v;
      },
      rejected: (e) => {
        failures.push(e.message);
      },
    }),
  });
  try {
    await run.settled(30_000, 0);
  } finally {
    run.dispose();
  }
  if (failures.length > 0) throw new Error(`the cell failed: ${failures.join('; ')}`);
  return value;
}

/**
 * The lesson cells (by name) an exercise's cell uses, run before it in the tests: exercise name →
 * the names of those cells, in the order they run. An exercise not listed uses none.
 */
export const CONTEXT: Readonly<Record<string, readonly string[]>> = {
  percentTrained: ['r', 'layer', 'counts'],
  checkedCount: ['layer'],
  loraForward: ['r'],
};
