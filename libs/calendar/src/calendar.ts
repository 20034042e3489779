/**
 * Calendar arithmetic on ISO-8601 dates (`YYYY-MM-DD`) and calendar-month periods (`YYYY-MM`), in
 * whole UTC days, so no time zone or daylight-saving shift can move a date. Dates are business
 * dates (a work date, a due date), not instants; `utcDateOf` is the one bridge from an instant.
 */

const DAY_MS = 86_400_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const PERIOD = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** Whether `value` is a real calendar date `YYYY-MM-DD` (2027-02-29 is not one). */
export function isIsoDate(value: string): boolean {
  const match = ISO_DATE.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** Whether `value` is a calendar month `YYYY-MM`. */
export function isPeriod(value: string): boolean {
  return PERIOD.test(value);
}

/** Days since 1970-01-01 of an ISO date; a RangeError for anything that is not one. */
export function epochDay(isoDate: string): number {
  if (!isIsoDate(isoDate)) throw new RangeError(`Not an ISO date (YYYY-MM-DD): "${isoDate}"`);
  return Date.parse(`${isoDate}T00:00:00Z`) / DAY_MS;
}

/** The ISO date `days` days after 1970-01-01. */
export function isoDateOfEpochDay(days: number): string {
  if (!Number.isSafeInteger(days)) throw new RangeError(`days must be an integer, got ${days}`);
  return new Date(days * DAY_MS).toISOString().slice(0, 10);
}

/** The UTC calendar date of an instant (epoch milliseconds). */
export function utcDateOf(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 10);
}

/** `isoDate` moved by `days` (negative moves back). */
export function addDays(isoDate: string, days: number): string {
  if (!Number.isInteger(days)) throw new RangeError(`days must be an integer, got ${days}`);
  return isoDateOfEpochDay(epochDay(isoDate) + days);
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return epochDay(to) - epochDay(from);
}

/** Day of the week, 0 = Sunday … 6 = Saturday. */
export function weekdayOf(isoDate: string): number {
  // 1970-01-01 was a Thursday (4).
  return (((epochDay(isoDate) + 4) % 7) + 7) % 7;
}

/** Saturday or Sunday. */
export function isWeekend(isoDate: string): boolean {
  const weekday = weekdayOf(isoDate);
  return weekday === 0 || weekday === 6;
}

/** The period (`YYYY-MM`) a date falls in. */
export function periodOf(isoDate: string): string {
  if (!isIsoDate(isoDate)) throw new RangeError(`Not an ISO date (YYYY-MM-DD): "${isoDate}"`);
  return isoDate.slice(0, 7);
}

function periodParts(period: string): [number, number] {
  const match = PERIOD.exec(period);
  if (!match) throw new RangeError(`Not a period (YYYY-MM): "${period}"`);
  return [Number(match[1]), Number(match[2])];
}

function periodFrom(year: number, month: number): string {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}`;
}

export function daysInMonth(year: number, month: number): number {
  // Day 0 of the next month is the last day of this one; Date.UTC knows the Gregorian leap rules.
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** First and last day of a period. */
export function periodBounds(period: string): { first: string; last: string } {
  const [year, month] = periodParts(period);
  return { first: `${period}-01`, last: `${period}-${String(daysInMonth(year, month)).padStart(2, '0')}` };
}

/** Whether a period's last day is before `asOf` (the period has ended by then). */
export function periodEndedBefore(period: string, asOf: string): boolean {
  return epochDay(periodBounds(period).last) < epochDay(asOf);
}

/** The period after `period`. */
export function nextPeriod(period: string): string {
  const [year, month] = periodParts(period);
  return month === 12 ? periodFrom(year + 1, 1) : periodFrom(year, month + 1);
}

/** One calendar month: `2027-02`, ending `2027-02-28`. */
export interface CalendarMonth {
  month: string;
  lastDay: string;
}

/** The calendar months the inclusive range `startDate..endDate` touches, in order. */
export function monthsCovering(startDate: string, endDate: string): CalendarMonth[] {
  if (epochDay(endDate) < epochDay(startDate))
    throw new RangeError(`endDate ${endDate} is before startDate ${startDate}`);
  const last = periodOf(endDate);
  const months: CalendarMonth[] = [];
  for (let month = periodOf(startDate); month <= last; month = nextPeriod(month)) {
    months.push({ month, lastDay: periodBounds(month).last });
  }
  return months;
}

/** The days of a period, in order. */
export function daysOfPeriod(period: string): string[] {
  const { first, last } = periodBounds(period);
  const days: string[] = [];
  for (let day = epochDay(first); day <= epochDay(last); day++) days.push(isoDateOfEpochDay(day));
  return days;
}

/** Monday to Friday and not one of `holidays` (ISO dates). */
export function isWorkingDay(isoDate: string, holidays: ReadonlySet<string> = new Set()): boolean {
  return !isWeekend(isoDate) && !holidays.has(isoDate);
}

/** The Monday-to-Friday days of a period that are not `holidays`, in order. */
export function workingDaysOfPeriod(period: string, holidays: readonly string[] = []): string[] {
  const closed = new Set(holidays);
  return daysOfPeriod(period).filter((day) => isWorkingDay(day, closed));
}
