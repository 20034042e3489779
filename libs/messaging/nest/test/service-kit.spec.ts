import { Body, Controller, DynamicModule, Get, Headers, Inject, Module, Post } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { Writable } from 'node:stream';

import { sampleEventRecord } from '@throughline/contracts/testing';
import { ConsumedEvent, createEvent, MessagingRuntime } from '@throughline/messaging';
import { eventually } from '@throughline/messaging/testing';
import { createLogger, currentLogContext, Logger } from '@throughline/platform';

import { LOGGER, MessagingModule } from '../src';
import { startTestService, testServiceConfig, TestService } from '../src/testing';

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

  beforeAll(async () => {
    const config = testServiceConfig('kit');
    @Module({})
    class KitModule {}
    const module: DynamicModule = {
      module: KitModule,
      imports: [MessagingModule.forRoot({ config, migrations: [], publishes: ['DealWon'], logger })],
      controllers: [HeldHandlers, EchoController],
    };
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
    expect(response.status).toBe(503);
    expect(response.headers.get('x-correlation-id')).toBe('corr-boom');
    const error = await eventually(() =>
      lines.find((line) => line['msg'] === 'unhandled error in HTTP handler'),
    );
    expect(error).toMatchObject({ correlationId: 'corr-boom', level: 50 });
    const request = await eventually(() => lines.find((line) => line['msg'] === 'http request'));
    expect(request).toMatchObject({ correlationId: 'corr-boom', status: 503, path: '/echo/boom' });
  });
});
