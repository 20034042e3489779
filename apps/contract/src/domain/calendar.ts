import { addDays, weekdayOf } from '@throughline/calendar';

/**
 * The day delivery of a won deal starts: its close date when that is a business day (Mon–Fri),
 * else the following Monday. Public holidays are not modelled: they differ per legal entity and the
 * ERP publishes no holiday calendar.
 */
export function contractStartDate(closeDate: string): string {
  const weekday = weekdayOf(closeDate); // 0 = Sunday, 6 = Saturday
  return addDays(closeDate, weekday === 6 ? 2 : weekday === 0 ? 1 : 0);
}
