import { isIsoDate, utcDateOf } from '@throughline/calendar';

/**
 * A CRM date or date-time as a calendar date: "2026-11-30", an ISO-8601 date-time (its UTC date)
 * or epoch milliseconds. Undefined when it is none of these.
 */
export function toCalendarDate(text: string): string | undefined {
  const trimmed = text.trim();
  if (isIsoDate(trimmed)) return trimmed;
  if (/^\d{1,16}$/.test(trimmed)) return utcDateOf(Number(trimmed));
  if (/^\d{4}-\d{2}-\d{2}T/.test(trimmed)) {
    const instant = Date.parse(trimmed);
    return Number.isNaN(instant) ? undefined : utcDateOf(instant);
  }
  return undefined;
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;
/** 2000-01-01 and 2100-01-01 in epoch ms: outside this, an "instant" is a unit mistake (seconds?). */
const EARLIEST_INSTANT = 946_684_800_000;
const LATEST_INSTANT = 4_102_444_800_000;

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
