import { minorUnitDigits } from '@throughline/money';

export { minorUnitDigits };

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
