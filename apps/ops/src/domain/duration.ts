import { UsageError } from './errors';

const UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

const DURATION = /^(?:\d+(?:ms|s|m|h|d|w))+$/;
const DURATION_PART = /(\d+)(ms|s|m|h|d|w)/g;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** "90s", "2h", "1h30m", "7d" → milliseconds; undefined when the text is not a duration. */
export function parseDuration(text: string): number | undefined {
  if (!DURATION.test(text)) return undefined;
  let total = 0;
  for (const [, amount, unit] of text.matchAll(DURATION_PART)) {
    total += Number(amount) * (UNIT_MS[unit as string] as number);
  }
  return total;
}

/**
 * An instant given as ISO 8601 (a date, or a date-time; without a zone it is UTC) or as a duration
 * before `now` ("2h" = two hours ago). Returns epoch milliseconds.
 */
export function parseInstant(text: string, now: number, option = 'time'): number {
  const duration = parseDuration(text);
  if (duration !== undefined) return now - duration;
  let iso: string | undefined;
  if (ISO_DATE.test(text)) iso = `${text}T00:00:00Z`;
  else {
    const match = ISO_DATE_TIME.exec(text);
    if (match) iso = match[1] ? text : `${text}Z`;
  }
  const millis = iso === undefined ? Number.NaN : Date.parse(iso);
  if (Number.isNaN(millis)) {
    throw new UsageError(
      `invalid ${option} "${text}": expected an ISO 8601 time (2026-03-01T12:00:00Z) or a duration before now (90s, 15m, 2h, 1d)`,
    );
  }
  return millis;
}

/** A compact age for humans: "45s", "12m 5s", "3h 20m", "4d 2h". */
export function formatAge(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1_000));
  const units: [number, string][] = [
    [86_400, 'd'],
    [3_600, 'h'],
    [60, 'm'],
    [1, 's'],
  ];
  const parts: string[] = [];
  let rest = seconds;
  for (const [size, unit] of units) {
    const amount = Math.floor(rest / size);
    rest -= amount * size;
    if (amount > 0 || (parts.length === 0 && size === 1)) parts.push(`${amount}${unit}`);
    if (parts.length === 2) break;
    if (parts.length === 1 && amount === 0) break;
  }
  return parts.join(' ');
}
