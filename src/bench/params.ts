/**
 * URL parameters of the bench pages, read strictly: an integer within bounds, or the default.
 * A page that runs whatever number its address carries can be made to allocate gigabytes or
 * loop for hours; these bounds keep every run to what the bench was built for.
 */

/** An integer parameter: `fallback` when absent or not an integer, clamped to `[min, max]`. */
export function intParam(
  params: URLSearchParams,
  key: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const raw = params.get(key);
  const v = raw === null || raw.trim() === '' ? Number.NaN : Number(raw);
  if (!Number.isInteger(v)) return fallback;
  return Math.min(max, Math.max(min, v));
}
