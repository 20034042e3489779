import { isWorkingDay, utcDateOf } from '@throughline/calendar';

const DAY_MS = 86_400_000;

/** Calendar months as `YYYY-MM`. */
const PERIOD = /^(\d{4})-(0[1-9]|1[0-2])$/;

const formats = new Map<string, Intl.DateTimeFormat>();

/** Whether `timeZone` is an IANA time zone this runtime knows (e.g. Europe/Berlin, UTC). */
export function isTimeZone(timeZone: string): boolean {
  try {
    formatIn(timeZone);
    return true;
  } catch {
    return false;
  }
}

/**
 * The same local time of day on the `businessDays`-th business day after `at`: a Monday–Friday day
 * that is not one of `holidays` (local dates `YYYY-MM-DD`), weekdays, dates and time of day taken
 * in `timeZone` (default UTC). One business day after a Friday close is the Monday (the Tuesday
 * when that Monday is a holiday), after a Saturday or Sunday close too. A local time that does not
 * exist on the due day (a daylight-saving gap) falls an hour later.
 */
export function businessDayDeadline(
  at: number,
  businessDays: number,
  timeZone = 'UTC',
  holidays: readonly string[] = [],
): number {
  if (!Number.isSafeInteger(businessDays) || businessDays < 1)
    throw new RangeError(`businessDays must be a positive integer, got ${businessDays}`);
  const closed = new Set(holidays);
  const local = localParts(at, timeZone);
  // Calendar arithmetic on the local date, kept in a UTC Date so no time zone interferes.
  let day = Date.UTC(local.year, local.month - 1, local.day);
  for (let left = businessDays; left > 0;) {
    day += DAY_MS;
    if (isWorkingDay(utcDateOf(day), closed)) left -= 1;
  }
  return fromLocal(day + local.timeOfDayMs, timeZone);
}

/** The first instant after a `YYYY-MM` billing period (local midnight in `timeZone`); null for anything else. */
export function periodEnd(period: string, timeZone = 'UTC'): number | null {
  const match = PERIOD.exec(period);
  if (!match) return null;
  return fromLocal(Date.UTC(Number(match[1]), Number(match[2]), 1), timeZone);
}

interface LocalParts {
  year: number;
  month: number;
  day: number;
  timeOfDayMs: number;
}

function formatIn(timeZone: string): Intl.DateTimeFormat {
  let format = formats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formats.set(timeZone, format);
  }
  return format;
}

/** The wall-clock date and time of `at` in `timeZone`. */
function localParts(at: number, timeZone: string): LocalParts {
  const parts: Record<string, number> = {};
  for (const part of formatIn(timeZone).formatToParts(new Date(at)))
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  const millis = ((at % 1_000) + 1_000) % 1_000;
  return {
    year: parts['year'] ?? 1970,
    month: parts['month'] ?? 1,
    day: parts['day'] ?? 1,
    timeOfDayMs:
      (((parts['hour'] ?? 0) * 60 + (parts['minute'] ?? 0)) * 60 + (parts['second'] ?? 0)) * 1_000 + millis,
  };
}

/** How far `timeZone`'s wall clock is ahead of UTC at `at`. */
function offsetAt(at: number, timeZone: string): number {
  const local = localParts(at, timeZone);
  return Date.UTC(local.year, local.month - 1, local.day) + local.timeOfDayMs - at;
}

/** The instant a wall-clock time (written as if it were UTC) happens in `timeZone`. */
function fromLocal(wallClock: number, timeZone: string): number {
  const guess = wallClock - offsetAt(wallClock, timeZone);
  return wallClock - offsetAt(guess, timeZone);
}
