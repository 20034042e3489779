/** Exact non-negative rationals of minor units (BigInt), for cumulative revenue without rounding loss. */
export interface Fraction {
  readonly n: bigint;
  /** Always > 0. */
  readonly d: bigint;
}

export const ZERO: Fraction = { n: 0n, d: 1n };

function gcd(a: bigint, b: bigint): bigint {
  let [x, y] = [a < 0n ? -a : a, b < 0n ? -b : b];
  while (y !== 0n) [x, y] = [y, x % y];
  return x === 0n ? 1n : x;
}

export function fraction(n: bigint | number, d: bigint | number = 1n): Fraction {
  const [num, den] = [BigInt(n), BigInt(d)];
  if (den === 0n) throw new RangeError('denominator must not be 0');
  const sign = den < 0n ? -1n : 1n;
  const g = gcd(num, den);
  return { n: (sign * num) / g, d: (sign * den) / g };
}

export function add(a: Fraction, b: Fraction): Fraction {
  return fraction(a.n * b.d + b.n * a.d, a.d * b.d);
}

export function min(a: Fraction, b: Fraction): Fraction {
  return a.n * b.d <= b.n * a.d ? a : b;
}

/** Largest integer ≤ the fraction. */
export function floor(a: Fraction): bigint {
  const q = a.n / a.d;
  return a.n < 0n && q * a.d !== a.n ? q - 1n : q;
}

/** The fractional part (0 ≤ part < 1), reduced, as "n/d" ("0/1" when whole). */
export function fractionalPart(a: Fraction): string {
  const part = fraction(a.n - floor(a) * a.d, a.d);
  return `${part.n}/${part.d}`;
}
