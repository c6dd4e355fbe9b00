/**
 * The check shared by exercises whose cell returns a function that computes a matrix (merge a
 * branch into its weight, swap merged adapters, cut a matrix to rank r, …): call the reader's
 * function on fresh copies of the case, check the result's shape, compare it with the reference,
 * and if it is not the reference, name the first typical mistake it equals.
 */
import type { Lang } from '../../lib/i18n.ts';
import { maxGap, type Matrix } from './matrix.ts';
import type { Verdict } from './types.ts';
import { callReader, isMatrix, notYet, right, shapeOf, shown } from './verdict.ts';

/** A typical wrong result, and what to tell the reader who returns it. */
export interface MatrixMistake {
  readonly matrix: Matrix;
  readonly message: string;
}

/** What {@link checkMatrixFunction} needs to know about one exercise. */
export interface MatrixFunctionCheck {
  /** The function's signature as the reader should write it, e.g. `(W, A, B, alpha, r) => merged W`. */
  readonly signature: string;
  /** Calls the reader's function on fresh copies of the case (a reader's function may change them). */
  readonly call: (f: (...args: unknown[]) => unknown) => unknown;
  /** The shape the result must have. */
  readonly rows: number;
  readonly cols: number;
  /** The message for a result of another shape, given that shape as text ("3 × 4"). */
  readonly wrongShape: (shape: string) => string;
  /** The right result. */
  readonly want: Matrix;
  /** Said when the result is right (starts with "Right"). */
  readonly right: string;
  /** Typical wrong results, in the order they are tried. */
  readonly mistakes: readonly MatrixMistake[];
  /** Said for any other wrong result. */
  readonly otherwise: string;
  /** Largest entry-wise gap that still counts as equal (default 1e-9). */
  readonly tolerance?: number;
  /** The edition the messages are in (default English); the texts above are given in it. */
  readonly lang?: Lang;
}

/** Judges a cell value that should be a function computing `spec.want`; never throws. */
export function checkMatrixFunction(value: unknown, spec: MatrixFunctionCheck): Verdict {
  const ja = spec.lang === 'ja';
  if (typeof value !== 'function') {
    return notYet(
      ja
        ? `セルは「${spec.signature}」の形の関数を返す必要がありますが、${shown(value, 'ja')}が返されました。`
        : `The cell should return a function ${spec.signature}; it returned ${shown(value)}.`,
    );
  }
  const got = callReader(
    ja ? 'あなたの関数' : 'Your function',
    () => spec.call(value as (...args: unknown[]) => unknown),
    spec.lang,
  );
  if (!got.ok) return got.verdict;
  return judgeMatrix(got.value, spec);
}

/** Judges a result that should equal `spec.want` (shape, then value, then typical mistakes). */
export function judgeMatrix(
  v: unknown,
  spec: Pick<
    MatrixFunctionCheck,
    | 'rows'
    | 'cols'
    | 'wrongShape'
    | 'want'
    | 'right'
    | 'mistakes'
    | 'otherwise'
    | 'tolerance'
    | 'lang'
  >,
): Verdict {
  if (!isMatrix(v, spec.rows, spec.cols)) return notYet(spec.wrongShape(shapeOf(v, spec.lang)));
  const tol = spec.tolerance ?? 1e-9;
  if (maxGap(v, spec.want) < tol) return right(spec.right);
  const mistake = spec.mistakes.find((m) => maxGap(v, m.matrix) < tol);
  return notYet(mistake?.message ?? spec.otherwise);
}
