import { Pool } from 'pg';

import { EventRecord } from '@throughline/contracts';
import { pgExecutor, withPgTransaction } from '@throughline/persistence';
import { TransientError } from '@throughline/platform';
import { createTestDatabase, randomSuffix, TestDatabase } from '@throughline/persistence/testing';

import {
  claimEvent,
  ConsumedEvent,
  createEvent,
  DeadLetterPublisher,
  deadLetterTopic,
  DLQ_HEADER,
  enqueueEvents,
  EventConsumer,
  EventPublisher,
  ensureTopicsByName,
  MESSAGING_MIGRATIONS,
  OutboxRelay,
} from '../src';
import { createMessagingTestContext, eventually, MessagingTestContext } from '../src/testing';
import { dealWon, smokeTested } from './fixtures';

jest.setTimeout(60_000);

describe('messaging against real Kafka, registry and PostgreSQL', () => {
  let ctx: MessagingTestContext;
  let publisher: EventPublisher;
  let db: TestDatabase;
  let pool: Pool;
  const consumers: EventConsumer[] = [];

  beforeAll(async () => {
    ctx = await createMessagingTestContext(['SmokeTested', 'DealWon']);
    publisher = new EventPublisher(ctx.kafka, ctx.codec(), ctx.naming);
    await publisher.connect();
    db = await createTestDatabase([MESSAGING_MIGRATIONS]);
    pool = new Pool({ connectionString: db.url });
    await pool.query('CREATE TABLE effect (event_id UUID NOT NULL, deal_id TEXT NOT NULL)');
  });

  afterAll(async () => {
    await Promise.all(consumers.map((consumer) => consumer.stop()));
    await publisher.disconnect();
    await pool.end();
    await db.drop();
  });

  function consumer(name: string, options: Partial<ConstructorParameters<typeof EventConsumer>[2]> = {}) {
    const created = new EventConsumer(ctx.kafka, ctx.codec(), {
      groupId: ctx.groupId(name),
      logger: ctx.logger,
      naming: ctx.naming,
      ...options,
    });
    consumers.push(created);
    return created;
  }

  it('round-trips a typed event with its envelope and headers', async () => {
    const received: ConsumedEvent<'SmokeTested'>[] = [];
    await consumer('round-trip')
      .on('SmokeTested', async (event) => {
        received.push(event);
      })
      .start();
    const record = createEvent('SmokeTested', smokeTested(`run-${randomSuffix()}`), { source: 'test' });
    await publisher.publish([
      { record, headers: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' } },
    ]);

    const event = await eventually(() =>
      received.find((candidate) => candidate.envelope.eventId === record.envelope.eventId),
    );
    expect(event.envelope).toEqual(record.envelope);
    expect(event.data).toEqual(record.data);
    expect(event.topic).toBe(ctx.naming.topicFor('SmokeTested'));
    expect(event.headers['traceparent']).toBe('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
    // Jest runs with NODE_ENV=test, so what tests publish is marked as test data for analysts (#13 item 7).
    expect(event.headers['throughline-data']).toBe('test');
  });

  it('lets an older reader read a newer writer, and a newer reader read an older writer', async () => {
    const asV1: ConsumedEvent<'DealWon'>[] = [];
    const asV2: ConsumedEvent<'DealWon'>[] = [];
    await consumer('reader-v1', { readerVersions: { DealWon: 1 } })
      .on('DealWon', async (event) => {
        asV1.push(event);
      })
      .start();
    await consumer('reader-v2')
      .on('DealWon', async (event) => {
        asV2.push(event);
      })
      .start();
    const v1Writer = new EventPublisher(ctx.kafka, ctx.codec({ writerVersions: { DealWon: 1 } }), ctx.naming);
    await v1Writer.connect();
    const fromV2 = createEvent('DealWon', dealWon(`D-${randomSuffix()}`), { source: 'test' });
    const { salesOwnerEmail: _dropped, ...v1Data } = dealWon(`D-${randomSuffix()}`);
    const fromV1 = createEvent('DealWon', v1Data as never, { source: 'test' });
    await publisher.publish([{ record: fromV2 }]);
    await v1Writer.publish([{ record: fromV1 }]);
    await v1Writer.disconnect();

    const find = (list: ConsumedEvent<'DealWon'>[], record: EventRecord) =>
      eventually(() => list.find((event) => event.envelope.eventId === record.envelope.eventId));
    expect((await find(asV1, fromV2)).data).not.toHaveProperty('salesOwnerEmail');
    expect((await find(asV1, fromV2)).data.dealName).toBe('ERP rollout');
    expect((await find(asV2, fromV1)).data.salesOwnerEmail).toBeNull();
    expect((await find(asV2, fromV2)).data.salesOwnerEmail).toBe('owner@example.com');
  });

  it('gives a duplicate delivery one effect (inbox in the handler transaction)', async () => {
    const groupId = ctx.groupId('inbox');
    let deliveries = 0;
    await consumer('inbox', { groupId })
      .on('DealWon', async (event) => {
        deliveries++;
        await withPgTransaction(pool, async (sql) => {
          if (!(await claimEvent(sql, groupId, event))) return;
          await sql.query('INSERT INTO effect (event_id, deal_id) VALUES ($1, $2)', [
            event.envelope.eventId,
            event.data.dealId,
          ]);
        });
      })
      .start();
    const record = createEvent('DealWon', dealWon(`D-${randomSuffix()}`), { source: 'test' });
    await publisher.publish([{ record }, { record }]);
    await publisher.publish([{ record }]);

    await eventually(() => (deliveries >= 3 ? true : undefined));
    const effects = await pool.query('SELECT * FROM effect WHERE event_id = $1', [record.envelope.eventId]);
    expect(effects.rowCount).toBe(1);
  });

  it('loses nothing when the process dies between the database commit and the Kafka publish', async () => {
    const received: string[] = [];
    await consumer('outbox')
      .on('DealWon', async (event) => {
        received.push(event.envelope.eventId);
      })
      .start();
    const record = createEvent('DealWon', dealWon(`D-${randomSuffix()}`), { source: 'test' });
    // The state change and its event commit together; the "process" dies before any relay ran.
    await withPgTransaction(pool, async (sql) => {
      await sql.query('INSERT INTO effect (event_id, deal_id) VALUES ($1, $2)', [
        record.envelope.eventId,
        record.data.dealId,
      ]);
      await enqueueEvents(sql, [record]);
    });
    expect(received).not.toContain(record.envelope.eventId);

    // A relay that crashes after Kafka acknowledged but before marking the row published...
    const crashingPublisher = {
      prepare: (events: Parameters<EventPublisher['prepare']>[0]) => publisher.prepare(events),
      send: async (messages: Parameters<EventPublisher['send']>[0]) => {
        await publisher.send(messages);
        throw new Error('process killed');
      },
    } as unknown as EventPublisher;
    await expect(
      new OutboxRelay(pool, crashingPublisher, { logger: ctx.logger }).relayOnce(),
    ).rejects.toThrow('process killed');
    // ...and the restarted relay publishes the row again: at least once, never lost.
    const relay = new OutboxRelay(pool, publisher, { logger: ctx.logger });
    expect(await relay.relayOnce()).toBe(1);
    expect(await relay.relayOnce()).toBe(0);
    expect(await relay.backlog()).toBe(0);

    await eventually(() =>
      received.filter((id) => id === record.envelope.eventId).length === 2 ? true : undefined,
    );
  });

  it('rolls back the outbox row with the state change', async () => {
    const record = createEvent('DealWon', dealWon(`D-${randomSuffix()}`), { source: 'test' });
    await expect(
      withPgTransaction(pool, async (sql) => {
        await enqueueEvents(sql, [record]);
        throw new Error('business write failed');
      }),
    ).rejects.toThrow('business write failed');
    const rows = await pgExecutor(pool).query('SELECT 1 FROM messaging_outbox WHERE event_id = $1', [
      record.envelope.eventId,
    ]);
    expect(rows).toHaveLength(0);
  });

  it('keeps the group membership alive through a handler slower than the session timeout', async () => {
    const calls: string[] = [];
    await consumer('slow', { sessionTimeoutMs: 6_000, heartbeatIntervalMs: 1_000 })
      .on('SmokeTested', async (event) => {
        calls.push(event.envelope.eventId);
        if (calls.length === 1) await new Promise((resolve) => setTimeout(resolve, 9_000));
      })
      .start();
    const slow = createEvent('SmokeTested', smokeTested(`slow-${randomSuffix()}`), { source: 'test' });
    await publisher.publish([{ record: slow }]);
    await eventually(() => (calls.includes(slow.envelope.eventId) ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, 10_000));
    // Were the session lost, the partition would be revoked and the slow event delivered again.
    expect(calls.filter((id) => id === slow.envelope.eventId)).toHaveLength(1);
  });

  describe('retriable failures', () => {
    const retry = { inPlaceAttempts: 1, tiersMs: [300, 300], backoff: { initialMs: 50, maxMs: 50 } };

    async function runScenario(name: string, failuresOfFirst: number, options: object) {
      const deadLetters = new DeadLetterPublisher(ctx.kafka);
      await deadLetters.connect();
      const run = randomSuffix();
      // Same key, so both land on one partition, first before second.
      const sameKey = (runId: string) => {
        const record = createEvent('SmokeTested', smokeTested(runId), { source: 'test' });
        return { ...record, envelope: { ...record.envelope, key: run } };
      };
      const first = sameKey(`${run}-first`);
      const second = sameKey(`${run}-second`);
      const log: string[] = [];
      let failures = 0;
      const groupId = ctx.groupId(name);
      await consumer(name, { groupId, deadLetters, ...options })
        .on('SmokeTested', async (event) => {
          if (!event.data.runId.startsWith(run)) return;
          if (event.data.runId === first.data.runId && failures < failuresOfFirst) {
            failures++;
            log.push('first failed');
            throw new TransientError('database unavailable');
          }
          log.push(event.data.runId === first.data.runId ? 'first handled' : 'second handled');
        })
        .start();
      await publisher.publish([{ record: first }, { record: second }]);
      return { log, groupId, deadLetters, topic: ctx.naming.topicFor('SmokeTested') };
    }

    it('moves a failing event to retry topics so the partition keeps flowing, then succeeds', async () => {
      const { log, deadLetters } = await runScenario('non-blocking', 2, { retry });
      await eventually(() => (log.includes('first handled') ? true : undefined));
      await deadLetters.disconnect();
      // One failure in place, one in retry tier 1, success from tier 2; second was not held up.
      expect(log).toEqual(['first failed', 'second handled', 'first failed', 'first handled']);
    });

    it('keeps per-key order for strict-order event types by retrying in place', async () => {
      const { log, deadLetters } = await runScenario('strict', 2, {
        retry: { ...retry, strictOrder: ['SmokeTested'] },
      });
      await eventually(() => (log.includes('second handled') ? true : undefined));
      await deadLetters.disconnect();
      expect(log).toEqual(['first failed', 'first failed', 'first handled', 'second handled']);
    });

    it('dead-letters an event that still fails after the last retry tier, with its history', async () => {
      const { log, groupId, deadLetters, topic } = await runScenario('exhausted', 99, { retry });
      await eventually(() =>
        log.filter((entry) => entry === 'first failed').length >= 3 ? true : undefined,
      );
      const letters = await readDeadLetters(deadLetterTopic(topic, groupId), 1);
      await deadLetters.disconnect();
      expect(log).toContain('second handled');
      expect(letters[0]?.headers[DLQ_HEADER.attempts]).toBe('3');
      expect(letters[0]?.headers[DLQ_HEADER.errorClass]).toBe('TransientError');
      expect(letters[0]?.headers[DLQ_HEADER.topic]).toBe(topic);
      expect(letters[0]?.headers['tl-retry-attempt']).toBeUndefined();
    });
  });

  async function readDeadLetters(topic: string, count: number) {
    const reader = ctx.kafka.consumer({ groupId: ctx.groupId(`reader-${randomSuffix()}`) });
    const letters: { headers: Record<string, string>; value: string }[] = [];
    await ensureTopicsByName(ctx.kafka, [topic]);
    await reader.connect();
    await reader.subscribe({ topic, fromBeginning: true });
    await reader.run({
      eachMessage: async ({ message }) => {
        const headers = Object.fromEntries(
          Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]),
        );
        letters.push({ headers, value: message.value?.toString() ?? '' });
      },
    });
    await eventually(() => (letters.length >= count ? true : undefined), 30_000);
    await reader.disconnect();
    return letters;
  }

  // Last: the poison message stays on the topic, and groups without a dead-letter topic retry it.
  it('dead-letters a poison message with its provenance and keeps the partition flowing', async () => {
    const deadLetters = new DeadLetterPublisher(ctx.kafka);
    await deadLetters.connect();
    const groupId = ctx.groupId('poison');
    const received: string[] = [];
    await consumer('poison', { groupId, deadLetters })
      .on('SmokeTested', async (event) => {
        received.push(event.data.runId);
      })
      .start();
    const producer = ctx.kafka.producer();
    await producer.connect();
    const topic = ctx.naming.topicFor('SmokeTested');
    await producer.send({
      topic,
      messages: [{ key: 'poison', value: Buffer.from('not avro at all'), partition: 0 }],
    });
    await producer.disconnect();
    const good = createEvent('SmokeTested', smokeTested(`after-poison-${randomSuffix()}`), {
      source: 'test',
    });
    await publisher.publish([{ record: good }]);

    await eventually(() => (received.includes(good.data.runId) ? true : undefined));
    const dlq = ctx.kafka.consumer({ groupId: ctx.groupId('dlq-reader') });
    const dead: { headers: Record<string, string>; value: string }[] = [];
    await dlq.connect();
    // The dead-letter topic was just created: wait until its partitions have a leader.
    await ensureTopicsByName(ctx.kafka, [deadLetterTopic(topic, groupId)]);
    await dlq.subscribe({ topic: deadLetterTopic(topic, groupId), fromBeginning: true });
    await dlq.run({
      eachMessage: async ({ message }) => {
        const headers = Object.fromEntries(
          Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]),
        );
        dead.push({ headers, value: message.value?.toString() ?? '' });
      },
    });
    const letter = await eventually(() => dead[0]);
    await dlq.disconnect();
    await deadLetters.disconnect();
    expect(letter.value).toBe('not avro at all');
    expect(letter.headers[DLQ_HEADER.topic]).toBe(topic);
    expect(letter.headers[DLQ_HEADER.group]).toBe(groupId);
    expect(letter.headers[DLQ_HEADER.errorClass]).toBe('PoisonMessageError');
    expect(letter.headers[DLQ_HEADER.key]).toBe('poison');
  });
});
