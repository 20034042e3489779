import { BadRequestException, ConflictException } from '@nestjs/common';

import { BusinessRuleViolation, NotFoundError, TransientError, ValidationError } from '@throughline/platform';

import { HttpProblem, problemOf, sqlStateOf } from './problem';

/** What Prisma (driver adapter pg) throws for a failed statement. */
function prismaError(code: string, originalCode: string, kind = 'postgres'): Error {
  return Object.assign(new Error('Invalid `db.x.create()` invocation'), {
    name: 'PrismaClientKnownRequestError',
    code,
    meta: { driverAdapterError: { name: 'DriverAdapterError', cause: { originalCode, kind } } },
  });
}

describe('problemOf', () => {
  it('answers a validation error 400 naming each field, as RFC 9457 problem details', () => {
    const error = new ValidationError('Invalid request: currency: not ISO 4217', {
      context: { issues: [{ path: 'currency', message: 'not ISO 4217' }] },
    });
    expect(problemOf(error)).toEqual({
      log: 'none',
      problem: {
        type: 'urn:throughline:problem:invalid-request',
        title: 'The request is invalid',
        status: 400,
        detail: 'Invalid request: currency: not ISO 4217',
        error: 'Invalid request: currency: not ISO 4217',
        errors: [{ field: 'currency', detail: 'not ISO 4217' }],
        issues: [{ path: 'currency', message: 'not ISO 4217' }],
      },
    });
  });

  it('names the field of each rejected batch entry', () => {
    const error = new ValidationError('Invalid request: 1 of 2 invalid', {
      context: { rejected: [{ index: 1, id: 'TE-2', errors: ['hours: at most 24', 'duplicate'] }] },
    });
    expect(problemOf(error).problem.errors).toEqual([
      { field: '1.hours', detail: 'at most 24' },
      { field: '1', detail: 'duplicate' },
    ]);
  });

  it('answers 404, 422 with the owner, and Nest HTTP exceptions with their status', () => {
    expect(problemOf(new NotFoundError('No invoice I-1')).problem).toMatchObject({
      status: 404,
      detail: 'No invoice I-1',
    });
    const rule = new BusinessRuleViolation('PERIOD_CLOSED', 'closed', 'FINANCE_OPERATIONS', 'reopen it');
    expect(problemOf(rule).problem).toMatchObject({
      status: 422,
      type: 'urn:throughline:problem:business-rule',
      code: 'PERIOD_CLOSED',
      owner: 'FINANCE_OPERATIONS',
      remediation: 'reopen it',
    });
    expect(problemOf(new BadRequestException('Unexpected token')).problem).toMatchObject({
      status: 400,
      detail: 'Unexpected token',
    });
    const conflict = new ConflictException({
      error: 'sent with different content',
      conflicts: [{ id: 'P-1' }],
    });
    expect(problemOf(conflict).problem).toMatchObject({
      status: 409,
      type: 'urn:throughline:problem:conflict',
      detail: 'sent with different content',
      conflicts: [{ id: 'P-1' }],
    });
  });

  it('maps body parser errors: 413 too large, 415 encoding or charset, 400 malformed', () => {
    const parser = (type: string, status: number, extra: object = {}) =>
      problemOf(Object.assign(new Error('parser says no'), { type, status, expose: true, ...extra })).problem;
    expect(parser('entity.too.large', 413, { limit: 102_400 })).toMatchObject({
      status: 413,
      detail: 'request body over 102400 bytes',
    });
    expect(parser('encoding.unsupported', 415, { encoding: 'bogus' }).status).toBe(415);
    expect(parser('charset.unsupported', 415, { charset: 'koi8-r' }).detail).toMatch(/KOI8-R.*UTF-8/);
    expect(parser('entity.parse.failed', 400)).toMatchObject({
      status: 400,
      type: 'urn:throughline:problem:malformed-json',
    });
  });

  it('answers a body that is not what its Content-Encoding says 400, not 500', () => {
    // What body-parser passes on for `Content-Encoding: gzip` over plain JSON: zlib's error, marked 400.
    const zlib = Object.assign(new Error('incorrect header check'), {
      errno: -3,
      code: 'Z_DATA_ERROR',
      status: 400,
      expose: true,
    });
    expect(problemOf(zlib)).toMatchObject({
      problem: {
        status: 400,
        type: 'urn:throughline:problem:invalid-content-encoding',
        detail: expect.stringMatching(/incorrect header check/),
      },
      log: 'none',
    });
  });

  it('answers a PostgreSQL data exception (NUL byte: 22021) 400, never 503', () => {
    const nul = prismaError('P2010', '22021');
    expect(sqlStateOf(nul)).toBe('22021');
    expect(problemOf(nul)).toMatchObject({
      problem: { status: 400, type: 'urn:throughline:problem:invalid-value' },
    });
  });

  it('answers 503 with Retry-After only for a dependency outage', () => {
    expect(problemOf(prismaError('P1001', '', 'DatabaseNotReachable'))).toMatchObject({
      problem: { status: 503 },
      retryAfter: 5,
    });
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    expect(problemOf(new Error('query failed', { cause: refused })).problem.status).toBe(503);
    const kafka = Object.assign(new Error('broker down'), { name: 'KafkaJSConnectionError' });
    expect(problemOf(kafka).problem.status).toBe(503);
    expect(problemOf(new TransientError('registry timeout')).problem.status).toBe(503);
    // A busy database (lock timeout, deadlock, transaction timeout) passes too: worth a retry.
    expect(problemOf(prismaError('P2010', '55P03')).problem.status).toBe(503);
    expect(problemOf(prismaError('P2034', '40P01')).problem.status).toBe(503);
    expect(
      problemOf(Object.assign(new Error('Transaction already closed'), { code: 'P2028' })).problem.status,
    ).toBe(503);
  });

  it('answers anything else 500 and asks for it to be logged', () => {
    expect(problemOf(new RangeError('Maximum call stack size exceeded'))).toMatchObject({
      log: 'error',
      problem: { status: 500, type: 'urn:throughline:problem:internal-error' },
    });
    expect(problemOf(prismaError('P2002', '23505')).problem.status).toBe(500);
  });

  it('passes an HttpProblem through unchanged', () => {
    const refused = new HttpProblem(415, 'unsupported-media-type', 'send JSON');
    expect(problemOf(refused)).toEqual({ problem: refused.problem, log: 'none' });
  });
});
