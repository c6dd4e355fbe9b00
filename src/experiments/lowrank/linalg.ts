/**
 * The linear algebra of the low-rank lesson: singular values of weight updates and what they say —
 * the share of ‖ΔW‖²_F in the top r directions, an effective rank, the best rank-r approximation
 * (Eckart–Young), the normalised subspace overlap of Hu et al. (2021, §7.2) and their amplification
 * factor (§7.3). The SVD is `ml-matrix`'s (TF.js has none); it is imported on first use
 * ({@link loadLinalg}), so a page that never needs it never downloads it.
 *
 * Matrices are plain row-major {@link Mat}s in float64: the SVDs here are of matrices of at most a
 * few hundred columns, read once from the model, so there is no point keeping them on a GPU.
 */
import type { Rng } from '../../core/rng.ts';
import { LowRankError } from './errors.ts';

/** A dense row-major matrix: entry (i, j) is `data[i·cols + j]`. */
export interface Mat {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array;
}

/** A thin SVD `M = U·diag(s)·Vᵀ`, with k = min(rows, cols) and `s` descending. */
export interface Svd {
  /** Singular values, descending, k of them. */
  readonly s: readonly number[];
  /** Left singular vectors as columns: rows × k. */
  readonly U: Mat;
  /** Right singular vectors as columns: cols × k. */
  readonly V: Mat;
}

/** A matrix from row-major values (copied); throws unless the length is rows·cols. */
export function mat(rows: number, cols: number, values: ArrayLike<number>): Mat {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 1 || cols < 1)
    throw new LowRankError('shape', `${String(rows)}×${String(cols)}`, 'must be positive integers');
  if (values.length !== rows * cols)
    throw new LowRankError('values.length', values.length, `must be ${String(rows * cols)}`);
  return { rows, cols, data: Float64Array.from(values) };
}

/** A − B (same shape). */
export function subtract(a: Mat, b: Mat): Mat {
  if (a.rows !== b.rows || a.cols !== b.cols)
    throw new LowRankError('shape', `${shape(a)} vs ${shape(b)}`, 'must match');
  const out = new Float64Array(a.data.length);
  for (let i = 0; i < out.length; i++) out[i] = (a.data[i] ?? 0) - (b.data[i] ?? 0);
  return { rows: a.rows, cols: a.cols, data: out };
}

/** "rows×cols". */
export function shape(m: Mat): string {
  return `${String(m.rows)}×${String(m.cols)}`;
}

/** The Frobenius norm ‖M‖_F. */
export function frobenius(m: Mat): number {
  let s = 0;
  for (const x of m.data) s += x * x;
  return Math.sqrt(s);
}

/** The first `k` columns of `m`. */
export function leadingColumns(m: Mat, k: number): Mat {
  if (!Number.isInteger(k) || k < 1 || k > m.cols)
    throw new LowRankError('k', k, `must be an integer in [1, ${String(m.cols)}]`);
  const out = new Float64Array(m.rows * k);
  for (let i = 0; i < m.rows; i++)
    for (let j = 0; j < k; j++) out[i * k + j] = m.data[i * m.cols + j] ?? 0;
  return { rows: m.rows, cols: k, data: out };
}

/** Aᵀ·B. */
export function transposeTimes(a: Mat, b: Mat): Mat {
  if (a.rows !== b.rows)
    throw new LowRankError('shape', `${shape(a)}ᵀ · ${shape(b)}`, 'inner sizes must match');
  const out = new Float64Array(a.cols * b.cols);
  for (let r = 0; r < a.rows; r++)
    for (let i = 0; i < a.cols; i++) {
      const x = a.data[r * a.cols + i] ?? 0;
      if (x === 0) continue;
      for (let j = 0; j < b.cols; j++)
        out[i * b.cols + j] = (out[i * b.cols + j] ?? 0) + x * (b.data[r * b.cols + j] ?? 0);
    }
  return { rows: a.cols, cols: b.cols, data: out };
}

/** A·B. */
export function times(a: Mat, b: Mat): Mat {
  if (a.cols !== b.rows)
    throw new LowRankError('shape', `${shape(a)} · ${shape(b)}`, 'inner sizes must match');
  const out = new Float64Array(a.rows * b.cols);
  for (let i = 0; i < a.rows; i++)
    for (let k = 0; k < a.cols; k++) {
      const x = a.data[i * a.cols + k] ?? 0;
      if (x === 0) continue;
      for (let j = 0; j < b.cols; j++)
        out[i * b.cols + j] = (out[i * b.cols + j] ?? 0) + x * (b.data[k * b.cols + j] ?? 0);
    }
  return { rows: a.rows, cols: b.cols, data: out };
}

type MlMatrix = typeof import('ml-matrix');
let linalg: Promise<MlMatrix> | null = null;

