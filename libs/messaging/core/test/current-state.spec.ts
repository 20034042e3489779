import { Pool } from 'pg';

import { PaymentState } from '@throughline/contracts';
import { PrismaRawClient, withPgTransaction } from '@throughline/persistence';
import { createTestDatabase, randomSuffix, TestDatabase } from '@throughline/persistence/testing';

import {
  commit,
  createEvent,
  EventPublisher,
  handleOnce,
  MESSAGING_MIGRATIONS,
  OutboxRelay,
  publishCurrentState,
  TransactionalClient,
} from '../src';
import { createMessagingTestContext, eventually, MessagingTestContext } from '../src/testing';

jest.setTimeout(60_000);

/** A transaction handle over node-postgres shaped like Prisma's raw-query client. */
type Tx = PrismaRawClient;

function pgClient(pool: Pool): TransactionalClient<Tx> {
  return {
    $transaction: (work) =>
      withPgTransaction(pool, (sql) =>
        work({ $queryRawUnsafe: (query: string, ...values: unknown[]) => sql.query(query, values) as never }),
      ),
  };
}

function paymentState(paymentId: string, amountMinor: number): PaymentState {
  return {
    paymentId,
    invoiceId: 'INV-1',
    customerId: 'C-1',
    legalEntityId: 'LE-1',
    currency: 'EUR',
    amountMinor,
    appliedMinor: amountMinor,
    unappliedMinor: 0,
    unappliedReason: null,
    receivedOn: 20_000,
    reference: null,
    recordedAt: 1_764_000_000_000,
  };
}

/**
 * Current-state topics: a tracked table's changes, whatever SQL made them, become one full-state
 * record per changed entity in the outbox of the same transaction, and a deleted entity a tombstone.
 */
describe('current-state records through the outbox', () => {
  let ctx: MessagingTestContext;
  let database: TestDatabase;
  let pool: Pool;
  let db: TransactionalClient<Tx>;
  let publisher: EventPublisher;

  beforeAll(async () => {
    ctx = await createMessagingTestContext(['PaymentState']);
    database = await createTestDatabase([MESSAGING_MIGRATIONS]);
    pool = new Pool({ connectionString: database.url });
    await pool.query('CREATE TABLE payment (payment_id TEXT PRIMARY KEY, amount_minor BIGINT NOT NULL)');
    await pool.query(`SELECT messaging_track_state('payment', 'payment', 'payment_id')`);
    db = publishCurrentState(pgClient(pool), {
      source: 'billing',
      entities: [
        {
          entity: 'payment',
          eventType: 'PaymentState',
          load: async (tx: Tx, ids: readonly string[]) => {
            const rows = await tx.$queryRawUnsafe<{ payment_id: string; amount_minor: string }[]>(
              'SELECT payment_id, amount_minor FROM payment WHERE payment_id = ANY($1::text[])',
              [...ids],
            );
            return new Map(
              rows.map((row) => [row.payment_id, paymentState(row.payment_id, Number(row.amount_minor))]),
            );
          },
        },
      ],
    });
    publisher = new EventPublisher(ctx.kafka, ctx.codec(), ctx.naming);
    await publisher.connect();
  });

  afterAll(async () => {
    await publisher.disconnect();
    await pool.end();
    await database.drop();
  });

  async function outbox(): Promise<{ key: string; data: unknown; causationId: string | null }[]> {
    const { rows } = await pool.query<{
      record: { envelope: { key: string; causationId: string | null }; data: unknown };
    }>(
      `SELECT record FROM messaging_outbox WHERE published_at IS NULL AND event_type = 'PaymentState' ORDER BY id`,
    );
    return rows.map(({ record }) => ({
      key: record.envelope.key,
      data: record.data,
      causationId: record.envelope.causationId,
    }));
  }

  it('publishes one full-state record per changed entity, a tombstone for a deleted one, and nothing for an unchanged one', async () => {
    const [a, b, c] = ['A', 'B', 'C'].map((name) => `PAY-${name}-${randomSuffix()}`) as [
      string,
      string,
      string,
    ];
    await commit(db, async (tx) => {
      await tx.$queryRawUnsafe(
        'INSERT INTO payment (payment_id, amount_minor) VALUES ($1, 100), ($2, 200), ($3, 300)',
        a,
        b,
        c,
      );
      // Two changes to one entity in one transaction: one record, with the state at commit.
      await tx.$queryRawUnsafe('UPDATE payment SET amount_minor = 150 WHERE payment_id = $1', a);
    });
    expect(await outbox()).toEqual([
      { key: a, data: paymentState(a, 150), causationId: null },
      { key: b, data: paymentState(b, 200), causationId: null },
      { key: c, data: paymentState(c, 300), causationId: null },
    ]);
    await relayAll();

    const cause = createEvent('SmokeTested', { runId: 'r', message: 'm', sentAt: 0 }, { source: 'test' });
    await handleOnce(db, ctx.groupId('state'), cause, async (tx) => {
      await tx.$queryRawUnsafe('DELETE FROM payment WHERE payment_id = $1', b);
      await tx.$queryRawUnsafe('UPDATE payment SET amount_minor = 301 WHERE payment_id = $1', c);
    });
    expect(await outbox()).toEqual([
      { key: b, data: null, causationId: cause.envelope.eventId },
      { key: c, data: paymentState(c, 301), causationId: cause.envelope.eventId },
    ]);
    // The notes are consumed by the transaction that wrote them.
    expect((await pool.query('SELECT count(*)::int AS n FROM messaging_state_change')).rows[0].n).toBe(0);
  });

  it('sends a tombstone as a message with a null value, keyed by the entity id', async () => {
    const id = `PAY-T-${randomSuffix()}`;
    await commit(db, async (tx) => {
      await tx.$queryRawUnsafe('INSERT INTO payment (payment_id, amount_minor) VALUES ($1, 500)', id);
    });
    await commit(db, async (tx) => {
      await tx.$queryRawUnsafe('DELETE FROM payment WHERE payment_id = $1', id);
    });
    await relayAll();
    const messages = await readTopic(ctx.naming.topicFor('PaymentState'), id);
    expect(messages.map((message) => message.value === null)).toEqual([false, true]);
  });

  async function relayAll(): Promise<void> {
    const relay = new OutboxRelay(pool, publisher, { logger: ctx.logger });
    while ((await relay.relayOnce()) > 0);
  }

  /** Every message of `topic` with key `key`, read from the beginning with a plain kafkajs consumer. */
  async function readTopic(topic: string, key: string): Promise<{ value: Buffer | null }[]> {
    const found: { value: Buffer | null }[] = [];
    const consumer = ctx.kafka.consumer({ groupId: ctx.groupId(`read-${randomSuffix()}`) });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        if (message.key?.toString() === key) found.push({ value: message.value });
      },
    });
    try {
      await eventually(async () => found.length >= 2);
    } finally {
      await consumer.disconnect();
    }
    return found;
  }
});
