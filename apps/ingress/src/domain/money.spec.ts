import fc from 'fast-check';

import {
  decimalToScaledInteger,
  DecimalFormatError,
  extendedAmountMinor,
  minorUnitExponent,
  parseHoursHundredths,
  parseMoneyMinor,
  signedDecimalToScaledInteger,
} from './money';

describe('parseMoneyMinor', () => {
  it('parses decimal strings exactly into minor units', () => {
    expect(parseMoneyMinor('125000', 'EUR')).toBe(12_500_000);
    expect(parseMoneyMinor('125000.5', 'EUR')).toBe(12_500_050);
    expect(parseMoneyMinor('0.29', 'EUR')).toBe(29); // 0.29 * 100 is 28.999999999999996 in floats
    expect(parseMoneyMinor('1.10', 'USD')).toBe(110);
    expect(parseMoneyMinor(' 42.00 ', 'GBP')).toBe(4_200);
  });

  it('uses the currency minor unit', () => {
    expect(minorUnitExponent('JPY')).toBe(0);
    expect(parseMoneyMinor('150000', 'JPY')).toBe(150_000);
    expect(parseMoneyMinor('1.234', 'KWD')).toBe(1_234);
    expect(parseMoneyMinor('1.5', 'BHD')).toBe(1_500);
  });

  it('accepts trailing zeros beyond the minor unit but never rounds away a digit', () => {
    expect(parseMoneyMinor('10.500', 'EUR')).toBe(1_050);
    expect(() => parseMoneyMinor('10.005', 'EUR')).toThrow(
      '"10.005" has 3 decimal places; at most 2 allowed',
    );
    expect(() => parseMoneyMinor('1.5', 'JPY')).toThrow(DecimalFormatError);
  });

  it('rejects anything that is not a plain non-negative decimal', () => {
    for (const text of ['', 'abc', '1,000.00', '1e5', '.5', '5.', '+5', 'NaN', '0x10']) {
      expect(() => parseMoneyMinor(text, 'EUR')).toThrow(/not a plain decimal/);
    }
    expect(() => parseMoneyMinor('-5.00', 'EUR')).toThrow('"-5.00" is negative');
  });

  it('stays exact up to 2^53 and refuses beyond', () => {
    expect(parseMoneyMinor('90071992547409.91', 'EUR')).toBe(9_007_199_254_740_991);
    expect(() => parseMoneyMinor('90071992547409.92', 'EUR')).toThrow('too large');
  });

  it('round-trips every amount formatted from integer minor units', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), (minor) => {
        const text = `${Math.floor(minor / 100)}.${String(minor % 100).padStart(2, '0')}`;
        return parseMoneyMinor(text, 'EUR') === minor;
      }),
    );
  });
});

describe('parseHoursHundredths', () => {
  it('turns hours into hours × 100', () => {
    expect(parseHoursHundredths('40')).toBe(4_000);
    expect(parseHoursHundredths('7.5')).toBe(750);
    expect(parseHoursHundredths('120.25')).toBe(12_025);
    expect(() => parseHoursHundredths('1.125')).toThrow(/at most 2/);
  });

  it('is the plain scaled integer of decimalToScaledInteger', () => {
    expect(decimalToScaledInteger('3', 0)).toBe(3);
    expect(decimalToScaledInteger('3.0', 0)).toBe(3);
  });
});

describe('extendedAmountMinor', () => {
  it('multiplies a unit price by hours and rounds half up once', () => {
    expect(extendedAmountMinor('150.00', 4_000, 'EUR')).toBe(600_000); // 40 h × 150.00
    expect(extendedAmountMinor('33.33', 150, 'EUR')).toBe(5_000); // 1.5 h × 33.33 = 49.995
    expect(extendedAmountMinor('0.333', 100, 'EUR')).toBe(33);
    expect(extendedAmountMinor('1000', 250, 'JPY')).toBe(2_500);
  });
});

describe('signedDecimalToScaledInteger', () => {
  it('parses deltas with a sign exactly', () => {
    expect(signedDecimalToScaledInteger('-1500.50', 2)).toBe(-150_050);
    expect(signedDecimalToScaledInteger('1500.5', 2)).toBe(150_050);
    expect(signedDecimalToScaledInteger('-0.29', 2)).toBe(-29);
    expect(Object.is(signedDecimalToScaledInteger('-0', 2), 0)).toBe(true);
    expect(() => signedDecimalToScaledInteger('--1', 2)).toThrow(DecimalFormatError);
    expect(() => signedDecimalToScaledInteger('-1.005', 2)).toThrow('at most 2 allowed');
  });
});
