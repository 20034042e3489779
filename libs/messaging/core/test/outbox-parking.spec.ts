import { ConfigResourceTypes } from 'kafkajs';
import { Pool } from 'pg';

import { EventRecord } from '@throughline/contracts';
import { withPgTransaction } from '@throughline/persistence';
import { createTestDatabase, randomSuffix, TestDatabase } from '@throughline/persistence/testing';

import {
  createEvent,
  enqueueEvents,
  EventConsumer,
  EventPublisher,
  MESSAGING_MIGRATIONS,
  OutboxRelay,
} from '../src';
import { createMessagingTestContext, eventually, MessagingTestContext } from '../src/testing';
import { dealWon } from './fixtures';

jest.setTimeout(60_000);

/** An event Kafka can never take must not stop the relay: it is parked and the events after it go on. */
describe('outbox relay and events Kafka cannot take', () => {
  let ctx: MessagingTestContext;
  let db: TestDatabase;
  let pool: Pool;
  let consumer: EventConsumer;
  const received: string[] = [];

  beforeAll(async () => {
    ctx = await createMessagingTestContext(['DealWon']);
    db = await createTestDatabase([MESSAGING_MIGRATIONS]);
    pool = new Pool({ connectionString: db.url });
    consumer = new EventConsumer(ctx.kafka, ctx.codec(), {
      groupId: ctx.groupId('parking'),
      logger: ctx.logger,
      naming: ctx.naming,
    });
    await consumer
      .on('DealWon', async (event) => {
        received.push(event.data.dealId);
      })
      .start();
  });

  afterAll(async () => {
    await consumer.stop();
    await pool.end();
    await db.drop();
  });

  const deal = (dealName = 'ERP rollout') =>
    createEvent('DealWon', { ...dealWon(`D-${randomSuffix()}`), dealName }, { source: 'test' });

  async function enqueue(records: EventRecord<'DealWon'>[]): Promise<void> {
    await withPgTransaction(pool, (sql) => enqueueEvents(sql, records));
  }

  async function parkReasons(records: EventRecord[]): Promise<(string | null)[]> {
    const { rows } = await pool.query<{ park_reason: string | null }>(
      'SELECT park_reason FROM messaging_outbox WHERE event_id = ANY($1::uuid[]) ORDER BY id',
      [records.map((record) => record.envelope.eventId)],
    );
    return rows.map((row) => row.park_reason);
  }

  it('parks an event larger than a message may be and publishes the ones around it', async () => {
    const publisher = new EventPublisher(ctx.kafka, ctx.codec(), ctx.naming, 4_000);
    await publisher.connect();
    const [before, huge, after] = [deal(), deal('x'.repeat(5_000)), deal()];
    await enqueue([before, huge, after]);

    const relay = new OutboxRelay(pool, publisher, { logger: ctx.logger });
    expect(await relay.relayOnce()).toBe(2);
    expect(await relay.relayOnce()).toBe(0);
    expect([await relay.backlog(), await relay.parked()]).toEqual([0, 1]);
    expect(await parkReasons([before, huge, after])).toEqual([
      null,
      expect.stringMatching(/^DealWon .+ is \d+ bytes as a Kafka message; the limit is 4000$/),
      null,
    ]);
    await eventually(() =>
      [before, after].every((record) => received.includes(record.data.dealId)) ? true : undefined,
    );
    await publisher.disconnect();
    expect(received).not.toContain(huge.data.dealId);
  });

  it('parks what the broker refuses for good, found by sending the batch one event at a time', async () => {
    const topic = ctx.naming.topicFor('DealWon');
    const admin = ctx.kafka.admin();
    await admin.connect();
    const setMaxMessageBytes = (value: string) =>
      admin.alterConfigs({
        validateOnly: false,
        resources: [
          {
            type: ConfigResourceTypes.TOPIC,
            name: topic,
            configEntries: [{ name: 'max.message.bytes', value }],
          },
        ],
      });
    await setMaxMessageBytes('3000');
    const publisher = new EventPublisher(ctx.kafka, ctx.codec(), ctx.naming);
    await publisher.connect();
    try {
      const [before, huge, after] = [deal(), deal('y'.repeat(5_000)), deal()];
      await enqueue([before, huge, after]);

      const relay = new OutboxRelay(pool, publisher, { logger: ctx.logger });
      expect(await relay.relayOnce()).toBe(2);
      expect([await relay.backlog(), await relay.parked()]).toEqual([0, 2]);
      expect(await parkReasons([before, huge, after])).toEqual([
        null,
        expect.stringMatching(/^Kafka refused DealWon .+: The request included a message larger than/),
        null,
      ]);
      await eventually(() =>
        [before, after].every((record) => received.includes(record.data.dealId)) ? true : undefined,
      );
      // The refusal leaves the producer able to go on (a fresh producer id, not stale sequence numbers).
      const later = deal();
      await enqueue([later]);
      expect(await relay.relayOnce()).toBe(1);
      await eventually(() => (received.includes(later.data.dealId) ? true : undefined));
    } finally {
      await publisher.disconnect();
      await setMaxMessageBytes('1048588');
      await admin.disconnect();
    }
  });
});
