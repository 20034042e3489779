export const FULL_FEE_BASIS_POINTS = 10_000;

/**
 * Splits `totalMinor` into shares of `basisPoints` (2500 = 25 %): every share but the last is
 * `total × bp / 10000` rounded down, the last takes what is left, so the shares always sum exactly
 * to the total. Callers pass basis points summing to 10000; then the last share differs from its
 * own `total × bp / 10000` only by the rounding remainder. BigInt keeps the products exact.
 */
export function splitByBasisPoints(totalMinor: number, basisPoints: readonly number[]): number[] {
  if (basisPoints.length === 0) return [];
  assertMinor(totalMinor, 'totalMinor');
  for (const bp of basisPoints) {
    if (!Number.isInteger(bp) || bp < 0) throw new RangeError(`basis points must be integers ≥ 0, got ${bp}`);
  }
  const total = BigInt(totalMinor);
  const shares = basisPoints.slice(0, -1).map((bp) => (total * BigInt(bp)) / BigInt(FULL_FEE_BASIS_POINTS));
  const allocated = shares.reduce((sum, share) => sum + share, 0n);
  if (allocated > total) throw new RangeError('basis points exceed the whole fee');
  return [...shares, total - allocated].map(Number);
}

function assertMinor(value: number, name: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${name} must be a non-negative safe integer, got ${value}`);
  }
}
