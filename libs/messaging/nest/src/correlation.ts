import { randomUUID } from 'node:crypto';

import { Logger, withLogContext } from '@throughline/platform';

/** The header a caller names its flow in; answered with the id the request ran under. */
export const CORRELATION_HEADER = 'x-correlation-id';

/** Printable ASCII without spaces, at most 128 characters: safe to log and to put on events. */
const USABLE_ID = /^[\x21-\x7e]{1,128}$/;

interface RequestLike {
  method?: string;
  url?: string;
  originalUrl?: string;
  headers: Record<string, string | string[] | undefined>;
}

interface ResponseLike {
  statusCode: number;
  setHeader(name: string, value: string): unknown;
  once(event: 'finish', listener: () => void): unknown;
}

/** Milliseconds since `started` (a `process.hrtime.bigint()` reading), to the microsecond. */
export function elapsedMs(started: bigint, now = process.hrtime.bigint()): number {
  return Number((now - started) / 1_000n) / 1_000;
}

/** The caller's correlation id if it is usable, else a new one. */
export function correlationIdOf(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value !== undefined && USABLE_ID.test(value) ? value : randomUUID();
}

/**
 * Express middleware: every request runs under a correlation id, the caller's `x-correlation-id`
 * or a generated one (also when the caller's is unusable: too long, spaces or control characters).
 * It is in the log context of everything the request does, answered in the response header, and
 * written back to the request header, so a controller that passes `@Headers('x-correlation-id')`
 * to the events it creates uses it even when the caller sent none. One log line per request on
 * completion (health checks and metrics scrapes at debug level).
 */
export function correlationMiddleware(logger: Logger) {
  return (request: RequestLike, response: ResponseLike, next: () => void): void => {
    const correlationId = correlationIdOf(request.headers[CORRELATION_HEADER]);
    request.headers[CORRELATION_HEADER] = correlationId;
    response.setHeader(CORRELATION_HEADER, correlationId);
    const started = process.hrtime.bigint();
    const path = (request.originalUrl ?? request.url ?? '/').split('?')[0];
    response.once('finish', () =>
      withLogContext({ correlationId }, () => {
        const line = {
          method: request.method,
          path,
          status: response.statusCode,
          durationMs: elapsedMs(started),
        };
        if (/^\/(health|metrics)(\/|$)/.test(path)) logger.debug(line, 'http request');
        else logger.info(line, 'http request');
      }),
    );
    withLogContext({ correlationId }, next);
  };
}
