import { isIsoDate, utcDateOf } from '@throughline/calendar';

/** The dates any source may send: earlier or later is a typo or a unit mistake (year 9999). */
export const EARLIEST_DATE = '2000-01-01';
export const LATEST_DATE = '2100-12-31';
export const DATE_RANGE_MESSAGE = `expected a calendar date YYYY-MM-DD from ${EARLIEST_DATE} to ${LATEST_DATE}`;

/** A real calendar date YYYY-MM-DD within EARLIEST_DATE..LATEST_DATE. */
export function isSaneDate(text: string): boolean {
  return isIsoDate(text) && text >= EARLIEST_DATE && text <= LATEST_DATE;
}

/**
 * A CRM date or date-time as a calendar date (within the sane range): "2026-11-30", an ISO-8601 date-time (its UTC date)
 * or epoch milliseconds. Undefined when it is none of these.
 */
export function toCalendarDate(text: string): string | undefined {
  const trimmed = text.trim();
  let date: string | undefined;
  if (isIsoDate(trimmed)) date = trimmed;
  else if (/^\d{1,16}$/.test(trimmed)) date = utcDateOf(Number(trimmed));
  else if (/^\d{4}-\d{2}-\d{2}T/.test(trimmed)) {
    const instant = Date.parse(trimmed);
    date = Number.isNaN(instant) ? undefined : utcDateOf(instant);
  }
  return date !== undefined && isSaneDate(date) ? date : undefined;
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;
/** 2000-01-01 and 2101-01-01 in epoch ms: outside this, an "instant" is a unit mistake (seconds?). */
export const EARLIEST_INSTANT = 946_684_800_000;
export const LATEST_INSTANT = 4_133_980_800_000;

/**
 * An instant sent by an external system as epoch milliseconds or an ISO-8601 date-time with an
 * explicit zone ("2026-12-01T17:00:00Z", "…+01:00"), as epoch ms. Undefined for anything else,
 * including zone-less date-times (ambiguous) and epoch seconds (out of the plausible range).
 */
export function toEpochMs(value: string | number): number | undefined {
  let instant: number;
  if (typeof value === 'number') {
    instant = value;
  } else {
    if (!ISO_INSTANT.test(value.trim())) return undefined;
    instant = Date.parse(value.trim());
  }
  if (!Number.isInteger(instant) || instant < EARLIEST_INSTANT || instant >= LATEST_INSTANT) return undefined;
  return instant;
}
