/**
 * PiSSA (Meng et al. 2024, "PiSSA: Principal Singular Values and Singular Vectors Adaptation of
 * Large Language Models"; PEFT's `init_lora_weights="pissa"`): the adapter starts as W0's top-r
 * singular triplets and the base weight becomes the residual, so the model is unchanged at
 * creation but training moves W0's principal directions.
 *
 * PEFT (`LoraLayer.pissa_init`) takes the full SVD of its `[out, in]` weight, `V·S·Uᴴ`, divides
 * the top r singular values by the scaling s, and sets `lora_A = √S_r·Uᴴ_r` `[r, in]`,
 * `lora_B = V_r·√S_r` `[out, r]`, `W ← W − s·lora_B·lora_A`. On our `[dIn, dOut]` weight
 * `W = U·S·Vᵀ` (U: dIn × k, V: dOut × k) the same factors are `A = U_r·√(S_r/s)` `[dIn, r]` and
 * `B = √(S_r/s)·V_rᵀ` `[r, dOut]`, so `s·A·B = U_r·S_r·V_rᵀ`, the best rank-r part of W.
 *
 * The SVD is `ml-matrix`'s (the one the low-rank lesson uses; float64), loaded on first use, so a
 * page that never asks for PiSSA never downloads it.
 */

type MlMatrix = typeof import('ml-matrix');
let linalg: Promise<MlMatrix> | null = null;

/** Loads `ml-matrix` once (a separate chunk on the site). */
export function loadPissaLinalg(): Promise<MlMatrix> {
  linalg ??= import('ml-matrix');
  return linalg;
}

/** PiSSA's starting point for one weight. */
export interface PissaInit {
  /** `[dIn, r]` row-major, float32. */
  readonly a: Float32Array;
  /** `[r, dOut]` row-major, float32. */
  readonly b: Float32Array;
  /** The residual base `W0 − s·A·B` `[dIn, dOut]` (from the float32 A and B, in float64, rounded once). */
  readonly residual: Float32Array;
  /** W0's singular values, descending (all min(dIn, dOut) of them). */
  readonly singularValues: readonly number[];
}

/**
 * PiSSA's factors and residual for a weight `w` (`[dIn, dOut]` row-major) at rank r and scaling s.
 * Needs {@link loadPissaLinalg} resolved first (pass its value).
 */
export function pissaInit(
  lib: MlMatrix,
  w: ArrayLike<number>,
  dIn: number,
  dOut: number,
  r: number,
  scaling: number,
): PissaInit {
  const rows: number[][] = [];
  for (let i = 0; i < dIn; i++)
    rows.push(Array.from({ length: dOut }, (_, j) => w[i * dOut + j] ?? 0));
  const d = new lib.SingularValueDecomposition(new lib.Matrix(rows), { autoTranspose: true });
  const k = Math.min(dIn, dOut);
  // ml-matrix returns the values descending; sort defensively, carrying the vectors along.
  const order = d.diagonal
    .slice(0, k)
    .map((v, i) => [Math.max(0, v), i] as const)
    .sort((x, y) => y[0] - x[0]);
  const U = d.leftSingularVectors;
  const V = d.rightSingularVectors;
  const a = new Float32Array(dIn * r);
  const b = new Float32Array(r * dOut);
  order.slice(0, r).forEach(([sv, src], t) => {
    const root = Math.sqrt(sv / scaling);
    for (let i = 0; i < dIn; i++) a[i * r + t] = U.get(i, src) * root;
    for (let j = 0; j < dOut; j++) b[t * dOut + j] = V.get(j, src) * root;
  });
  const residual = new Float32Array(dIn * dOut);
  for (let i = 0; i < dIn; i++)
    for (let j = 0; j < dOut; j++) {
      let ab = 0;
      for (let t = 0; t < r; t++) ab += (a[i * r + t] ?? 0) * (b[t * dOut + j] ?? 0);
      residual[i * dOut + j] = (w[i * dOut + j] ?? 0) - scaling * ab;
    }
  return { a, b, residual, singularValues: order.map(([v]) => v) };
}
