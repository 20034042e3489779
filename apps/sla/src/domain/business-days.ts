const DAY_MS = 86_400_000;

/** Calendar months as `YYYY-MM`. */
const PERIOD = /^(\d{4})-(0[1-9]|1[0-2])$/;

/**
 * The same time of day (UTC) on the `businessDays`-th Monday–Friday day after `at`: one business
 * day after a Friday close is the Monday, after a Saturday or Sunday close too. Public holidays are
 * not known here; firms that need them can set a fixed threshold instead.
 */
export function businessDayDeadline(at: number, businessDays: number): number {
  if (!Number.isSafeInteger(businessDays) || businessDays < 1)
    throw new RangeError(`businessDays must be a positive integer, got ${businessDays}`);
  let due = at;
  for (let left = businessDays; left > 0;) {
    due += DAY_MS;
    const weekday = new Date(due).getUTCDay();
    if (weekday !== 0 && weekday !== 6) left -= 1;
  }
  return due;
}

/** The first instant (UTC) after a `YYYY-MM` billing period; null for anything else. */
export function periodEnd(period: string): number | null {
  const match = PERIOD.exec(period);
  if (!match) return null;
  return Date.UTC(Number(match[1]), Number(match[2]), 1);
}
