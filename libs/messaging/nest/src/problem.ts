import { HttpException } from '@nestjs/common';

import { BusinessRuleViolation, NotFoundError, TransientError, ValidationError } from '@throughline/platform';

/** RFC 9457 media type of every error answer. */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** One field at fault: where (`customers.0.billingCurrency`, `(body)`, `query.limit`) and what is wrong. */
export interface ProblemFieldError {
  field: string;
  detail: string;
}

/**
 * RFC 9457 problem details. `errors` lists each bad field (empty when the problem is not about a
 * field). `error` repeats `detail`: the field every answer carried before problem details, kept so
 * existing clients keep working.
 */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors: ProblemFieldError[];
  error: string;
  [extension: string]: unknown;
}

/** What an error becomes on the wire, and how loudly it is logged. */
export interface ProblemAnswer {
  problem: ProblemDetails;
  /** Client mistakes are not logged as errors; unknown failures are. */
  log: 'none' | 'error';
  /** Seconds, for 503 (a dependency outage a client may retry after). */
  retryAfter?: number;
}

const TITLES: Record<string, string> = {
  'invalid-request': 'The request is invalid',
  'invalid-signature': 'The signature is missing, wrong or stale',
  'malformed-json': 'The body is not valid JSON',
  'invalid-input': 'The request holds characters or nesting that are not accepted',
  'payload-too-large': 'The body is too large',
  'unsupported-media-type': 'The body must be JSON',
  'unsupported-content-encoding': 'The body encoding is not supported',
  'unsupported-charset': 'The body charset is not supported',
  'misdirected-request': 'This host name is not served here',
  'request-timeout': 'The request was not received in time',
  'too-many-requests': 'Too many requests from this client',
  'forbidden-origin': 'Cross-origin requests from this origin are refused',
  unauthenticated: 'A valid credential is required',
  'insufficient-scope': 'The credential lacks the scope this route needs',
  'actor-mismatch': 'The actor named does not match the credential',
  'not-found': 'Not found',
  conflict: 'The request conflicts with what is recorded',
  'business-rule': 'A business rule is not met',
  'invalid-value': 'A value cannot be stored',
  'dependency-unavailable': 'A dependency is unavailable; retry later',
  'internal-error': 'Internal error',
};

const SLUG_BY_STATUS: Record<number, string> = {
  400: 'invalid-request',
  404: 'not-found',
  413: 'payload-too-large',
  408: 'request-timeout',
  415: 'unsupported-media-type',
  421: 'misdirected-request',
  409: 'conflict',
  422: 'business-rule',
  429: 'too-many-requests',
  503: 'dependency-unavailable',
};

/** `urn:throughline:problem:payload-too-large`: stable, dereferences nowhere, documented in README. */
export function problemType(slug: string): string {
  return `urn:throughline:problem:${slug}`;
}

export function problem(
  status: number,
  slug: string,
  detail: string,
  errors: readonly ProblemFieldError[] = [],
  extensions: Record<string, unknown> = {},
): ProblemDetails {
  return {
    ...extensions,
    type: problemType(slug),
    title: TITLES[slug] ?? slug,
    status,
    detail,
    errors: [...errors],
    error: detail,
  };
}

/** An error that is already a problem answer: thrown by middleware (415, 413, 421, …) and handlers. */
export class HttpProblem extends Error {
  readonly problem: ProblemDetails;

  constructor(
    readonly status: number,
    slug: string,
    detail: string,
    errors: readonly ProblemFieldError[] = [],
    extensions: Record<string, unknown> = {},
  ) {
    super(detail);
    this.name = 'HttpProblem';
    this.problem = problem(status, slug, detail, errors, extensions);
  }
}

interface BodyParserError {
  type: string;
  status: number;
  message: string;
  limit?: number;
  charset?: string;
  encoding?: string;
}

/** Errors of Express's body parsers (raw-body, body-parser) carry a `type` and a 4xx `status`. */
export function isBodyParserError(error: unknown): error is BodyParserError {
  const candidate = error as Partial<BodyParserError> | null;
  return (
    (typeof candidate?.type === 'string' &&
      /^(entity|encoding|charset|request|stream)\./.test(candidate.type) &&
      typeof candidate.status === 'number' &&
      candidate.status >= 400 &&
      candidate.status < 500) ||
    isDecompressionError(error)
  );
}

