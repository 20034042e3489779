import fc from 'fast-check';

import { splitByBasisPoints } from './money';

describe('splitByBasisPoints', () => {
  it('splits a fee by basis points and puts the rounding remainder on the last share', () => {
    expect(splitByBasisPoints(6_000_000, [2_500, 2_500, 5_000])).toEqual([1_500_000, 1_500_000, 3_000_000]);
    // 100.01 / 3: 33.33 + 33.33 + 33.35
    expect(splitByBasisPoints(10_001, [3_333, 3_333, 3_334])).toEqual([3_333, 3_333, 3_335]);
    expect(splitByBasisPoints(1, [5_000, 5_000])).toEqual([0, 1]);
    expect(splitByBasisPoints(0, [10_000])).toEqual([0]);
    expect(splitByBasisPoints(500, [])).toEqual([]);
  });

  it('stays exact where floating point would not', () => {
    // Math.floor(9007199254740990 * 3333 / 10000) is 3002099511605172: one unit too many.
    expect(splitByBasisPoints(9_007_199_254_740_990, [3_333, 6_667])).toEqual([
      3_002_099_511_605_171, 6_005_099_743_135_819,
    ]);
  });

  it('always sums to the total, never goes negative, and the remainder stays below one unit per share', () => {
    const basisPointsSummingToFullFee = fc
      .array(fc.integer({ min: 0, max: 10_000 }), { minLength: 1, maxLength: 12 })
      .map((weights) => {
        const sum = weights.reduce((a, b) => a + b, 0) || 1;
        const scaled = weights.map((w) => Math.floor((w * 10_000) / sum));
        scaled[scaled.length - 1] += 10_000 - scaled.reduce((a, b) => a + b, 0);
        return scaled;
      });
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
        basisPointsSummingToFullFee,
        (total, bps) => {
          const shares = splitByBasisPoints(total, bps);
          expect(shares).toHaveLength(bps.length);
          expect(shares.reduce((sum, share) => sum + BigInt(share), 0n)).toBe(BigInt(total));
          shares.forEach((share) => expect(share).toBeGreaterThanOrEqual(0));
          const last = shares[shares.length - 1];
          const lastExact = (BigInt(total) * BigInt(bps[bps.length - 1])) / 10_000n;
          expect(BigInt(last) - lastExact).toBeGreaterThanOrEqual(0n);
          expect(BigInt(last) - lastExact).toBeLessThan(BigInt(bps.length));
        },
      ),
    );
  });

  it('rejects invalid input', () => {
    expect(() => splitByBasisPoints(-1, [10_000])).toThrow(RangeError);
    expect(() => splitByBasisPoints(100, [-1, 10_001])).toThrow(RangeError);
    expect(() => splitByBasisPoints(100, [6_000, 6_000, 0])).toThrow(/exceed/);
  });
});
