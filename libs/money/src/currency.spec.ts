import { isIsoCurrency, minorUnitDigits } from './currency';

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

describe('isIsoCurrency', () => {
  it('accepts active ISO 4217 codes', () => {
    expect(['EUR', 'USD', 'JPY', 'KWD', 'CHF', 'XOF', 'XAF', 'ZWG'].filter(isIsoCurrency)).toHaveLength(8);
  });

  it('refuses made-up, testing, metal, withdrawn and lower-case codes', () => {
    expect(['ZZZ', 'XTS', 'XXX', 'XAU', 'XDR', 'HRK', 'eur', 'EURO', ''].filter(isIsoCurrency)).toEqual([]);
  });

  it('has a code for every currency with a special minor unit', () => {
    for (const code of ['BIF', 'CLP', 'JPY', 'KRW', 'VND', 'BHD', 'KWD', 'TND', 'CLF', 'UYW'])
      expect(isIsoCurrency(code)).toBe(true);
  });
});
