import { Body, Controller, DynamicModule, Get, Headers, Inject, Module, Post } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { IncomingHttpHeaders, request } from 'node:http';
import { connect } from 'node:net';
import { Writable } from 'node:stream';

import { sampleEventRecord } from '@throughline/contracts/testing';
import { ConsumedEvent, createEvent, MessagingRuntime } from '@throughline/messaging';
import { eventually } from '@throughline/messaging/testing';
import { createLogger, currentLogContext, Logger } from '@throughline/platform';

import {
  LOGGER,
  MessagingModule,
  RequireScope,
  serializeOpenApiDocument,
  serviceOpenApiDocument,
} from '../src';
import {
  anonymousFetch,
  startTestService,
  testAuthorization,
  testServiceConfig,
  TestService,
} from '../src/testing';

jest.setTimeout(90_000);

/** Handlers of DealWon wait for this gate: the test holds the consumer back, then lets it go. */
let releaseHandlers: () => void = () => undefined;
const handlersReleased = new Promise<void>((resolve) => (releaseHandlers = resolve));
const handledDeals: string[] = [];

@Controller()
class HeldHandlers {
  @EventPattern('DealWon')
  async onDealWon(@Payload() event: ConsumedEvent<'DealWon'>): Promise<void> {
    handledDeals.push(event.data.dealId);
    await handlersReleased;
  }
}

@Controller('echo')
@RequireScope('ops:read')
class EchoController {
  constructor(@Inject(LOGGER) private readonly logger: Logger) {}

  /** A command as services write them: the header's correlation id goes on the events it creates. */
  @Post()
  echo(@Body() body: { note: string }, @Headers('x-correlation-id') correlationId?: string) {
    this.logger.info({ note: body.note }, 'echo handled');
    return { correlationId, logContext: currentLogContext() };
  }

  @Get('boom')
  boom(): never {
    throw new Error('database on fire');
  }
}

/** One sample of a Prometheus text exposition: `name{label="value",...} number`. */
interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

function parsePrometheus(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) continue;
    const labels: Record<string, string> = {};
    for (const label of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g))
      labels[label[1]] = label[2];
    samples.push({ name: match[1], labels, value: Number(match[3]) });
  }
  return samples;
}