/**
 * A body that is not what its Content-Encoding says (e.g. `gzip` over plain JSON): body-parser passes
 * zlib's error on, untyped, with status 400.
 */
function isDecompressionError(error: unknown): boolean {
  const candidate = error as { errno?: unknown; code?: unknown; status?: unknown } | null;
  return (
    typeof candidate?.errno === 'number' && typeof candidate.code === 'string' && candidate.status === 400
  );
}

/** A body parser's error as a problem with its reason. */
export function bodyParserProblem(error: BodyParserError): HttpProblem {
  if (isDecompressionError(error)) {
    return new HttpProblem(
      400,
      'invalid-content-encoding',
      `request body could not be decoded as its Content-Encoding says: ${error.message}`,
      [{ field: '(body)', detail: error.message }],
    );
  }
  switch (error.type) {
    case 'entity.too.large':
      return new HttpProblem(413, 'payload-too-large', `request body over ${error.limit ?? '?'} bytes`);
    case 'encoding.unsupported':
      return new HttpProblem(
        415,
        'unsupported-content-encoding',
        `Content-Encoding "${error.encoding ?? ''}" is not supported; send identity, gzip, deflate or br`,
      );
    case 'charset.unsupported':
      return new HttpProblem(
        415,
        'unsupported-charset',
        `charset "${(error.charset ?? '').toUpperCase()}" is not supported; send UTF-8`,
      );
    case 'entity.parse.failed':
      return new HttpProblem(400, 'malformed-json', `unreadable JSON body: ${error.message}`, [
        { field: '(body)', detail: error.message },
      ]);
    default:
      return new HttpProblem(error.status, SLUG_BY_STATUS[error.status] ?? 'invalid-request', error.message);
  }
}

/**
 * Errors a client cannot have caused and that pass when a dependency is back: the database or the
 * broker unreachable, a pool exhausted, the database busy (lock or statement timeout, deadlock).
 * Only these are answered 503.
 */
// P2024 pool timeout, P2028 transaction timed out, P2034 write conflict or deadlock.
const OUTAGE_PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'P2028', 'P2034']);
// Serialization failure, deadlock, lock or statement timeout: the database is busy, a retry works.
const BUSY_SQL_STATES = new Set(['40001', '40P01', '55P03', '57014']);
const OUTAGE_NODE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EPIPE',
  'EAI_AGAIN',
]);
const OUTAGE_KAFKA_ERRORS = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSNumberOfRetriesExceeded',
  'KafkaJSRequestTimeoutError',
  'KafkaJSBrokerNotFound',
  'KafkaJSNonRetriableError',
]);

/** The error and what it wraps (cause chain, Prisma's driver adapter error), nearest first. */
function chainOf(error: unknown): Record<string, unknown>[] {
  const chain: Record<string, unknown>[] = [];
  let current: unknown = error;
  while (current && typeof current === 'object' && chain.length < 8) {
    const node = current as Record<string, unknown>;
    chain.push(node);
    const adapter = (node['meta'] as { driverAdapterError?: { cause?: unknown } } | undefined)
      ?.driverAdapterError;
    if (adapter?.cause && typeof adapter.cause === 'object')
      chain.push(adapter.cause as Record<string, unknown>);
    current = node['cause'];
  }
  return chain;
}

/** The PostgreSQL SQLSTATE behind an error, if any (`22021` for a NUL byte in text). */
export function sqlStateOf(error: unknown): string | undefined {
  for (const node of chainOf(error)) {
    for (const key of ['originalCode', 'code']) {
      const value = node[key];
      if (typeof value === 'string' && /^[0-9A-Z]{5}$/.test(value) && !value.startsWith('P')) return value;
    }
  }
  return undefined;
}

