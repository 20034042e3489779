/**
 * Ratios as integer basis points (10 000 = 100 %), computed exactly with BigInt so numerators of
 * money × 10 000 never lose precision, and rounded half away from zero (so 0.5 bp → 1 bp and
 * −0.5 bp → −1 bp, symmetric for negative margins).
 */
export function basisPoints(numerator: number, denominator: number): number {
  if (!Number.isSafeInteger(numerator) || !Number.isSafeInteger(denominator)) {
    throw new RangeError(`basisPoints needs safe integers, got ${numerator}/${denominator}`);
  }
  if (denominator === 0) throw new RangeError('basisPoints: denominator is 0');
  return roundedQuotient(BigInt(numerator) * 10_000n, BigInt(denominator));
}

/** `numerator / denominator` rounded half away from zero, as a number. */
export function roundedQuotient(numerator: bigint, denominator: bigint): number {
  const negative = numerator < 0n !== denominator < 0n;
  const n = numerator < 0n ? -numerator : numerator;
  const d = denominator < 0n ? -denominator : denominator;
  const magnitude = (2n * n + d) / (2n * d);
  return Number(negative ? -magnitude : magnitude);
}

/** Sum of safe integers that fails loudly instead of silently losing precision. */
export function sumMinor(values: Iterable<number>): number {
  let total = 0;
  for (const value of values) {
    total += value;
    if (!Number.isSafeInteger(total)) throw new RangeError('Money total exceeds the safe integer range');
  }
  return total;
}