/** Loads `ml-matrix` once (a separate chunk on the site, fetched the first time a cell needs it). */
export function loadLinalg(): Promise<MlMatrix> {
  linalg ??= import('ml-matrix');
  return linalg;
}

/** The thin SVD of `m` (ml-matrix's, ported from JAMA: Householder bidiagonalisation, then implicit QR; float64). */
export async function svd(m: Mat): Promise<Svd> {
  const { Matrix, SingularValueDecomposition } = await loadLinalg();
  const rows: number[][] = [];
  for (let i = 0; i < m.rows; i++)
    rows.push(Array.from(m.data.subarray(i * m.cols, (i + 1) * m.cols)));
  const d = new SingularValueDecomposition(new Matrix(rows), { autoTranspose: true });
  const k = Math.min(m.rows, m.cols);
  // ml-matrix returns the values descending; sort defensively with the vectors.
  const order = d.diagonal.map((v, i) => [v, i] as const).sort((a, b) => b[0] - a[0]);
  const pick = (M: InstanceType<MlMatrix['Matrix']>, n: number): Mat => {
    const out = new Float64Array(n * k);
    order.slice(0, k).forEach(([, src], j) => {
      for (let i = 0; i < n; i++) out[i * k + j] = M.get(i, src);
    });
    return { rows: n, cols: k, data: out };
  };
  return {
    s: order.slice(0, k).map(([v]) => Math.max(0, v)),
    U: pick(d.leftSingularVectors, m.rows),
    V: pick(d.rightSingularVectors, m.cols),
  };
}

/** The singular values of `m` alone, descending (no vectors: about twice as fast as {@link svd}). */
export async function singularValues(m: Mat): Promise<number[]> {
  const { Matrix, SingularValueDecomposition } = await loadLinalg();
  const rows: number[][] = [];
  for (let i = 0; i < m.rows; i++)
    rows.push(Array.from(m.data.subarray(i * m.cols, (i + 1) * m.cols)));
  const d = new SingularValueDecomposition(new Matrix(rows), {
    autoTranspose: true,
    computeLeftSingularVectors: false,
    computeRightSingularVectors: false,
  });
  return d.diagonal
    .slice(0, Math.min(m.rows, m.cols))
    .map((v) => Math.max(0, v))
    .sort((a, b) => b - a);
}

/** The share of Σσ² (= ‖M‖²_F) in the `r` largest singular values (1 for r ≥ their number). */
export function energyShare(s: readonly number[], r: number): number {
  if (!Number.isInteger(r) || r < 0) throw new LowRankError('r', r, 'must be an integer ≥ 0');
  let top = 0;
  let total = 0;
  s.forEach((v, i) => {
    total += v * v;
    if (i < r) top += v * v;
  });
  return total === 0 ? 1 : top / total;
}

/**
 * The effective rank of Roy & Vetterli (2007), "The effective rank: a measure of effective
 * dimensionality", EUSIPCO: exp of the Shannon entropy of the singular values normalised to sum
 * to 1, p_k = σ_k / Σσ. It is 1 for a rank-1 matrix, k for k equal singular values, and lies
 * between 1 and the rank in general. (0 for the zero matrix.)
 */
export function effectiveRank(s: readonly number[]): number {
  const total = s.reduce((a, v) => a + Math.abs(v), 0);
  if (total === 0) return 0;
  let h = 0;
  for (const v of s) {
    const p = Math.abs(v) / total;
    if (p > 0) h -= p * Math.log(p);
  }
  return Math.exp(h);
}

/** The stable rank ‖M‖²_F / ‖M‖²_2 = Σσ² / σ₁² (0 for the zero matrix). */
export function stableRank(s: readonly number[]): number {
  const top = s[0] ?? 0;
  if (top === 0) return 0;
  return s.reduce((a, v) => a + v * v, 0) / (top * top);
}

/**
 * The best rank-r approximation U_r·diag(s_r)·V_rᵀ (Eckart–Young: its Frobenius error is
 * √(Σ_{i>r} σ_i²)). r = 0 gives the zero matrix; r ≥ k gives the matrix back.
 */
export function truncate(d: Svd, r: number): Mat {
  if (!Number.isInteger(r) || r < 0) throw new LowRankError('r', r, 'must be an integer ≥ 0');
  const rows = d.U.rows;
  const cols = d.V.rows;
  const k = Math.min(r, d.s.length);
  const out = new Float64Array(rows * cols);
  for (let t = 0; t < k; t++) {
    const sv = d.s[t] ?? 0;
    for (let i = 0; i < rows; i++) {
      const u = sv * (d.U.data[i * d.U.cols + t] ?? 0);
      if (u === 0) continue;
      for (let j = 0; j < cols; j++)
        out[i * cols + j] = (out[i * cols + j] ?? 0) + u * (d.V.data[j * d.V.cols + t] ?? 0);
    }
  }
  return { rows, cols, data: out };
}

