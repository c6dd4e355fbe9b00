/**
 * Random projections P: ℝ^d → ℝ^D with unit-length columns, for subspace training
 * θ = θ0 + P·θd (Li et al. 2018, "Measuring the Intrinsic Dimension of Objective Landscapes").
 *
 * Both kinds live in JavaScript typed arrays — the sparse one by columns and by rows (see
 * `SparseProjection`), the dense one column by column — and both products run in JavaScript on
 * the CPU. The training
 * step downloads the gradient once and uploads θ once (see `model.ts`). Why not on the backend: the sparse products
 * need a segment sum, and TF.js's WASM backend has no `UnsortedSegmentSum` kernel; the data are
 * small (nnz ≈ 670·d for the MNIST network), so a loop over typed arrays costs milliseconds.
 * Norms are accumulated in float64 (WASM sums in float32, see `shared/docs/environment.md`).
 */
import { Rng } from '../rng.ts';
import { SubspaceError } from './errors.ts';

/** The two kinds: a Gaussian dense matrix (small D only) and the official sparse recipe. */
export type ProjectionKind = 'dense' | 'sparse';

/** A D×d projection with unit-norm columns. */
export interface Projection {
  /** Which construction made it. */
  readonly kind: ProjectionKind;
  /** Rows: the length of θ. */
  readonly D: number;
  /** Columns: the subspace dimension. */
  readonly d: number;
  /** Stored entries (D·d for dense). */
  readonly nnz: number;
  /** `out = base + P·v` (`out` has length D; `base` may be `out` itself or omitted for 0). */
  apply(v: ArrayLike<number>, out: Float32Array, base?: ArrayLike<number>): Float32Array;
  /** `out = Pᵀ·g` (`g` length D, `out` length d), accumulated in float64. */
  applyTranspose(g: ArrayLike<number>, out: Float64Array): Float64Array;
  /** Column `j` as (row, value) pairs, for tests and plots. */
  column(j: number): { rows: Int32Array; values: Float32Array };
}

/** The most entries a dense projection may hold (2^25 floats = 128 MB). */
export const MAX_DENSE_ENTRIES = 2 ** 25;

/**
 * A sparse projection, built column by column (compressed sparse columns: `colPtr`, `rows`,
 * `values`) and also kept row by row (compressed sparse rows), each layout for the product it
 * serves fastest: `Pᵀ·g` gathers each column's entries of `g`; `P·v` gathers each row's few
 * entries of `v` — a d-long vector small enough to stay in cache — instead of scattering every
 * column into a D-long one at random. Measured side by side in one process on a loaded 2-core
 * machine (D = 2,468,098, the tiny encoder; d = 2,000; 8.0 M entries; medians of 5): `P·v` 79 ms
 * row-wise against 213 ms column-wise (a second run: 149 against 595), `Pᵀ·g` 34 ms column-wise
 * against 78 ms row-wise. The price is the entries twice in memory (8 bytes each per layout).
 * Within each row the entries keep ascending column order, so `P·v` adds its terms in the same
 * order as a column-wise loop: the results are bit-identical.
 */
class SparseProjection implements Projection {
  readonly kind = 'sparse' as const;
  /** Row r's entries are `rowPtr[r] … rowPtr[r+1]`: columns `cols[k]`, values `rowValues[k]`. */
  private readonly rowPtr: Int32Array;
  private readonly cols: Int32Array;
  private readonly rowValues: Float32Array;

  constructor(
    readonly D: number,
    readonly d: number,
    /** Column j's entries are `colPtr[j] … colPtr[j+1]`: rows `rows[k]`, values `values[k]`. */
    private readonly colPtr: Int32Array,
    private readonly rows: Int32Array,
    private readonly values: Float32Array,
  ) {
    const nnz = values.length;
    const rowPtr = new Int32Array(D + 1);
    for (let k = 0; k < nnz; k++) {
      const r = (rows[k] ?? 0) + 1;
      rowPtr[r] = (rowPtr[r] ?? 0) + 1;
    }
    for (let r = 0; r < D; r++) rowPtr[r + 1] = (rowPtr[r + 1] ?? 0) + (rowPtr[r] ?? 0);
    const next = rowPtr.slice(0, D);
    const cols = new Int32Array(nnz);
    const rowValues = new Float32Array(nnz);
    for (let j = 0; j < d; j++) {
      const end = colPtr[j + 1] ?? 0;
      for (let k = colPtr[j] ?? 0; k < end; k++) {
        const r = rows[k] ?? 0;
        const at = next[r] ?? 0;
        cols[at] = j;
        rowValues[at] = values[k] ?? 0;
        next[r] = at + 1;
      }
    }
    this.rowPtr = rowPtr;
    this.cols = cols;
    this.rowValues = rowValues;
  }

