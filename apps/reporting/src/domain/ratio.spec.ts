import { basisPoints, roundedQuotient, sumMinor } from './ratio';

describe('basis points', () => {
  it('rounds half away from zero', () => {
    expect(basisPoints(1, 3)).toBe(3333); // 3333.33…
    expect(basisPoints(2, 3)).toBe(6667); // 6666.66…
    expect(basisPoints(1, 20_000)).toBe(1); // exactly 0.5 bp
    expect(basisPoints(-1, 20_000)).toBe(-1);
    expect(basisPoints(1, 20_001)).toBe(0); // just under 0.5 bp
    expect(basisPoints(5, 3)).toBe(16_667); // above 100 %
    expect(basisPoints(-250_000, 1_000_000)).toBe(-2_500);
  });

  it('stays exact where numerator × 10 000 exceeds 2^53', () => {
    expect(basisPoints(Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER)).toBe(10_000);
    expect(basisPoints(Number.MAX_SAFE_INTEGER - 1, Number.MAX_SAFE_INTEGER)).toBe(10_000);
    expect(basisPoints(1, Number.MAX_SAFE_INTEGER)).toBe(0);
    expect(roundedQuotient(7n, -2n)).toBe(-4);
  });

  it('refuses a zero denominator and unsafe inputs', () => {
    expect(() => basisPoints(1, 0)).toThrow(RangeError);
    expect(() => basisPoints(0.5, 1)).toThrow(RangeError);
  });

  it('sums money and fails instead of losing precision', () => {
    expect(sumMinor([1, 2, 3])).toBe(6);
    expect(() => sumMinor([Number.MAX_SAFE_INTEGER, 1])).toThrow(RangeError);
  });
});
