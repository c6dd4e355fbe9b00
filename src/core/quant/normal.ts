/**
 * The standard normal distribution's CDF and quantile function, and from them the 16 levels of
 * 4-bit NormalFloat (NF4, Dettmers et al. 2023, "QLoRA", §3 and Appendix E).
 *
 * NF4's levels are not stored as a table here: {@link createNormalMap} derives them the way
 * bitsandbytes' `create_normal_map(offset=0.9677083, use_extra_value=True)` does
 * (bitsandbytes/functional.py): 8 positive quantiles of N(0, 1) at probabilities evenly spaced
 * from `offset` down to 0.5 (the last, 0.5, dropped), 7 negative ones spaced the same way over 8
 * points, and an exact 0; sorted and divided by the largest, so the levels run from −1 to 1 with
 * 0 represented exactly. The test compares them with the 16 values published in bitsandbytes.
 */

/**
 * erf(x) by its Maclaurin series. Its terms grow to about e^(x²) before they shrink, so it keeps
 * ~1e-14 accuracy for |x| ≤ 2.2 (where it is used) and loses digits to cancellation beyond.
 */
function erfSeries(x: number): number {
  let term = x;
  let sum = x;
  const x2 = x * x;
  for (let n = 1; n < 200; n++) {
    term *= -x2 / n;
    const add = term / (2 * n + 1);
    sum += add;
    if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}

/** Φ(z), the CDF of N(0, 1); accurate to ~1e-14 for |z| ≤ 3.1 (enough for the quantiles NF4 needs). */
export function normalCdf(z: number): number {
  return 0.5 * (1 + erfSeries(z / Math.SQRT2));
}

/**
 * Φ⁻¹(p), the quantile of N(0, 1), by Newton's method on {@link normalCdf}, for
 * p ∈ [0.001, 0.999], i.e. |z| ≤ 3.1, where the series behind the CDF is accurate.
 * @throws {RangeError} for p outside that range.
 */
export function normalPpf(p: number): number {
  if (!(p >= 0.001 && p <= 0.999)) {
    throw new RangeError(`p = ${String(p)}: normalPpf needs 0.001 ≤ p ≤ 0.999`);
  }
  let z = 0;
  for (let i = 0; i < 100; i++) {
    const pdf = Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
    const step = (normalCdf(z) - p) / pdf;
    z -= step;
    if (Math.abs(step) < 1e-15) break;
  }
  return z;
}

/** `n` evenly spaced values from `start` to `end` inclusive (like `torch.linspace`, in float64). */
function linspace(start: number, end: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => start + ((end - start) * i) / (n - 1));
}

/** bitsandbytes' default offset for NF4: the outermost probability of the positive half. */
export const NF4_OFFSET = 0.9677083;

/**
 * The 16 NF4 levels, ascending from −1 to 1, derived from normal quantiles (see the module
 * comment); `offset` is the outermost probability (bitsandbytes' 0.9677083 by default).
 */
export function createNormalMap(offset = NF4_OFFSET): Float64Array {
  const pos = linspace(offset, 0.5, 9)
    .slice(0, -1)
    .map((p) => normalPpf(p));
  const neg = linspace(offset, 0.5, 8)
    .slice(0, -1)
    .map((p) => -normalPpf(p));
  const values = [...pos, 0, ...neg].sort((a, b) => a - b);
  const max = Math.max(...values);
  return Float64Array.from(values, (v) => v / max);
}

/** The NF4 levels as float32 (what the codes index), computed once at load. */
export const NF4_LEVELS: Float32Array = Float32Array.from(createNormalMap());