  get nnz(): number {
    return this.values.length;
  }

  apply(v: ArrayLike<number>, out: Float32Array, base?: ArrayLike<number>): Float32Array {
    checkLength('v', v.length, this.d);
    checkLength('out', out.length, this.D);
    if (base) checkLength('base', base.length, this.D);
    const { rowPtr, cols, rowValues, D } = this;
    const x = Float64Array.from(v);
    for (let r = 0; r < D; r++) {
      let acc = base ? (base[r] ?? 0) : 0;
      const end = rowPtr[r + 1] ?? 0;
      for (let k = rowPtr[r] ?? 0; k < end; k++)
        acc += (rowValues[k] ?? 0) * (x[cols[k] ?? 0] ?? 0);
      out[r] = acc;
    }
    return out;
  }

  applyTranspose(g: ArrayLike<number>, out: Float64Array): Float64Array {
    checkLength('g', g.length, this.D);
    checkLength('out', out.length, this.d);
    const { values, rows, colPtr } = this;
    for (let j = 0; j < this.d; j++) {
      let s = 0;
      const end = colPtr[j + 1] ?? 0;
      for (let k = colPtr[j] ?? 0; k < end; k++) s += (values[k] ?? 0) * (g[rows[k] ?? 0] ?? 0);
      out[j] = s;
    }
    return out;
  }

  column(j: number): { rows: Int32Array; values: Float32Array } {
    if (!Number.isInteger(j) || j < 0 || j >= this.d)
      throw new SubspaceError('column', j, `must be an integer in [0, ${this.d})`);
    const a = this.colPtr[j] ?? 0;
    const b = this.colPtr[j + 1] ?? 0;
    return { rows: this.rows.slice(a, b), values: this.values.slice(a, b) };
  }
}

/** A dense D×d projection, stored column after column. */
class DenseProjection implements Projection {
  readonly kind = 'dense' as const;

  constructor(
    readonly D: number,
    readonly d: number,
    /** Entry r of column j is `values[j·D + r]`. */
    private readonly values: Float32Array,
  ) {}

  get nnz(): number {
    return this.values.length;
  }

  apply(v: ArrayLike<number>, out: Float32Array, base?: ArrayLike<number>): Float32Array {
    checkLength('v', v.length, this.d);
    checkLength('out', out.length, this.D);
    const acc = new Float64Array(this.D);
    if (base) {
      checkLength('base', base.length, this.D);
      for (let i = 0; i < this.D; i++) acc[i] = base[i] ?? 0;
    }
    const { values, D } = this;
    for (let j = 0; j < this.d; j++) {
      const x = v[j] ?? 0;
      if (x === 0) continue;
      const o = j * D;
      for (let r = 0; r < D; r++) acc[r] = (acc[r] ?? 0) + (values[o + r] ?? 0) * x;
    }
    out.set(acc);
    return out;
  }

  applyTranspose(g: ArrayLike<number>, out: Float64Array): Float64Array {
    checkLength('g', g.length, this.D);
    checkLength('out', out.length, this.d);
    const { values, D } = this;
    for (let j = 0; j < this.d; j++) {
      let s = 0;
      const o = j * D;
      for (let r = 0; r < D; r++) s += (values[o + r] ?? 0) * (g[r] ?? 0);
      out[j] = s;
    }
    return out;
  }

  column(j: number): { rows: Int32Array; values: Float32Array } {
    if (!Number.isInteger(j) || j < 0 || j >= this.d)
      throw new SubspaceError('column', j, `must be an integer in [0, ${this.d})`);
    const rows = new Int32Array(this.D);
    for (let r = 0; r < this.D; r++) rows[r] = r;
    return { rows, values: this.values.slice(j * this.D, (j + 1) * this.D) };
  }
}

function checkLength(field: string, got: number, want: number): void {
  if (got !== want) throw new SubspaceError(`${field}.length`, got, `must be ${want}`);
}

function checkDims(D: number, d: number): void {
  if (!Number.isInteger(D) || D <= 0) throw new SubspaceError('D', D, 'must be a positive integer');
  if (!Number.isInteger(d) || d <= 0) throw new SubspaceError('d', d, 'must be a positive integer');
}

/**
 * A dense D×d projection: entries N(0, 1), then every column scaled to unit length (Li et al.
 * 2018, §2). Refuses more than {@link MAX_DENSE_ENTRIES} entries (the MNIST network at d = 1,000
 * would need 800 MB): use {@link sparseProjection} there.
 */
