/**
 * ISO 4217 currencies whose minor unit is not 1/100. Event money is an integer count of minor
 * units, so formatting needs the exponent; everything else has two decimals.
 */
const MINOR_UNIT_DIGITS: Readonly<Record<string, number>> = {
  BIF: 0,
  CLP: 0,
  DJF: 0,
  GNF: 0,
  ISK: 0,
  JPY: 0,
  KMF: 0,
  KRW: 0,
  PYG: 0,
  RWF: 0,
  UGX: 0,
  UYI: 0,
  VND: 0,
  VUV: 0,
  XAF: 0,
  XOF: 0,
  XPF: 0,
  BHD: 3,
  IQD: 3,
  JOD: 3,
  KWD: 3,
  LYD: 3,
  OMR: 3,
  TND: 3,
  CLF: 4,
  UYW: 4,
};

export function minorUnitDigits(currency: string): number {
  return MINOR_UNIT_DIGITS[currency.toUpperCase()] ?? 2;
}

/** "EUR 120,000.00" from 12_000_000 minor units: integer arithmetic only, so never a float error. */
export function formatMoney(amountMinor: number, currency: string): string {
  return `${currency} ${formatFixed(amountMinor, minorUnitDigits(currency))}`;
}

/** "120.5 h" from 12_050 hours × 100 (trailing zeros of the fraction dropped). */
export function formatHours(hoursHundredths: number): string {
  const [whole, fraction = ''] = formatFixed(hoursHundredths, 2).split('.');
  const significant = fraction.replace(/0+$/, '');
  return `${whole}${significant ? `.${significant}` : ''} h`;
}

/** An integer scaled by 10^digits as a grouped decimal string, e.g. (-1234567, 2) → "-12,345.67". */
export function formatFixed(scaled: number, digits: number): string {
  if (!Number.isSafeInteger(scaled)) throw new RangeError(`${scaled} is not a safe integer`);
  const negative = scaled < 0;
  const text = (negative ? -BigInt(scaled) : BigInt(scaled)).toString().padStart(digits + 1, '0');
  const whole = text.slice(0, text.length - digits).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const fraction = digits > 0 ? `.${text.slice(text.length - digits)}` : '';
  return `${negative ? '-' : ''}${whole}${fraction}`;
}
