import { Writable } from 'node:stream';

import { createLogger, currentLogContext } from '@throughline/platform';

import { correlationIdOf, correlationMiddleware, elapsedMs } from './correlation';

describe('correlationIdOf', () => {
  it('keeps a usable caller id and replaces a missing or unusable one with a new UUID', () => {
    expect(correlationIdOf('corr-1')).toBe('corr-1');
    expect(correlationIdOf(['corr-2', 'corr-3'])).toBe('corr-2');
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    expect(correlationIdOf(undefined)).toMatch(uuid);
    expect(correlationIdOf('')).toMatch(uuid);
    expect(correlationIdOf('two words')).toMatch(uuid);
    expect(correlationIdOf('line\nbreak')).toMatch(uuid);
    expect(correlationIdOf('x'.repeat(129))).toMatch(uuid);
  });
});

describe('elapsedMs', () => {
  it('reads a nanosecond clock as milliseconds, to the microsecond', () => {
    expect(elapsedMs(1_000_000_000n, 1_250_500_000n)).toBe(250.5);
    expect(elapsedMs(0n, 1_234_567n)).toBe(1.234);
  });
});

describe('correlationMiddleware', () => {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger(
    'test',
    'debug',
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    }),
  );

  function run(url: string, headers: Record<string, string> = {}) {
    const finish: (() => void)[] = [];
    const responseHeaders: Record<string, string> = {};
    const request = { method: 'GET', url, headers: { ...headers } as Record<string, string | undefined> };
    const response = {
      statusCode: 200,
      setHeader: (name: string, value: string) => (responseHeaders[name] = value),
      once: (_event: 'finish', listener: () => void) => finish.push(listener),
    };
    let inside: unknown;
    correlationMiddleware(logger)(request, response, () => (inside = currentLogContext()));
    finish.forEach((listener) => listener());
    return { request, responseHeaders, inside };
  }

  beforeEach(() => lines.splice(0));

  it('runs the request under the caller id, answers it and logs the request with it', () => {
    const { request, responseHeaders, inside } = run('/roi?x=1', { 'x-correlation-id': 'corr-7' });
    expect(inside).toEqual({ correlationId: 'corr-7' });
    expect(responseHeaders['x-correlation-id']).toBe('corr-7');
    expect(request.headers['x-correlation-id']).toBe('corr-7');
    expect(lines).toEqual([
      expect.objectContaining({
        level: 30,
        msg: 'http request',
        correlationId: 'corr-7',
        method: 'GET',
        path: '/roi',
        status: 200,
      }),
    ]);
    expect(currentLogContext()).toEqual({});
  });

  it('generates an id when the caller sends none and hands it to the controllers', () => {
    const { request, responseHeaders, inside } = run('/slas');
    const generated = responseHeaders['x-correlation-id'];
    expect(generated).toMatch(/^[0-9a-f-]{36}$/);
    expect(request.headers['x-correlation-id']).toBe(generated);
    expect(inside).toEqual({ correlationId: generated });
    expect(lines[0]).toMatchObject({ correlationId: generated });
  });

  it('logs health checks and metric scrapes at debug level', () => {
    run('/health/ready');
    run('/metrics');
    expect(lines.map((line) => line['level'])).toEqual([20, 20]);
  });
});
