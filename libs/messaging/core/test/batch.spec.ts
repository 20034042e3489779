import { Pool } from 'pg';

import { withPgTransaction } from '@throughline/persistence';
import { createTestDatabase, randomSuffix, TestDatabase } from '@throughline/persistence/testing';

import {
  ConsumedEvent,
  createEvent,
  DeadLetterPublisher,
  deadLetterTopic,
  DLQ_HEADER,
  EventConsumer,
  EventPublisher,
  ensureTopicsByName,
  handleBatchOnce,
  MESSAGING_MIGRATIONS,
  TransactionalClient,
} from '../src';
import { createMessagingTestContext, eventually, MessagingTestContext } from '../src/testing';
import { smokeTested } from './fixtures';

jest.setTimeout(60_000);

interface RawTx {
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): Promise<T>;
}

/** A pg pool shaped like a Prisma client, enough for `handleBatchOnce`. */
function transactional(pool: Pool): TransactionalClient<RawTx> {
  return {
    $transaction: (work) =>
      withPgTransaction(pool, (sql) =>
        work({ $queryRawUnsafe: <T>(query: string, ...values: unknown[]) => sql.query(query, values) as T }),
      ),
  };
}

describe('batch handlers against real Kafka, registry and PostgreSQL', () => {
  let ctx: MessagingTestContext;
  let publisher: EventPublisher;
  let deadLetters: DeadLetterPublisher;
  let db: TestDatabase;
  let pool: Pool;
  const consumers: EventConsumer[] = [];

  beforeAll(async () => {
    ctx = await createMessagingTestContext(['SmokeTested']);
    publisher = new EventPublisher(ctx.kafka, ctx.codec(), ctx.naming);
    await publisher.connect();
    deadLetters = new DeadLetterPublisher(ctx.kafka);
    await deadLetters.connect();
    db = await createTestDatabase([MESSAGING_MIGRATIONS]);
    pool = new Pool({ connectionString: db.url });
    // No unique key: a second delivery of an event would show as a second row.
    await pool.query('CREATE TABLE ledger (group_id TEXT NOT NULL, run_id TEXT NOT NULL, seq BIGSERIAL)');
  });

  afterAll(async () => {
    await Promise.all(consumers.map((consumer) => consumer.stop()));
    await publisher.disconnect();
    await deadLetters.disconnect();
    await pool.end();
    await db.drop();
  });

  /** A batch consumer writing one ledger row per handled event, through the inbox. */
  async function startLedgerConsumer(
    run: string,
    failOn: (event: ConsumedEvent<'SmokeTested'>) => Error | undefined = () => undefined,
    retry = { inPlaceAttempts: 1, tiersMs: [200], backoff: { initialMs: 20, maxMs: 20 } },
  ) {
    const groupId = ctx.groupId(run);
    const calls: number[] = [];
    const consumer = new EventConsumer(ctx.kafka, ctx.codec(), {
      groupId,
      logger: ctx.logger,
      naming: ctx.naming,
      deadLetters,
      retry,
    }).onBatch('SmokeTested', async (events) => {
      // The topic holds earlier tests' events too.
      const ours = events.filter((event) => event.data.runId.startsWith(run)).length;
      if (ours === 0) return;
      calls.push(ours);
      await handleBatchOnce(transactional(pool), groupId, events, async (tx, fresh) => {
        for (const event of fresh.filter((candidate) => candidate.data.runId.startsWith(run))) {
          const failure = failOn(event);
          if (failure) throw failure;
          await tx.$queryRawUnsafe(
            'INSERT INTO ledger (group_id, run_id) VALUES ($1, $2)',
            groupId,
            event.data.runId,
          );
        }
        return [];
      });
    });
    consumers.push(consumer);
    await consumer.start();
    return { groupId, calls };
  }

  async function ledger(groupId: string): Promise<string[]> {
    const result = await pool.query<{ run_id: string }>(
      'SELECT run_id FROM ledger WHERE group_id = $1 ORDER BY seq',
      [groupId],
    );
    return result.rows.map((row) => row.run_id);
  }

  /** Sends encoded events (and raw bytes) to partition 0 in one request, so they are fetched together. */
  async function sendToOnePartition(values: Buffer[]): Promise<void> {
    const producer = ctx.kafka.producer();
    await producer.connect();
    await producer.send({
      topic: ctx.naming.topicFor('SmokeTested'),
      messages: values.map((value) => ({ key: 'same', value, partition: 0 })),
    });
    await producer.disconnect();
  }

  async function readDeadLetters(topic: string, count: number) {
    const reader = ctx.kafka.consumer({ groupId: ctx.groupId(`dlq-${randomSuffix()}`) });
    const letters: Record<string, string>[] = [];
    await ensureTopicsByName(ctx.kafka, [topic]);
    await reader.connect();
    await reader.subscribe({ topic, fromBeginning: true });
    await reader.run({
      eachMessage: async ({ message }) => {
        letters.push(
          Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)])),
        );
      },
    });
    await eventually(() => (letters.length >= count ? true : undefined), 30_000);
    await reader.disconnect();
    return letters;
  }

  it('hands a fetched batch to one call and gives duplicates in it and redeliveries one effect', async () => {
    const run = randomSuffix();
    const records = Array.from({ length: 50 }, (_, i) =>
      createEvent('SmokeTested', smokeTested(`${run}-${i}`), { source: 'test' }),
    );
    const encoder = await ctx.codec().encoder('SmokeTested');
    const first = records[0] as (typeof records)[number];
    // The first event twice in the batch, then all of them again later (a redelivery).
    await sendToOnePartition([first, ...records].map((record) => encoder.encode(record)));
    const { groupId, calls } = await startLedgerConsumer(run);
    await eventually(async () => ((await ledger(groupId)).length >= 50 ? true : undefined));
    await sendToOnePartition(records.map((record) => encoder.encode(record)));
    await eventually(() => (calls.reduce((sum, size) => sum + size, 0) >= 101 ? true : undefined));

    expect(await ledger(groupId)).toEqual(records.map((record) => record.data.runId));
    expect(Math.max(...calls)).toBeGreaterThan(1);
  });

  it('isolates a poison message and a failing event: neighbours are handled once, in order, and only they are dead-lettered', async () => {
    const run = randomSuffix();
    const event = (i: number) => createEvent('SmokeTested', smokeTested(`${run}-${i}`), { source: 'test' });
    const records = [0, 1, 2, 3, 4, 5].map(event);
    const encoder = await ctx.codec().encoder('SmokeTested');
    const failing = `${run}-3`;
    const { groupId, calls } = await startLedgerConsumer(run, (candidate) =>
      candidate.data.runId === failing ? new TypeError('handler bug') : undefined,
    );
    const values = records.map((record) => encoder.encode(record));
    // 0, 1, poison, 2, 3 (its handler fails), 4, 5 — all on one partition, fetched together.
    await sendToOnePartition([
      values[0],
      values[1],
      Buffer.from('not avro'),
      values[2],
      values[3],
      values[4],
      values[5],
    ] as Buffer[]);

    await eventually(async () => ((await ledger(groupId)).length >= 5 ? true : undefined));
    const letters = await readDeadLetters(deadLetterTopic(ctx.naming.topicFor('SmokeTested'), groupId), 2);

    expect(await ledger(groupId)).toEqual([0, 1, 2, 4, 5].map((i) => `${run}-${i}`));
    expect(letters.map((headers) => headers[DLQ_HEADER.errorClass]).sort()).toEqual([
      'PoisonMessageError',
      'TypeError',
    ]);
    // 0 and 1 went as one batch before the poison message.
    expect(calls[0]).toBe(2);
  });

  it('moves a retriable failure of one event to the retry topic without holding up the others', async () => {
    const run = randomSuffix();
    const records = [0, 1, 2].map((i) =>
      createEvent('SmokeTested', smokeTested(`${run}-${i}`), { source: 'test' }),
    );
    let failures = 0;
    const { groupId } = await startLedgerConsumer(run, (candidate) => {
      if (candidate.data.runId !== `${run}-1` || failures >= 2) return undefined;
      failures++;
      return Object.assign(new Error('database unavailable'), { retriable: true });
    });
    const encoder = await ctx.codec().encoder('SmokeTested');
    await sendToOnePartition(records.map((record) => encoder.encode(record)));

    await eventually(async () => ((await ledger(groupId)).length >= 3 ? true : undefined));
    // 1 failed in the batch and once on its own, then went to the retry tier; 2 did not wait for it.
    expect(await ledger(groupId)).toEqual([`${run}-0`, `${run}-2`, `${run}-1`]);
  });

  it('retries a batch that failed with a retriable error as a whole before splitting it', async () => {
    const run = randomSuffix();
    const records = [0, 1, 2].map((i) =>
      createEvent('SmokeTested', smokeTested(`${run}-${i}`), { source: 'test' }),
    );
    let failures = 0;
    const { groupId, calls } = await startLedgerConsumer(
      run,
      () =>
        failures++ === 0 ? Object.assign(new Error('too many connections'), { retriable: true }) : undefined,
      { inPlaceAttempts: 3, tiersMs: [200], backoff: { initialMs: 20, maxMs: 20 } },
    );
    const encoder = await ctx.codec().encoder('SmokeTested');
    await sendToOnePartition(records.map((record) => encoder.encode(record)));

    await eventually(async () => ((await ledger(groupId)).length >= 3 ? true : undefined));
    expect(await ledger(groupId)).toEqual(records.map((record) => record.data.runId));
    expect(calls).toEqual([3, 3]);
  });
});
