/** Calendar arithmetic on ISO-8601 dates (YYYY-MM-DD), always in UTC so time zones never shift a day. */

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

/** True for a real calendar date in YYYY-MM-DD form (2027-02-29 is not one). */
export function isIsoDate(value: string): boolean {
  const match = ISO_DATE.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

function toEpochDay(isoDate: string): number {
  if (!isIsoDate(isoDate)) throw new RangeError(`Not an ISO date (YYYY-MM-DD): "${isoDate}"`);
  return Date.parse(`${isoDate}T00:00:00Z`) / DAY_MS;
}

/** The UTC calendar date of an epoch-milliseconds instant. */
export function isoDateOf(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 10);
}

/** `isoDate` moved by `days` (negative moves back). */
export function addDays(isoDate: string, days: number): string {
  if (!Number.isInteger(days)) throw new RangeError(`days must be an integer, got ${days}`);
  return isoDateOf((toEpochDay(isoDate) + days) * DAY_MS);
}
