/**
 * Calendar arithmetic on ISO dates (`YYYY-MM-DD`) and billing periods (`YYYY-MM`, calendar months),
 * in UTC days so no time zone or daylight-saving shift can move a date.
 */

const DAY_MS = 86_400_000;
const PERIOD = /^(\d{4})-(0[1-9]|1[0-2])$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Whether `value` is a real calendar month `YYYY-MM`. */
export function isPeriod(value: string): boolean {
  return PERIOD.test(value);
}

/** Whether `value` is a real calendar date `YYYY-MM-DD` (no 2026-02-30). */
export function isIsoDate(value: string): boolean {
  const match = DATE.exec(value);
  if (!match) return false;
  const [, year, month, day] = match.map(Number);
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** Days since 1970-01-01 of an ISO date. */
export function dayNumber(isoDate: string): number {
  if (!isIsoDate(isoDate)) throw new RangeError(`${isoDate} is not an ISO date (YYYY-MM-DD)`);
  const [year, month, day] = isoDate.split('-').map(Number);
  return Date.UTC(year, month - 1, day) / DAY_MS;
}

/** The ISO date `days` after 1970-01-01. */
export function isoDateOf(days: number): string {
  return new Date(days * DAY_MS).toISOString().slice(0, 10);
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return dayNumber(to) - dayNumber(from);
}

function periodParts(period: string): [number, number] {
  const match = PERIOD.exec(period);
  if (!match) throw new RangeError(`${period} is not a period (YYYY-MM)`);
  return [Number(match[1]), Number(match[2])];
}

/** First and last day of a calendar-month period. */
export function periodBounds(period: string): { first: string; last: string } {
  const [year, month] = periodParts(period);
  const first = Date.UTC(year, month - 1, 1) / DAY_MS;
  const next = Date.UTC(year, month, 1) / DAY_MS;
  return { first: isoDateOf(first), last: isoDateOf(next - 1) };
}

/** The period a date falls in. */
export function periodOf(isoDate: string): string {
  return isoDate.slice(0, 7);
}

/** Monday-to-Friday days in the period (public holidays are not known to reporting). */
export function weekdaysInPeriod(period: string): number {
  const { first, last } = periodBounds(period);
  let count = 0;
  for (let day = dayNumber(first); day <= dayNumber(last); day++) {
    // 1970-01-01 was a Thursday: day 0 → 4 (Sunday = 0).
    const weekday = (day + 4) % 7;
    if (weekday !== 0 && weekday !== 6) count++;
  }
  return count;
}

/** Whether a period's last day is before `asOf` (the period has ended by then). */
export function periodEndedBefore(period: string, asOf: string): boolean {
  return dayNumber(periodBounds(period).last) < dayNumber(asOf);
}
