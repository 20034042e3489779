/** Calendar arithmetic on ISO-8601 dates (YYYY-MM-DD) and months (YYYY-MM), always in UTC. */

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for a real calendar date in YYYY-MM-DD form (2027-02-29 is not one). */
export function isIsoDate(value: string): boolean {
  const match = ISO_DATE.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

function yearAndMonth(isoDate: string): [number, number] {
  if (!isIsoDate(isoDate)) throw new RangeError(`Not an ISO date (YYYY-MM-DD): "${isoDate}"`);
  return [Number(isoDate.slice(0, 4)), Number(isoDate.slice(5, 7))];
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

export function daysInMonth(year: number, month: number): number {
  // Day 0 of the next month is the last day of this one; Date.UTC knows the Gregorian leap rules.
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** One calendar month: `2027-02`, ending `2027-02-28`. */
export interface CalendarMonth {
  month: string;
  lastDay: string;
}

/** The calendar months the inclusive range `startDate..endDate` touches, in order. */
export function monthsCovering(startDate: string, endDate: string): CalendarMonth[] {
  if (endDate < startDate) throw new RangeError(`endDate ${endDate} is before startDate ${startDate}`);
  let [year, month] = yearAndMonth(startDate);
  const [endYear, endMonth] = yearAndMonth(endDate);
  const months: CalendarMonth[] = [];
  while (year < endYear || (year === endYear && month <= endMonth)) {
    const yearMonth = `${pad(year, 4)}-${pad(month, 2)}`;
    months.push({ month: yearMonth, lastDay: `${yearMonth}-${pad(daysInMonth(year, month), 2)}` });
    [year, month] = month === 12 ? [year + 1, 1] : [year, month + 1];
  }
  return months;
}
