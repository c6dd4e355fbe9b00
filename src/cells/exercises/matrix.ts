/** Plain-matrix helpers for exercise checks (arrays of rows; no TF.js, so checks stay light). */

/** A matrix as arrays of rows. */
export type Matrix = readonly (readonly number[])[];

/** P·Q. */
export function matmul(p: Matrix, q: Matrix): number[][] {
  const cols = q[0]?.length ?? 0;
  return p.map((row) =>
    Array.from({ length: cols }, (_, j) => row.reduce((a, v, k) => a + v * (q[k]?.[j] ?? 0), 0)),
  );
}

/** Pᵀ. */
export function transpose(p: Matrix): number[][] {
  return (p[0] ?? []).map((_, j) => p.map((row) => row[j] ?? 0));
}

/** s·P. */
export function scale(p: Matrix, s: number): number[][] {
  return p.map((row) => row.map((v) => s * v));
}

/** P + Q (same shapes). */
export function add(p: Matrix, q: Matrix): number[][] {
  return p.map((row, i) => row.map((v, j) => v + (q[i]?.[j] ?? 0)));
}

/** The largest |entry|. */
export function maxAbs(p: Matrix): number {
  return Math.max(0, ...p.flat().map(Math.abs));
}

/** The largest |P − Q| entry (same shapes). */
export function maxGap(p: Matrix, q: Matrix): number {
  return Math.max(0, ...p.flatMap((row, i) => row.map((v, j) => Math.abs(v - (q[i]?.[j] ?? 0)))));
}

/** A deep copy (a reader's function may change what it is given). */
export function copy(p: Matrix): number[][] {
  return p.map((row) => [...row]);
}