export function denseProjection(D: number, d: number, rng: Rng): Projection {
  checkDims(D, d);
  if (D * d > MAX_DENSE_ENTRIES)
    throw new SubspaceError(
      'd',
      d,
      `a dense ${D}×${d} projection has ${D * d} entries (limit ${MAX_DENSE_ENTRIES}); use 'sparse'`,
    );
  const values = new Float32Array(D * d);
  for (let j = 0; j < d; j++) {
    const col = rng.normalArray(D);
    let sq = 0;
    for (let r = 0; r < D; r++) sq += (col[r] ?? 0) ** 2;
    const inv = 1 / Math.sqrt(sq);
    for (let r = 0; r < D; r++) values[j * D + r] = (col[r] ?? 0) * inv;
  }
  return new DenseProjection(D, d, values);
}

/** The identity as a projection (d = D): subspace training then equals ordinary training. */
export function identityProjection(D: number): Projection {
  checkDims(D, D);
  const colPtr = new Int32Array(D + 1);
  const rows = new Int32Array(D);
  for (let j = 0; j < D; j++) {
    colPtr[j + 1] = j + 1;
    rows[j] = j;
  }
  return new SparseProjection(D, D, colPtr, rows, new Float32Array(D).fill(1));
}

/**
 * The sparse projection of Li et al.'s official code: for each parameter tensor of size n (the
 * `blocks`, laid end to end), each entry of a column is non-zero with probability 1/√n and then
 * ±n^¼ (equal odds) — Li, Hastie & Church's very sparse random projections (2006) — and finally
 * every column is scaled to unit length over all D rows. Each tensor's block thus carries, in
 * expectation, a share n/D of a column's squared length, as in the dense Gaussian case.
 * Non-zeros are drawn by geometric skips, so the cost is O(nnz), never O(D·d).
 *
 * @param blocks sizes of the parameter tensors in θ order (they sum to D).
 */
export function sparseProjection(blocks: readonly number[], d: number, rng: Rng): Projection {
  const D = blocks.reduce((a, b) => a + b, 0);
  checkDims(D, d);
  blocks.forEach((n, i) => {
    if (!Number.isInteger(n) || n <= 0)
      throw new SubspaceError(`blocks[${i}]`, n, 'must be a positive integer');
  });
  const expected = Math.ceil(d * blocks.reduce((a, n) => a + Math.sqrt(n), 0) * 1.1) + 16;
  let rows = new Int32Array(expected);
  let values = new Float32Array(expected);
  const colPtr = new Int32Array(d + 1);
  let k = 0;
  const push = (r: number, v: number): void => {
    if (k === rows.length) {
      const grow = Math.ceil(rows.length * 1.5);
      const r2 = new Int32Array(grow);
      r2.set(rows);
      rows = r2;
      const v2 = new Float32Array(grow);
      v2.set(values);
      values = v2;
    }
    rows[k] = r;
    values[k] = v;
    k++;
  };
  for (let j = 0; j < d; j++) {
    const start = k;
    let offset = 0;
    let sq = 0;
    for (const n of blocks) {
      const p = 1 / Math.sqrt(n);
      const mag = Math.sqrt(Math.sqrt(n)); // n^¼
      if (p >= 1) {
        for (let i = 0; i < n; i++) push(offset + i, rng.next() < 0.5 ? -mag : mag);
        sq += n * mag * mag;
      } else {
        const logq = Math.log1p(-p);
        // Gaps between successes of Bernoulli(p) trials are geometric: ⌊ln U / ln(1−p)⌋.
        let i = -1;
        for (;;) {
          let u = rng.next();
          while (u === 0) u = rng.next();
          i += 1 + Math.floor(Math.log(u) / logq);
          if (i >= n) break;
          push(offset + i, rng.next() < 0.5 ? -mag : mag);
          sq += mag * mag;
        }
      }
      offset += n;
    }
    if (k === start) {
      // A column with no entry at all (possible only for tiny D): give it one, so it has unit length.
      push(rng.int(D), 1);
      sq = 1;
    }
    const inv = 1 / Math.sqrt(sq);
    for (let t = start; t < k; t++) values[t] = (values[t] ?? 0) * inv;
    colPtr[j + 1] = k;
  }
  return new SparseProjection(D, d, colPtr, rows.slice(0, k), values.slice(0, k));
}

/** Builds a projection of `kind` for parameter tensors of the given sizes. */
export function makeProjection(
  kind: ProjectionKind,
  blocks: readonly number[],
  d: number,
  rng: Rng,
): Projection {
  if (kind === 'dense')
    return denseProjection(
      blocks.reduce((a, b) => a + b, 0),
      d,
      rng,
    );
  if ((kind as string) !== 'sparse')
    throw new SubspaceError('projection', kind, "must be 'dense' or 'sparse'");
  return sparseProjection(blocks, d, rng);
}
