export interface RetryPolicy {
  baseDelayMs: number;
  maxDelayMs: number;
  maxAttempts: number;
}

export type RetryDecision = { retry: true; delayMs: number } | { retry: false };

/**
 * After failed attempt number `attempt` (1-based): wait base × 2^(attempt-1), capped, and at least
 * as long as the server asked (Retry-After); give up once `maxAttempts` attempts failed.
 */
export function nextRetry(policy: RetryPolicy, attempt: number, retryAfterMs = 0): RetryDecision {
  if (attempt >= policy.maxAttempts) return { retry: false };
  const exponential = policy.baseDelayMs * 2 ** Math.min(attempt - 1, 30);
  return { retry: true, delayMs: Math.max(Math.min(policy.maxDelayMs, exponential), retryAfterMs) };
}
