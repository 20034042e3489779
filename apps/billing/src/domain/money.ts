export const FULL_FEE_BASIS_POINTS = 10_000;

function assertMinor(value: number, name: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${name} must be a non-negative safe integer, got ${value}`);
  }
}

/**
 * `totalMinor` split into `parts` equal shares; the remainder goes one unit each to the first
 * shares, so the shares differ by at most one and always sum exactly to the total.
 */
export function splitEvenly(totalMinor: number, parts: number): number[] {
  assertMinor(totalMinor, 'totalMinor');
  if (!Number.isInteger(parts) || parts < 1)
    throw new RangeError(`parts must be an integer ≥ 1, got ${parts}`);
  const total = BigInt(totalMinor);
  const count = BigInt(parts);
  const base = total / count;
  const remainder = Number(total % count);
  return Array.from({ length: parts }, (_, i) => Number(i < remainder ? base + 1n : base));
}

/** `totalMinor × basisPoints / 10000` rounded down, exact (BigInt) for any safe-integer total. */
export function basisPointsOf(totalMinor: number, basisPoints: number): number {
  assertMinor(totalMinor, 'totalMinor');
  if (!Number.isInteger(basisPoints) || basisPoints < 0) {
    throw new RangeError(`basis points must be an integer ≥ 0, got ${basisPoints}`);
  }
  return Number((BigInt(totalMinor) * BigInt(basisPoints)) / BigInt(FULL_FEE_BASIS_POINTS));
}