/** A rows×cols matrix of independent N(0, 1) entries scaled to Frobenius norm `norm`. */
export function gaussianLike(rows: number, cols: number, norm: number, rng: Rng): Mat {
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < data.length; i++) data[i] = rng.normal();
  const m = { rows, cols, data };
  const f = frobenius(m);
  for (let i = 0; i < data.length; i++) data[i] = ((data[i] ?? 0) * norm) / f;
  return m;
}

/**
 * The normalised subspace overlap of Hu et al. (2021, §7.2, eq. 4):
 * φ(i, j) = ‖U₁[:, :i]ᵀ U₂[:, :j]‖²_F / min(i, j) for two matrices of orthonormal columns. It is 1
 * when one span contains the other and 0 when they are orthogonal; for random i- and
 * j-dimensional subspaces of ℝ^d its expectation is max(i, j)/d.
 */
export function subspaceOverlap(U1: Mat, U2: Mat, i: number, j: number): number {
  const p = transposeTimes(leadingColumns(U1, i), leadingColumns(U2, j));
  const f = frobenius(p);
  return (f * f) / Math.min(i, j);
}

/** What {@link amplification} measures, for one r. */
export interface Amplification {
  readonly r: number;
  /** ‖ΔW‖_F. */
  readonly deltaNorm: number;
  /** ‖Uᵀ W V‖_F with U, V the top-r singular vectors of ΔW: how much W has in ΔW's directions. */
  readonly onDelta: number;
  /** ‖Uᵀ W V‖_F with W's own top-r singular vectors (= √Σ_{i≤r} σ_i(W)²). */
  readonly onW: number;
  /** ‖Uᵀ W V‖_F with random orthonormal U, V (one draw). */
  readonly onRandom: number;
  /** ‖ΔW‖_F / {@link onDelta}: the amplification factor of Hu et al. (2021, §7.3). */
  readonly factor: number;
}

/** r random orthonormal columns in ℝ^n (Gram–Schmidt on Gaussian vectors). */
export function randomOrthonormal(n: number, r: number, rng: Rng): Mat {
  if (!Number.isInteger(r) || r < 1 || r > n)
    throw new LowRankError('r', r, `must be an integer in [1, ${String(n)}]`);
  const cols: Float64Array[] = [];
  while (cols.length < r) {
    const v = Float64Array.from({ length: n }, () => rng.normal());
    for (const c of cols) {
      let dot = 0;
      for (let i = 0; i < n; i++) dot += (v[i] ?? 0) * (c[i] ?? 0);
      for (let i = 0; i < n; i++) v[i] = (v[i] ?? 0) - dot * (c[i] ?? 0);
    }
    let norm = 0;
    for (const x of v) norm += x * x;
    norm = Math.sqrt(norm);
    if (norm < 1e-9) continue;
    cols.push(v.map((x) => x / norm));
  }
  const data = new Float64Array(n * r);
  cols.forEach((c, j) => {
    for (let i = 0; i < n; i++) data[i * r + j] = c[i] ?? 0;
  });
  return { rows: n, cols: r, data };
}

/**
 * Hu et al.'s (2021, §7.3) amplification factor: project the pretrained W onto ΔW's top-r singular
 * directions, Uᵀ W V, and compare ‖ΔW‖_F with ‖Uᵀ W V‖_F. A large factor means ΔW strengthens
 * directions W barely uses. Also returns the same projection on W's own top-r directions and on
 * random ones, the two references the paper's Table 7 prints beside it.
 */
export async function amplification(
  W: Mat,
  dW: Mat,
  r: number,
  rng: Rng,
  svds?: { readonly w?: Svd; readonly dw?: Svd; readonly wValues?: readonly number[] },
): Promise<Amplification> {
  if (W.rows !== dW.rows || W.cols !== dW.cols)
    throw new LowRankError('shape', `${shape(W)} vs ${shape(dW)}`, 'W and ΔW must match');
  const k = Math.min(W.rows, W.cols);
  if (!Number.isInteger(r) || r < 1 || r > k)
    throw new LowRankError('r', r, `must be an integer in [1, ${String(k)}]`);
  const dws = svds?.dw ?? (await svd(dW));
  const wValues = svds?.wValues ?? svds?.w?.s ?? (await singularValues(W));
  const project = (U: Mat, V: Mat): number => frobenius(times(transposeTimes(U, W), V)); // [r, rows]·[rows, cols]·[cols, r]
  const onDelta = project(leadingColumns(dws.U, r), leadingColumns(dws.V, r));
  const onW = Math.sqrt(wValues.slice(0, r).reduce((a, v) => a + v * v, 0));
  const onRandom = project(randomOrthonormal(W.rows, r, rng), randomOrthonormal(W.cols, r, rng));
  const deltaNorm = frobenius(dW);
  return { r, deltaNorm, onDelta, onW, onRandom, factor: deltaNorm / onDelta };
}
