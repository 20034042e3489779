import fc from 'fast-check';

import { basisPointsOf, splitEvenly } from './money';

describe('splitEvenly', () => {
  it('puts the remainder on the first shares', () => {
    expect(splitEvenly(1_000_000, 3)).toEqual([333_334, 333_333, 333_333]);
    expect(splitEvenly(1_000_002, 4)).toEqual([250_001, 250_001, 250_000, 250_000]);
    expect(splitEvenly(2, 5)).toEqual([1, 1, 0, 0, 0]);
    expect(splitEvenly(0, 2)).toEqual([0, 0]);
    expect(splitEvenly(9_007_199_254_740_991, 2)).toEqual([4_503_599_627_370_496, 4_503_599_627_370_495]);
  });

  it('always sums to the total with shares that differ by at most one, largest first', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
        fc.integer({ min: 1, max: 240 }),
        (total, parts) => {
          const shares = splitEvenly(total, parts);
          expect(shares).toHaveLength(parts);
          expect(shares.reduce((sum, share) => sum + BigInt(share), 0n)).toBe(BigInt(total));
          expect(Math.min(...shares)).toBeGreaterThanOrEqual(0);
          expect(Math.max(...shares) - Math.min(...shares)).toBeLessThanOrEqual(1);
          expect([...shares].sort((a, b) => b - a)).toEqual(shares);
        },
      ),
    );
  });

  it('rejects invalid input', () => {
    expect(() => splitEvenly(-1, 2)).toThrow(RangeError);
    expect(() => splitEvenly(10, 0)).toThrow(RangeError);
    expect(() => splitEvenly(0.5, 1)).toThrow(RangeError);
  });
});

describe('basisPointsOf', () => {
  it('takes a share of a fee, rounding down, exactly', () => {
    expect(basisPointsOf(6_000_000, 2_500)).toBe(1_500_000);
    expect(basisPointsOf(10_001, 3_333)).toBe(3_333);
    // Math.floor(9007199254740990 * 3333 / 10000) would be one unit too many.
    expect(basisPointsOf(9_007_199_254_740_990, 3_333)).toBe(3_002_099_511_605_171);
    expect(() => basisPointsOf(100, -1)).toThrow(RangeError);
  });
});
