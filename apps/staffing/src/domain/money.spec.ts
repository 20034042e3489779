import { costOfHours } from './money';

describe('costOfHours', () => {
  it('multiplies hours by an hourly rate in minor units', () => {
    expect(costOfHours(4_000, 9_500)).toBe(380_000); // 40 h × 95.00 = 3,800.00
  });

  it('rounds fractional minor units half up', () => {
    expect(costOfHours(150, 3_333)).toBe(5_000); // 1.5 h × 33.33 = 49.995 → 50.00
    expect(costOfHours(101, 99)).toBe(100); // 1.01 h × 0.99 = 0.9999 → 1.00
  });

  it('stays exact for large values', () => {
    expect(costOfHours(900_000_000, 1_000_000_001)).toBe(9_000_000_009_000_000);
  });
});
