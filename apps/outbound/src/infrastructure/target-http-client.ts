import { setTimeout as delay } from 'node:timers/promises';

import { Logger, TransientError } from '@throughline/platform';

import { CircuitBreaker, CircuitBreakerSettings } from '../domain/circuit-breaker';
import { classifyStatus, retryAfterMs } from '../domain/response-classification';
import { OutboundMetrics } from './outbound-metrics';

export interface TargetHttpOptions {
  target: string;
  /** Calls in flight at once to this target (its concurrency limit). */
  concurrency: number;
  timeoutMs: number;
  /** Longest Retry-After waited out in place; longer throttling goes to the retry tiers. */
  maxRetryAfterMs: number;
  /** 429 answers waited out in place for one request before it goes to the retry tiers. */
  maxThrottledRetries: number;
  /** Opens after consecutive timeouts, network errors and 5xx; refuses calls while open. */
  breaker: CircuitBreakerSettings;
  metrics: OutboundMetrics;
  logger: Logger;
}

export interface TargetHttpRequest {
  method: 'PATCH' | 'POST' | 'PUT';
  url: string;
  /** A function is called for each attempt (a signature with a nonce must not be sent twice). */
  headers: Record<string, string> | (() => Record<string, string>);
  body: string;
}

/** An answer with a verdict on the data: the target took it (2xx) or refused it (4xx). */
export interface TargetHttpResponse {
  status: number;
  text: string;
  /** The Location header, naming the record a create or upsert wrote. */
  location: string | null;
  outcome: 'delivered' | 'rejected';
}

/** Used when a 429 comes without a readable Retry-After. */
const DEFAULT_THROTTLE_WAIT_MS = 1_000;

/**
 * The HTTP client of one target: at most `concurrency` calls in flight, a timeout per call, and
 * 429 + Retry-After honoured (every caller of the target waits until then, not only the one that
 * was throttled), and a circuit breaker: after `breaker.failureThreshold` timeouts, network errors
 * or 5xx in a row, calls are refused at once (TransientError, to the retry tiers) until a trial call
 * after `breaker.openMs` succeeds. Timeouts, network errors, 5xx, an open circuit and throttling
 * beyond what it waits out throw a TransientError; 2xx and data 4xx are returned.
 */
export class TargetHttpClient {
  private active = 0;
  private readonly queue: (() => void)[] = [];
  private throttledUntil = 0;
  private readonly circuit: CircuitBreaker;

  constructor(private readonly options: TargetHttpOptions) {
    this.circuit = new CircuitBreaker(options.breaker);
  }

  async send(request: TargetHttpRequest): Promise<TargetHttpResponse> {
    const { target, maxRetryAfterMs, maxThrottledRetries } = this.options;
    for (let throttles = 0; ; throttles += 1) {
      const wait = this.throttledUntil - Date.now();
      if (wait > 0) await delay(wait);
      const answer = await this.withSlot(() => this.callThroughCircuit(request));
      if (answer.outcome !== 'throttled') return answer;
      const waitMs = answer.retryAfterMs ?? DEFAULT_THROTTLE_WAIT_MS;
      this.throttledUntil = Math.max(this.throttledUntil, Date.now() + waitMs);
      const context = { target, status: 429, retryAfterMs: waitMs, throttles: throttles + 1 };
      if (throttles >= maxThrottledRetries || waitMs > maxRetryAfterMs) {
        throw new TransientError(`${target} is rate limiting (429, retry after ${waitMs} ms)`, { context });
      }
      this.options.logger.warn(context, `${target} throttled; waiting for Retry-After`);
    }
  }

  private async callThroughCircuit(request: TargetHttpRequest): ReturnType<TargetHttpClient['call']> {
    const { target, metrics } = this.options;
    const refusedForMs = this.circuit.refusal();
    if (refusedForMs !== undefined) {
      metrics.calls.inc({ target, outcome: 'circuit-open' });
      throw new TransientError(
        `${target} circuit open after repeated failures; next trial in ${refusedForMs} ms`,
        {
          context: { target, refusedForMs },
        },
      );
    }
    try {
      const answer = await this.call(request);
      this.circuit.succeeded();
      return answer;
    } catch (error) {
      this.circuit.failed();
      if (this.circuit.state === 'open') this.options.logger.warn({ target }, `${target} circuit open`);
      throw error;
    }
  }

  private async call(
    request: TargetHttpRequest,
  ): Promise<TargetHttpResponse | { outcome: 'throttled'; retryAfterMs: number | undefined }> {
    const { target, metrics, timeoutMs } = this.options;
    const path = new URL(request.url).pathname;
    const stopTimer = metrics.latency.startTimer({ target });
    let status: number;
    let text: string;
    let retryAfter: string | null;
    let location: string | null;
    try {
      const response = await fetch(request.url, {
        method: request.method,
        headers: typeof request.headers === 'function' ? request.headers() : request.headers,
        body: request.body,
        signal: AbortSignal.timeout(timeoutMs),
      });
      status = response.status;
      retryAfter = response.headers.get('retry-after');
      location = response.headers.get('location');
      text = await response.text();
    } catch (error) {
      stopTimer();
      // AbortSignal.timeout rejects with a DOMException named TimeoutError.
      const kind = (error as { name?: unknown } | null)?.name === 'TimeoutError' ? 'timeout' : 'network';
      metrics.calls.inc({ target, outcome: kind });
      metrics.errors.inc({ target, kind });
      throw new TransientError(`${target} ${request.method} ${path}: ${kind}`, {
        cause: error,
        context: { target, timeoutMs },
      });
    }
    stopTimer();
    const outcome = classifyStatus(status);
    metrics.calls.inc({ target, outcome });
    switch (outcome) {
      case 'throttled':
        metrics.throttled.inc({ target });
        return { outcome, retryAfterMs: retryAfterMs(retryAfter) };
      case 'unavailable':
        metrics.errors.inc({ target, kind: outcome });
        throw new TransientError(`${target} ${request.method} ${path} answered ${status}`, {
          context: { target, status, body: text.slice(0, 500) },
        });
      case 'rejected':
        metrics.errors.inc({ target, kind: outcome });
        return { status, text, location, outcome };
      case 'delivered':
        return { status, text, location, outcome };
    }
  }

  private async withSlot<T>(work: () => Promise<T>): Promise<T> {
    if (this.active >= this.options.concurrency) {
      await new Promise<void>((resolve) => this.queue.push(resolve));
    } else {
      this.active += 1;
    }
    try {
      return await work();
    } finally {
      // Hands the slot straight to the next waiter, so `active` never overshoots the limit.
      const next = this.queue.shift();
      if (next) next();
      else this.active -= 1;
    }
  }
}
