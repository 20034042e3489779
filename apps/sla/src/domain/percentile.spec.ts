import { nearestRankPercentile } from './percentile';

describe('nearestRankPercentile', () => {
  it('takes the value at rank ceil(p/100 × n) of the sorted values', () => {
    const values = [15, 20, 35, 40, 50];
    expect(nearestRankPercentile(values, 5)).toBe(15);
    expect(nearestRankPercentile(values, 30)).toBe(20);
    expect(nearestRankPercentile(values, 40)).toBe(20);
    expect(nearestRankPercentile(values, 50)).toBe(35);
    expect(nearestRankPercentile(values, 100)).toBe(50);
  });

  it('does not interpolate and does not depend on input order', () => {
    expect(nearestRankPercentile([3, 1, 2, 4], 50)).toBe(2);
    expect(nearestRankPercentile([3, 1, 2, 4], 95)).toBe(4);
    const twenty = Array.from({ length: 20 }, (_, i) => 20 - i);
    expect(nearestRankPercentile(twenty, 95)).toBe(19);
    expect(nearestRankPercentile(twenty, 50)).toBe(10);
    const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(nearestRankPercentile(hundred, 7)).toBe(7);
  });

  it('handles one value and no values', () => {
    expect(nearestRankPercentile([7], 50)).toBe(7);
    expect(nearestRankPercentile([7], 95)).toBe(7);
    expect(nearestRankPercentile([], 50)).toBeNull();
  });

  it('rejects a percentile outside (0, 100]', () => {
    expect(() => nearestRankPercentile([1], 0)).toThrow(RangeError);
    expect(() => nearestRankPercentile([1], 101)).toThrow(RangeError);
  });
});
