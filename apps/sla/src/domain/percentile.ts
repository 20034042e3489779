/**
 * The p-th percentile by the nearest-rank method: the smallest value such that at least p% of the
 * values are less than or equal to it, i.e. the value at 1-based rank ceil(p/100 × n) of the sorted
 * values. Always one of the values (no interpolation); null for no values.
 */
export function nearestRankPercentile(values: readonly number[], p: number): number | null {
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile must be in (0, 100], got ${p}`);
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  // p × n first keeps the rank exact for whole percentiles (7 / 100 × 100 is 7.000000000000001).
  const rank = Math.ceil((p * sorted.length) / 100);
  return sorted[rank - 1] ?? null;
}
