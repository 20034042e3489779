/**
 * What a target's HTTP answer means for the event that caused the call:
 * - delivered: done;
 * - rejected: the target refuses the data (4xx); retrying the same data cannot help, a person must
 *   fix it (a business exception);
 * - throttled: 429, wait for Retry-After and try again;
 * - unavailable: the target or its credentials are failing (5xx, 408, 401, 403); retried through the
 *   retry tiers, then dead-lettered (replayable once fixed).
 */
export type ResponseClass = 'delivered' | 'rejected' | 'throttled' | 'unavailable';

export function classifyStatus(status: number): ResponseClass {
  if (status >= 200 && status < 300) return 'delivered';
  if (status === 429) return 'throttled';
  // 401/403 are credentials or scopes (configuration), 408/425 a timing problem: not the data.
  if (status >= 500 || status === 401 || status === 403 || status === 408 || status === 425)
    return 'unavailable';
  if (status >= 400) return 'rejected';
  // 1xx/3xx are not answers a JSON API gives to these calls; treat them as a target fault.
  return 'unavailable';
}

/**
 * Milliseconds to wait from a Retry-After header (delay-seconds or an HTTP date), or undefined
 * when it is absent or unreadable.
 */
export function retryAfterMs(header: string | null | undefined, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1_000;
  // An HTTP date names its day and month; Date.parse alone would also take e.g. "-1" as a year.
  if (!/[a-z]/i.test(trimmed)) return undefined;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}
