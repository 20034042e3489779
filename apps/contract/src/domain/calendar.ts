const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

function parseIsoDate(date: string): Date {
  const match = ISO_DATE.exec(date);
  const parsed = match ? new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))) : null;
  if (!parsed || parsed.toISOString().slice(0, 10) !== date) throw new RangeError(`Not a date: "${date}"`);
  return parsed;
}

/**
 * The day delivery of a won deal starts: its close date when that is a business day (Mon–Fri),
 * else the following Monday. Public holidays are not modelled: they differ per legal entity and the
 * ERP publishes no holiday calendar.
 */
export function contractStartDate(closeDate: string): string {
  const day = parseIsoDate(closeDate);
  const weekday = day.getUTCDay(); // 0 = Sunday, 6 = Saturday
  const skipDays = weekday === 6 ? 2 : weekday === 0 ? 1 : 0;
  return new Date(day.getTime() + skipDays * DAY_MS).toISOString().slice(0, 10);
}
