/**
 * Exact conversion of the decimal strings CRMs send ("12500.50") into integer minor units and
 * hours × 100. Digits are shifted as text and checked with BigInt; no value ever passes through a
 * binary float, so "0.29" is 29 and never 28.999999.
 */

import { minorUnitDigits } from '@throughline/money';

export class DecimalFormatError extends Error {}

const DECIMAL = /^(\d+)(?:\.(\d+))?$/;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

export function minorUnitExponent(currency: string): number {
  return minorUnitDigits(currency);
}

/**
 * `text` × 10^scale as an exact integer: "12.5" at scale 2 is 1250. Fails (rather than rounds)
 * when the text has non-zero digits beyond `scale`, is negative, or is not a plain decimal.
 */
export function decimalToScaledInteger(text: string, scale: number): number {
  const match = DECIMAL.exec(text.trim());
  if (!match) {
    throw new DecimalFormatError(
      text.trim().startsWith('-')
        ? `"${text}" is negative`
        : `"${text}" is not a plain decimal number (digits, optionally "." and digits)`,
    );
  }
  const [, whole = '0', fraction = ''] = match;
  const kept = fraction.slice(0, scale);
  const dropped = fraction.slice(scale);
  if (/[1-9]/.test(dropped)) {
    throw new DecimalFormatError(`"${text}" has ${fraction.length} decimal places; at most ${scale} allowed`);
  }
  const scaled = BigInt(whole + kept.padEnd(scale, '0'));
  if (scaled > MAX_SAFE) throw new DecimalFormatError(`"${text}" is too large`);
  return Number(scaled);
}

/** A decimal money string in `currency` as integer minor units ("1234.50" EUR → 123450). */
export function parseMoneyMinor(text: string, currency: string): number {
  return decimalToScaledInteger(text, minorUnitExponent(currency));
}

/** A decimal number of hours as hours × 100 ("7.5" → 750). */
export function parseHoursHundredths(text: string): number {
  return decimalToScaledInteger(text, 2);
}

/**
 * Price per hour × hours, rounded half up to minor units: the line value when a CRM sends only a
 * unit price. `priceText` is parsed exactly at any precision, then the product is rounded once.
 */
export function extendedAmountMinor(priceText: string, hoursHundredths: number, currency: string): number {
  const match = DECIMAL.exec(priceText.trim());
  if (!match) throw new DecimalFormatError(`"${priceText}" is not a plain decimal number`);
  const [, whole = '0', fraction = ''] = match;
  const exponent = minorUnitExponent(currency);
  // price = units / 10^fraction.length; amount = price × hoursHundredths / 100, in 10^-exponent.
  const units = BigInt(whole + fraction);
  const numerator = units * BigInt(hoursHundredths) * 10n ** BigInt(exponent);
  const denominator = 10n ** BigInt(fraction.length + 2);
  const rounded = (numerator * 2n + denominator) / (denominator * 2n);
  if (rounded > MAX_SAFE) throw new DecimalFormatError(`${priceText} × hours is too large`);
  return Number(rounded);
}

/**
 * Like {@link decimalToScaledInteger} but a leading "-" is allowed: deltas such as a change order's
 * budget change ("-1500.50" EUR → -150050). "-0" is 0.
 */
export function signedDecimalToScaledInteger(text: string, scale: number): number {
  const trimmed = text.trim();
  const negative = trimmed.startsWith('-');
  const magnitude = decimalToScaledInteger(negative ? trimmed.slice(1) : trimmed, scale);
  return negative && magnitude !== 0 ? -magnitude : magnitude;
}

/**
 * A decimal given as a JSON string or number, as text for exact parsing. A number is taken as
 * JavaScript writes it (7.5 → "7.5"); one that is not exactly a short decimal (0.1 + 0.2 →
 * "0.30000000000000004", 1e21 → "1e+21") then fails the decimal-places or format check rather
 * than being rounded.
 */
export function decimalText(value: string | number): string {
  return typeof value === 'number' ? String(value) : value;
}