export function isDependencyOutage(error: unknown): boolean {
  if (error instanceof TransientError) return true;
  return chainOf(error).some((node) => {
    const code = typeof node['code'] === 'string' ? node['code'] : '';
    const name = typeof node['name'] === 'string' ? node['name'] : '';
    const kind = typeof node['kind'] === 'string' ? node['kind'] : '';
    const sqlState = typeof node['originalCode'] === 'string' ? node['originalCode'] : code;
    return (
      OUTAGE_PRISMA_CODES.has(code) ||
      OUTAGE_NODE_CODES.has(code) ||
      OUTAGE_KAFKA_ERRORS.has(name) ||
      /^(DatabaseNotReachable|TooManyConnections|SocketTimeout|ConnectionClosed)$/.test(kind) ||
      /^(08|53|57P0)/.test(sqlState) ||
      BUSY_SQL_STATES.has(sqlState)
    );
  });
}

interface ValidationContext {
  issues?: { path: string; message: string }[];
  rejected?: { index: number; id: string | null; errors: string[] }[];
}

function fieldErrorsOf(context: ValidationContext): ProblemFieldError[] {
  if (context.issues) return context.issues.map((issue) => ({ field: issue.path, detail: issue.message }));
  if (context.rejected) {
    return context.rejected.flatMap((entry) =>
      entry.errors.map((message) => {
        const split = /^([\w.[\]]+): (.*)$/s.exec(message);
        return split
          ? { field: `${entry.index}.${split[1]}`, detail: split[2] as string }
          : { field: String(entry.index), detail: message };
      }),
    );
  }
  return [];
}

/**
 * A Nest HTTP exception's reason and extra fields: `new ConflictException({ error, conflicts })`
 * keeps `conflicts`; Nest's own `{ message, error: 'Bad Request', statusCode }` gives `message`.
 */
function httpExceptionParts(error: HttpException): { detail: string; extensions: Record<string, unknown> } {
  const body = error.getResponse();
  if (typeof body === 'string') return { detail: body, extensions: {} };
  const { message, error: reason, statusCode: _statusCode, ...extensions } = body as Record<string, unknown>;
  const detail = Array.isArray(message)
    ? message.join('; ')
    : typeof message === 'string'
      ? message
      : typeof reason === 'string'
        ? reason
        : error.message;
  return { detail, extensions };
}

/**
 * Maps any error to its problem answer: 4xx with the reason for every client mistake, 503 only for
 * a dependency outage, 500 for the rest (a bug, logged).
 */
export function problemOf(error: unknown): ProblemAnswer {
  if (error instanceof HttpProblem) return { problem: error.problem, log: 'none' };
  if (isBodyParserError(error)) return { problem: bodyParserProblem(error).problem, log: 'none' };
  if (error instanceof ValidationError) {
    const context = error.context as ValidationContext;
    return {
      problem: problem(400, 'invalid-request', error.message, fieldErrorsOf(context), error.context),
      log: 'none',
    };
  }
  if (error instanceof NotFoundError)
    return { problem: problem(404, 'not-found', error.message), log: 'none' };
  if (error instanceof BusinessRuleViolation) {
    return {
      problem: problem(422, 'business-rule', error.message, [], {
        code: error.code,
        owner: error.ownerRole,
        remediation: error.remediation,
      }),
      log: 'none',
    };
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const slug = SLUG_BY_STATUS[status] ?? (status >= 500 ? 'internal-error' : 'invalid-request');
    const { detail, extensions } = httpExceptionParts(error);
    // A readiness probe's 503 is not worth an error line; a 500 is.
    return { problem: problem(status, slug, detail, [], extensions), log: status === 500 ? 'error' : 'none' };
  }
  // A data exception (class 22: NUL in text, out-of-range number or date, …) is a value the client
  // sent that slipped past validation: its fault, not retriable.
  const sqlState = sqlStateOf(error);
  if (sqlState?.startsWith('22')) {
    return {
      problem: problem(
        400,
        'invalid-value',
        `a value in the request cannot be stored (SQLSTATE ${sqlState})`,
      ),
      log: 'error',
    };
  }
  if (isDependencyOutage(error)) {
    return {
      problem: problem(503, 'dependency-unavailable', 'a dependency is unavailable; retry later'),
      log: 'error',
      retryAfter: 5,
    };
  }
  return { problem: problem(500, 'internal-error', 'internal error; it was logged'), log: 'error' };
}
