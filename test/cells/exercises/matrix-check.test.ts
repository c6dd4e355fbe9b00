/**
 * The shared check of exercises whose cell returns a function computing a matrix
 * (src/cells/exercises/matrix-check.ts): a non-function, a throwing function, a wrong shape, the
 * right matrix, a listed mistake and any other matrix each get their own answer.
 */
import { describe, expect, it } from 'vitest';
import { checkMatrixFunction } from '../../../src/cells/exercises/matrix-check.ts';

const spec = {
  signature: '(M) => 2M',
  call: (f: (...args: unknown[]) => unknown) => f([[1, 2]]),
  rows: 1,
  cols: 2,
  wrongShape: (shape: string) => `should be 1 × 2, is ${shape}`,
  want: [[2, 4]],
  right: 'Right: doubled.',
  mistakes: [{ matrix: [[1, 2]], message: 'unchanged' }],
  otherwise: 'something else',
};

describe('checkMatrixFunction', () => {
  it('answers every kind of value with its own message', () => {
    expect(checkMatrixFunction(3, spec)).toEqual({
      right: false,
      message: 'The cell should return a function (M) => 2M; it returned 3.',
    });
    const threw = checkMatrixFunction(() => {
      throw new RangeError('no');
    }, spec);
    expect(threw.message).toBe('Your function threw an error: RangeError: no.');
    expect(checkMatrixFunction(() => [[1], [2]], spec).message).toBe('should be 1 × 2, is 2 × 1');
    expect(checkMatrixFunction((m: number[][]) => m.map((r) => r.map((v) => 2 * v)), spec)).toEqual(
      { right: true, message: 'Right: doubled.' },
    );
    expect(checkMatrixFunction((m: number[][]) => m, spec).message).toBe('unchanged');
    expect(checkMatrixFunction(() => [[0, 0]], spec)).toEqual({
      right: false,
      message: 'something else',
    });
  });

  it('counts a gap under the tolerance as equal, and one over it as not', () => {
    expect(checkMatrixFunction(() => [[2 + 1e-12, 4]], spec).right).toBe(true);
    expect(checkMatrixFunction(() => [[2 + 1e-6, 4]], spec).right).toBe(false);
    expect(checkMatrixFunction(() => [[2 + 1e-6, 4]], { ...spec, tolerance: 1e-3 }).right).toBe(
      true,
    );
  });
});
