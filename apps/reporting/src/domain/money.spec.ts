import { formatFixed, formatHours, formatMoney, minorUnitDigits } from './money';

describe('formatMoney', () => {
  it('formats minor units with the currency exponent and thousands separators', () => {
    expect(formatMoney(12_000_000, 'EUR')).toBe('EUR 120,000.00');
    expect(formatMoney(5, 'USD')).toBe('USD 0.05');
    expect(formatMoney(0, 'GBP')).toBe('GBP 0.00');
    expect(formatMoney(1_234_567, 'JPY')).toBe('JPY 1,234,567');
    expect(formatMoney(1_234_567, 'KWD')).toBe('KWD 1,234.567');
    expect(formatMoney(-150, 'EUR')).toBe('EUR -1.50');
  });

  it('is exact where floating point is not', () => {
    // 0.1 + 0.2 style errors and large values: no floats are involved.
    expect(formatMoney(30, 'EUR')).toBe('EUR 0.30');
    expect(formatMoney(Number.MAX_SAFE_INTEGER, 'EUR')).toBe('EUR 90,071,992,547,409.91');
    expect(formatMoney(100_000_000_000_001, 'EUR')).toBe('EUR 1,000,000,000,000.01');
  });

  it('refuses values that are not safe integers', () => {
    expect(() => formatMoney(1.5, 'EUR')).toThrow(RangeError);
    expect(() => formatMoney(2 ** 53, 'EUR')).toThrow(RangeError);
  });
});

describe('minorUnitDigits', () => {
  it('defaults to two and knows the ISO 4217 exceptions, case-insensitively', () => {
    expect(minorUnitDigits('EUR')).toBe(2);
    expect(minorUnitDigits('CHF')).toBe(2);
    expect(minorUnitDigits('jpy')).toBe(0);
    expect(minorUnitDigits('BHD')).toBe(3);
  });
});

describe('formatHours', () => {
  it('formats hundredths of hours, dropping trailing zeros', () => {
    expect(formatHours(10_000)).toBe('100 h');
    expect(formatHours(12_050)).toBe('120.5 h');
    expect(formatHours(12_055)).toBe('120.55 h');
    expect(formatHours(150)).toBe('1.5 h');
    expect(formatHours(5)).toBe('0.05 h');
    expect(formatHours(0)).toBe('0 h');
    expect(formatHours(123_456_700)).toBe('1,234,567 h');
  });
});

describe('formatFixed', () => {
  it('pads small values and groups large ones', () => {
    expect(formatFixed(7, 3)).toBe('0.007');
    expect(formatFixed(-7, 0)).toBe('-7');
    expect(formatFixed(1_000, 0)).toBe('1,000');
  });
});
