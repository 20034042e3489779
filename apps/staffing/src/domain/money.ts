/**
 * Cost of `hoursHundredths` (hours × 100) at `rateMinor` per hour, in minor units, rounded half up.
 * BigInt keeps it exact beyond 2^53 intermediate products.
 */
export function costOfHours(hoursHundredths: number, rateMinor: number): number {
  const product = BigInt(hoursHundredths) * BigInt(rateMinor);
  const rounded = (product + 50n) / 100n;
  return Number(rounded);
}
