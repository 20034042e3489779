import { minorUnitDigits } from './currency';

describe('minorUnitDigits', () => {
  it('knows the ISO 4217 exceptions and defaults to two decimals', () => {
    expect([
      minorUnitDigits('EUR'),
      minorUnitDigits('JPY'),
      minorUnitDigits('KWD'),
      minorUnitDigits('CLF'),
    ]).toEqual([2, 0, 3, 4]);
    expect(minorUnitDigits('jpy')).toBe(0);
  });
});
