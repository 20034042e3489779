import { join } from 'node:path';

import { Pool, PoolClient } from 'pg';

import { ActualStatus, EventPayloads, EventRecord, EventType } from '@throughline/contracts';
import { sampleEventRecord } from '@throughline/contracts/testing';
import { ConsumedEvent, createEvent, MESSAGING_MIGRATIONS, MessagingRuntime } from '@throughline/messaging';
import { eventually } from '@throughline/messaging/testing';
import { createTestDatabase, TestDatabase } from '@throughline/persistence/testing';

import { SlaMonitorService } from '../src/application/sla-monitor.service';
import { resolveSlaConfig } from '../src/domain/sla-definition';
import { createSlaDb, SlaDb } from '../src/infrastructure/sla-db';

jest.setTimeout(60_000);

const HOUR = 3_600_000;
const T0 = Date.parse('2026-11-30T09:00:00Z');

/** An event as another service would publish it, as the consumer hands it over. */
function consumed<T extends EventType>(
  eventType: T,
  data: Partial<EventPayloads[T]>,
  occurredAt: number,
): ConsumedEvent<T> {
  const record: EventRecord<T> = createEvent(
    eventType,
    { ...sampleEventRecord(eventType).data, ...data },
    { source: 'test' },
    () => occurredAt,
  );
  return { ...record, topic: eventType, partition: 0, offset: '0', headers: {} };
}

const approved = (entryId: string, at: number, revision = 1) =>
  consumed('TimeEntryApproved', { entryId, revision, correctionReason: revision > 1 ? 'fix' : null }, at);

const actual = (actualId: string, status: ActualStatus, at: number, billAmountMinor = 50_000) =>
  consumed(
    'ActualChanged',
    {
      actualId,
      kind: 'TIME',
      status,
      billAmountMinor,
      currency: 'EUR',
      billingPeriod: '2026-11',
      changedAt: at,
    },
    at,
  ) as ConsumedEvent;

/**
 * Month-end traffic for time entries named `<prefix>-…`: approvals, a correction, a redelivered
 * approval (same event id), prices that come before and after their approval, in time and late,
 * an unpriced actual that does not stop its clock, and business exceptions raised and resolved.
 */
function monthEnd(prefix: string): ConsumedEvent[] {
  const id = (name: string) => `${prefix}-${name}`;
  const first = approved(id('TE-1'), T0);
  const events: ConsumedEvent[] = [
    first,
    approved(id('TE-2'), T0),
    actual(id('TE-1'), 'UNBILLED', T0 + 600_000),
    // A redelivery of the first approval, and its correction after the clock closed.
    first,
    approved(id('TE-1'), T0 + 2 * HOUR, 2),
    // Priced before its approval arrives (other topic), 3 h after it: breached and recovered at once.
    actual(id('TE-3'), 'UNBILLED', T0 + 3 * HOUR),
    approved(id('TE-3'), T0),
    // Unpriced first (the clock keeps running), then priced late.
    actual(id('TE-2'), 'UNPRICED', T0 + 1_000, 0),
    actual(id('TE-2'), 'UNBILLED', T0 + 2 * HOUR),
    // The same change twice at one time: the later one wins.
    actual(id('TE-2'), 'READY_TO_INVOICE', T0 + 2 * HOUR),
    approved(id('TE-4'), T0 + 5_000),
    consumed('BusinessExceptionRaised', { exceptionId: id('EX-1'), ownerRole: 'FINANCE_OPERATIONS' }, T0),
    consumed(
      'BusinessExceptionRaised',
      { exceptionId: id('EX-1'), ownerRole: 'SALES_OPERATIONS' },
      T0 + 30_000,
    ),
    consumed('BusinessExceptionResolved', { exceptionId: id('EX-1') }, T0 + 90_000),
  ];
  return events;
}