describe('service kit against the real stack: metrics and correlation ids', () => {
  let service: TestService;
  let kitModule: DynamicModule;
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger(
    'kit',
    'info',
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    }),
  );

  /** Sum of a metric over the samples whose labels match. */
  async function metric(name: string, labels: Record<string, string>): Promise<number> {
    const response = await fetch(`${service.url}/metrics`);
    expect(response.status).toBe(200);
    return parsePrometheus(await response.text())
      .filter((sample) => sample.name === name)
      .filter((sample) => Object.entries(labels).every(([key, value]) => sample.labels[key] === value))
      .reduce((sum, sample) => sum + sample.value, 0);
  }

  /** A short body deadline, so the slow-sender test waits a second, not thirty. */
  const REQUEST_TIMEOUT_MS = 1_000;

  beforeAll(async () => {
    const config = {
      ...testServiceConfig('kit'),
      httpTimeouts: { requestMs: REQUEST_TIMEOUT_MS, keepAliveMs: 5_000 },
    };
    @Module({})
    class KitModule {}
    const module: DynamicModule = {
      module: KitModule,
      imports: [MessagingModule.forRoot({ config, migrations: [], publishes: ['DealWon'], logger })],
      controllers: [HeldHandlers, EchoController],
    };
    kitModule = module;
    service = await startTestService(module, config);
  });

  afterAll(async () => {
    releaseHandlers();
    await service?.stop();
  });

  it('shows consumer lag rising while the handler is held back and falling to 0 after', async () => {
    const runtime = service.runtime as MessagingRuntime;
    const topic = runtime.naming.topicFor('DealWon');
    const deals = ['D-LAG-1', 'D-LAG-2', 'D-LAG-3', 'D-LAG-4'];
    await runtime.publisher.publish(
      deals.map((dealId) => ({
        record: createEvent('DealWon', { ...sampleEventRecord('DealWon').data, dealId }, { source: 'test' }),
      })),
    );
    // The first event is in its (held) handler, uncommitted; all four are behind.
    const held = await eventually(async () => {
      const lag = await metric('throughline_consumer_lag', { topic, group: runtime.groupId });
      return lag === deals.length && handledDeals.length === 1 ? lag : undefined;
    });
    expect(held).toBe(4);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await metric('throughline_consumer_lag', { topic })).toBe(4);
    expect(handledDeals).toHaveLength(1);

    releaseHandlers();
    await eventually(async () =>
      (await metric('throughline_consumer_lag', { topic })) === 0 ? true : undefined,
    );
    expect([...handledDeals].sort()).toEqual(deals);
    expect(
      await metric('throughline_events_consumed_total', { event_type: 'DealWon', outcome: 'handled' }),
    ).toBe(4);
  });

  it('shows dead-letter depth going up after a poison event, and the lag back at 0', async () => {
    const runtime = service.runtime as MessagingRuntime;
    const topic = runtime.naming.topicFor('DealWon');
    expect(await metric('throughline_dead_letter_depth', {})).toBe(0);
    const producer = runtime.kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: [{ key: 'poison', value: Buffer.from('not avro') }] });
    await producer.disconnect();
    await eventually(async () =>
      (await metric('throughline_dead_letter_depth', {})) === 1 ? true : undefined,
    );
    expect(await metric('throughline_dead_letter_depth', { topic: `${topic}.${runtime.groupId}.dlq` })).toBe(
      1,
    );
    await eventually(async () =>
      (await metric('throughline_consumer_lag', { topic })) === 0 ? true : undefined,
    );
    expect(
      await metric('throughline_events_consumed_total', { event_type: 'DealWon', outcome: 'dead_lettered' }),
    ).toBe(1);
  });

  it("logs a request's lines with the caller's correlation id and answers it", async () => {
    lines.splice(0);
    const response = await fetch(`${service.url}/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-correlation-id': 'corr-kit-1' },
      body: JSON.stringify({ note: 'hello' }),
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('x-correlation-id')).toBe('corr-kit-1');
    expect(await response.json()).toEqual({
      correlationId: 'corr-kit-1',
      logContext: { correlationId: 'corr-kit-1' },
    });
    const handled = await eventually(() => lines.find((line) => line['msg'] === 'echo handled'));
    expect(handled).toMatchObject({ service: 'kit', correlationId: 'corr-kit-1', note: 'hello' });
    const request = await eventually(() => lines.find((line) => line['msg'] === 'http request'));
    expect(request).toMatchObject({
      correlationId: 'corr-kit-1',
      method: 'POST',
      path: '/echo',
      status: 201,
    });
  });

  it('generates a correlation id for a caller without one and uses it all through the request', async () => {
    lines.splice(0);
    const response = await fetch(`${service.url}/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ note: 'anonymous' }),
    });
    const generated = response.headers.get('x-correlation-id');
    expect(generated).toMatch(/^[0-9a-f-]{36}$/);
    expect(await response.json()).toEqual({
      correlationId: generated,
      logContext: { correlationId: generated },
    });
    const handled = await eventually(() => lines.find((line) => line['msg'] === 'echo handled'));
    expect(handled).toMatchObject({ correlationId: generated });
  });

  it('logs an unhandled request error with the correlation id of the request', async () => {
    lines.splice(0);
    const response = await fetch(`${service.url}/echo/boom`, {
      headers: { 'x-correlation-id': 'corr-boom' },
    });
    // A bug, not an outage: 500 (503 would tell the client to retry a request that cannot work).
    expect(response.status).toBe(500);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await response.json()).toMatchObject({
      type: 'urn:throughline:problem:internal-error',
      status: 500,
    });
    expect(response.headers.get('x-correlation-id')).toBe('corr-boom');
    const error = await eventually(() =>
      lines.find((line) => line['msg'] === 'unhandled error in HTTP handler'),
    );
    expect(error).toMatchObject({ correlationId: 'corr-boom', level: 50 });
    const request = await eventually(() => lines.find((line) => line['msg'] === 'http request'));
    expect(request).toMatchObject({ correlationId: 'corr-boom', status: 500, path: '/echo/boom' });
  });

  /** A raw HTTP request (fetch cannot set Host or send a bogus Content-Encoding). */
  async function send(
    options: {
      method?: string;
      path?: string;
      headers?: Record<string, string>;
      body?: string | Buffer;
    } = {},
  ): Promise<{ status: number; headers: IncomingHttpHeaders; json: Record<string, unknown> }> {
    const url = new URL(service.url);
    const body = options.body ?? '';
    const authorization = await testAuthorization();
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: url.hostname,
          port: url.port,
          method: options.method ?? 'POST',
          path: options.path ?? '/echo',
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            authorization,
            ...options.headers,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              json: text ? JSON.parse(text) : {},
            });
          });
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  it('answers every hostile input with a 4xx problem+json naming the reason, before any handler runs', async () => {
    lines.splice(0);
    let deep = '"x"';
    for (let i = 0; i < 5_000; i += 1) deep = `[${deep}]`;
    const cases: [string, Parameters<typeof send>[0], number, string, RegExp][] = [
      [
        'form',
        { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'note=x' },
        415,
        'unsupported-media-type',
        /application\/x-www-form-urlencoded/,
      ],
      [
        'text',
        { headers: { 'content-type': 'text/plain' }, body: '{"note":"x"}' },
        415,
        'unsupported-media-type',
        /text\/plain/,
      ],
      [
        'no content type',
        { headers: { 'content-type': '' }, body: '{"note":"x"}' },
        415,
        'unsupported-media-type',
        /\(none\)/,
      ],
      [
        'over 100 kB',
        { body: JSON.stringify({ note: 'x'.repeat(110_000) }) },
        413,
        'payload-too-large',
        /over 102400 bytes/,
      ],
      [
        'bogus Content-Encoding',
        { headers: { 'content-encoding': 'bogus' }, body: '{"note":"x"}' },
        415,
        'unsupported-content-encoding',
        /bogus/,
      ],
      [
        'unsupported charset',
        { headers: { 'content-type': 'application/json; charset=klingon' }, body: '{"note":"x"}' },
        415,
        'unsupported-charset',
        /KLINGON/,
      ],
      ['malformed JSON', { body: '{"note": ' }, 400, 'malformed-json', /^unreadable JSON body: /],
      [
        'NUL in a string',
        { body: '{"note":"a\\u0000b"}' },
        400,
        'invalid-input',
        /note: contains a NUL character/,
      ],
      [
        'lone surrogate',
        { body: '{"note":"\\ud800"}' },
        400,
        'invalid-input',
        /note: contains a lone surrogate/,
      ],
      [
        '5,000-deep nesting',
        { body: `{"note":${deep}}` },
        400,
        'invalid-input',
        /nested deeper than 32 levels/,
      ],
      [
        'NUL in the path',
        { path: '/echo/a%00b', method: 'GET', body: '' },
        400,
        'invalid-input',
        /\(path\): contains a NUL/,
      ],
      [
        'NUL in the query',
        { path: '/echo?x=%00', body: '{"note":"x"}' },
        400,
        'invalid-input',
        /query.x: contains a NUL/,
      ],
      [
        'foreign Host (DNS rebinding)',
        { headers: { host: 'attacker.example' }, body: '{"note":"x"}' },
        421,
        'misdirected-request',
        /attacker\.example/,
      ],
      [
        'foreign Origin',
        { headers: { origin: 'https://attacker.example' }, body: '{"note":"x"}' },
        403,
        'forbidden-origin',
        /attacker/,
      ],
      ['null Origin', { headers: { origin: 'null' }, body: '{"note":"x"}' }, 403, 'forbidden-origin', /null/],
    ];
    for (const [name, options, status, slug, detail] of cases) {
      const answer = await send(options);
      expect({ name, status: answer.status }).toEqual({ name, status });
      expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(answer.json).toMatchObject({
        type: `urn:throughline:problem:${slug}`,
        status,
        errors: expect.any(Array),
      });
      expect(typeof answer.json['title']).toBe('string');
      expect(answer.json['detail']).toMatch(detail);
    }
    // Nothing reached the handler, and no client mistake was logged as an error.
    expect(lines.filter((line) => line['msg'] === 'echo handled')).toEqual([]);
    expect(lines.filter((line) => line['msg'] === 'unhandled error in HTTP handler')).toEqual([]);
  });

  it('serves JSON from allowed hosts and origins with security headers and no X-Powered-By', async () => {
    const ok = await send({
      headers: { host: 'localhost:1', origin: 'http://127.0.0.1:5173' },
      body: '{"note":"x"}',
    });
    expect(ok.status).toBe(201);
    expect(ok.headers['x-powered-by']).toBeUndefined();
    expect(ok.headers['x-content-type-options']).toBe('nosniff');
    expect(ok.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(ok.headers['content-security-policy']).toContain("default-src 'self'");
    // Probes and scrapers name the service by container or pod address.
    const probe = await send({
      method: 'GET',
      path: '/health/live',
      headers: { host: 'ingress:3001' },
      body: '',
    });
    expect(probe.status).toBe(200);
    const vendorJson = await send({
      headers: { 'content-type': 'application/vnd.api+json; charset=utf-8' },
      body: '{"note":"y"}',
    });
    expect(vendorJson.status).toBe(201);
  });

  it('serves its OpenAPI document at /docs without a credential, built from its own controllers', async () => {
    const response = await anonymousFetch(`${service.url}/docs`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const text = await response.text();
    expect(text).toBe(serializeOpenApiDocument(serviceOpenApiDocument(kitModule)));
    const document = JSON.parse(text) as {
      openapi: string;
      paths: Record<string, Record<string, { security: Record<string, string[]>[] }>>;
    };
    expect(document.openapi).toBe('3.1.0');
    expect(document.paths['/echo']?.['post']?.security[0]).toEqual({ OAuth2: ['ops:read'] });
    expect(document.paths['/docs']?.['get']?.security).toEqual([]);
  });

  it('answers 408 and closes the connection when a body trickles in a byte at a time', async () => {
    const url = new URL(service.url);
    const authorization = await testAuthorization();
    const body = '{"note":"slow and steady"}';
    const started = Date.now();
    const { answer, closed } = await new Promise<{ answer: string; closed: boolean }>((resolve, reject) => {
      const socket = connect(Number(url.port), url.hostname);
      let answer = '';
      let sent = 0;
      const drip = setInterval(() => {
        if (sent < body.length && !socket.destroyed) socket.write(body[sent++] as string);
      }, 200);
      socket.on('connect', () =>
        socket.write(
          `POST /echo HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\n` +
            `Authorization: ${authorization}\r\nContent-Length: ${body.length}\r\n\r\n`,
        ),
      );
      socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
      socket.on('error', reject);
      socket.on('close', () => {
        clearInterval(drip);
        resolve({ answer, closed: true });
      });
    });
    expect(closed).toBe(true);
    // Refused well before the 26 bytes could have arrived at 5 per second.
    expect(Date.now() - started).toBeLessThan(body.length * 200);
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(answer).toMatch(/content-type: application\/problem\+json/i);
    expect(answer).toContain('urn:throughline:problem:request-timeout');
  });
});