describe('sla clocks handled in batches, against PostgreSQL', () => {
  let database: TestDatabase;
  let db: SlaDb;
  let pool: Pool;
  let monitor: SlaMonitorService;

  beforeAll(async () => {
    database = await createTestDatabase([
      MESSAGING_MIGRATIONS,
      { name: 'sla', directory: join(__dirname, '..', 'migrations') },
    ]);
    db = createSlaDb(database.url);
    pool = new Pool({ connectionString: database.url });
    const runtime = { groupId: 'sla-batches', metrics: { slaBreaches: { inc: jest.fn() } } };
    monitor = new SlaMonitorService(
      db,
      { slas: resolveSlaConfig(undefined), checkIntervalMs: 60_000 },
      runtime as unknown as MessagingRuntime,
    );
  });

  afterAll(async () => {
    await db.$disconnect();
    await pool.end();
    await database.drop();
  });

  /** Everything sla stored and emitted for one prefix, with ids made comparable across prefixes. */
  async function stateOf(prefix: string, events: readonly ConsumedEvent[]) {
    const index = (eventId: unknown) => events.findIndex((event) => event.envelope.eventId === eventId);
    const strip = (value: unknown) =>
      JSON.parse(JSON.stringify(value).replaceAll(`${prefix}-`, '')) as unknown;
    const like = `${prefix}-%`;
    const clocks = await pool.query(
      `SELECT * FROM sla_clock WHERE entity_id LIKE $1 ORDER BY entity_id, sla`,
      [like],
    );
    const actuals = await pool.query(`SELECT * FROM sla_actual WHERE actual_id LIKE $1 ORDER BY actual_id`, [
      like,
    ]);
    const exceptions = await pool.query(
      `SELECT * FROM sla_business_exception WHERE exception_id LIKE $1 ORDER BY exception_id`,
      [like],
    );
    const outbox = await pool.query<{ record: EventRecord }>(
      `SELECT record FROM messaging_outbox WHERE record->'data'->>'entityId' LIKE $1 ORDER BY id`,
      [like],
    );
    const withoutTimestamps = (row: Record<string, unknown>) =>
      Object.fromEntries(Object.entries(row).filter(([column]) => column !== 'updated_at'));
    return strip({
      clocks: clocks.rows.map((row) => ({
        ...withoutTimestamps(row),
        correlation_id: index(
          events.find((e) => e.envelope.correlationId === row.correlation_id)?.envelope.eventId,
        ),
        start_event_id: index(row.start_event_id),
      })),
      actuals: actuals.rows.map(withoutTimestamps),
      exceptions: exceptions.rows.map(withoutTimestamps),
      emitted: outbox.rows.map(({ record }) => ({
        eventType: record.envelope.eventType,
        causedBy: index(record.envelope.causationId),
        data: record.data,
      })),
    });
  }

  it('ends a batch in the same clocks, history and emitted events as handling its events one at a time', async () => {
    const batched = monthEnd('B');
    await monitor.observeBatch(batched);
    const single = monthEnd('S');
    for (const event of single) await monitor.observeBatch([event]);

    const batchState = await stateOf('B', batched);
    expect(batchState).toEqual(await stateOf('S', single));
    expect(batchState).toMatchObject({
      clocks: [
        { entity_id: 'TE-1', status: 'MET', start_event_id: 0 },
        { entity_id: 'TE-2', status: 'RECOVERED', start_event_id: 1 },
        { entity_id: 'TE-3', status: 'RECOVERED', start_event_id: 6 },
        { entity_id: 'TE-4', status: 'RUNNING', start_event_id: 10 },
      ],
      actuals: [
        { actual_id: 'TE-1', status: 'UNBILLED' },
        { actual_id: 'TE-2', status: 'READY_TO_INVOICE' },
        { actual_id: 'TE-3', status: 'UNBILLED' },
      ],
      exceptions: [{ exception_id: 'EX-1', owner_role: 'SALES_OPERATIONS' }],
      emitted: [
        { eventType: 'SlaBreached', causedBy: 6, data: { entityId: 'TE-3', ageMs: 3 * HOUR } },
        { eventType: 'SlaRecovered', causedBy: 6, data: { entityId: 'TE-3', totalMs: 3 * HOUR } },
        { eventType: 'SlaBreached', causedBy: 8, data: { entityId: 'TE-2', ageMs: 2 * HOUR } },
        { eventType: 'SlaRecovered', causedBy: 8, data: { entityId: 'TE-2', totalMs: 2 * HOUR } },
      ],
    });

    // Redelivered as a whole (a consumer that crashed before committing its offsets): no effect.
    await monitor.observeBatch(batched);
    expect(await stateOf('B', batched)).toEqual(batchState);
  });

  it('lets no batch lose the update of another that touches the same clocks at the same time', async () => {
    // Holds every write to sla_clock back (SHARE blocks inserts and updates, not reads or row
    // locks) until both batches have loaded their clocks, so each decides before the other writes.
    const blocker: PoolClient = await pool.connect();
    let approvals: Promise<void> | undefined;
    let prices: Promise<void> | undefined;
    try {
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE sla_clock IN SHARE MODE');
      approvals = monitor.observeBatch([approved('C-TE-1', T0), approved('C-TE-2', T0)]);
      prices = monitor.observeBatch([
        actual('C-TE-2', 'UNBILLED', T0 + 60_000),
        actual('C-TE-1', 'UNBILLED', T0 + 60_000),
      ]);
      // Both transactions are waiting: on the table (their write) or on the other's clock locks.
      await eventually(async () => {
        const waiting = await pool.query<{ count: string }>(
          `SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
           WHERE NOT l.granted AND a.datname = current_database()
             AND (l.locktype = 'advisory' OR l.relation = 'sla_clock'::regclass)`,
        );
        return Number(waiting.rows[0]?.count) >= 2 ? true : undefined;
      });
    } finally {
      await blocker.query('COMMIT');
      blocker.release();
    }
    await Promise.all([approvals, prices]);

    const clocks = await pool.query(
      `SELECT entity_id, status, started_at, ended_at FROM sla_clock WHERE entity_id LIKE 'C-%' ORDER BY entity_id`,
    );
    expect(clocks.rows).toEqual([
      expect.objectContaining({ entity_id: 'C-TE-1', status: 'MET' }),
      expect.objectContaining({ entity_id: 'C-TE-2', status: 'MET' }),
    ]);
  });
});
