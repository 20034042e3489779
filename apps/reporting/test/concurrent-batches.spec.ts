import { randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Pool } from 'pg';

import { ActualStatus, EventPayloads, EventType } from '@throughline/contracts';
import { sampleEventRecord } from '@throughline/contracts/testing';
import { ConsumedEvent, createEvent } from '@throughline/messaging';
import { eventually } from '@throughline/messaging/testing';
import { createDatabaseIfMissing, databaseUrlFor, dropDatabase } from '@throughline/persistence';

import { applyFigureBatch } from '../src/application/figure-batches';
import { ReportedEventType } from '../src/domain/timeline-entry';
import { createReportingDb, ReportingDb } from '../src/infrastructure/reporting-db';

jest.setTimeout(120_000);

const SCHEMA = 'projection_1';
const STATUSES: ActualStatus[] = ['UNPRICED', 'UNBILLED', 'READY_TO_INVOICE', 'INVOICED', 'WRITTEN_OFF'];

function consumed<T extends EventType>(eventType: T, data: Partial<EventPayloads[T]>): ConsumedEvent<T> {
  const record = createEvent(eventType, { ...sampleEventRecord(eventType).data, ...data }, { source: 'billing' });
  return { ...record, topic: 't', partition: 0, offset: '0', headers: {} };
}

const actual = (actualId: string, projectId: string, changedAt: number, status: ActualStatus, cost: number) =>
  consumed('ActualChanged', {
    actualId,
    projectId,
    dealId: 'D-1',
    customerId: 'C-1',
    currency: 'EUR',
    workDate: `2026-10-${String(1 + (changedAt % 28)).padStart(2, '0')}`,
    billingPeriod: '2026-10',
    billable: true,
    hoursHundredths: 100 + (changedAt % 7),
    billAmountMinor: cost * 2,
    costAmountMinor: cost,
    status,
    changedAt,
  });

/**
 * The batch projection writes without a lock: two transactions (two instances' clients) writing
 * versions of the same priced actuals and timesheet entries, in both commit orders and at random,
 * must end in the newest version of each, with report totals equal to the rows they add up.
 */
describe('batch projection writes under concurrency (PostgreSQL)', () => {
  const database = `tl_test_reporting_batches_${randomUUID().slice(0, 8)}`;
  let pool: Pool;
  let first: ReportingDb;
  let second: ReportingDb;

  beforeAll(async () => {
    await createDatabaseIfMissing(database);
    const url = databaseUrlFor(database);
    pool = new Pool({ connectionString: url, max: 4 });
    const directory = join(__dirname, '..', 'migrations', 'projection');
    const client = await pool.connect();
    try {
      await client.query(`BEGIN; CREATE SCHEMA ${SCHEMA}; SET LOCAL search_path TO ${SCHEMA}`);
      for (const file of (await readdir(directory)).filter((name) => name.endsWith('.sql')).sort()) {
        await client.query(await readFile(join(directory, file), 'utf8'));
      }
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    first = createReportingDb(url, SCHEMA);
    second = createReportingDb(url, SCHEMA);
  });

  afterAll(async () => {
    await Promise.all([first?.$disconnect(), second?.$disconnect(), pool?.end()]);
    await dropDatabase(database);
  });

  const row = async (actualId: string) =>
    (
      await pool.query<{ status: string; cost: string; event_id: string }>(
        `SELECT status, cost_amount_minor AS cost, event_id FROM ${SCHEMA}.actual WHERE actual_id = $1`,
        [actualId],
      )
    ).rows[0];

  /** Every report total against the rows it adds up (the totals of emptied keys read as absent). */
  const expectTotalsMatchRows = async () => {
    const pairs: [string, string][] = [
      [
        `SELECT project_id, currency, work_date, count(*)::bigint AS n, sum(cost_amount_minor)::bigint AS v
         FROM ${SCHEMA}.actual GROUP BY 1, 2, 3`,
        `SELECT project_id, currency, work_date, actuals AS n, cost_minor AS v
         FROM ${SCHEMA}.actual_cost_total WHERE actuals <> 0 OR cost_minor <> 0`,
      ],
      [
        `SELECT project_id, status, count(*)::bigint AS n, sum(bill_amount_minor)::bigint AS v,
           sum(hours_hundredths)::bigint AS h
         FROM ${SCHEMA}.actual WHERE billable AND status IN ('UNPRICED', 'UNBILLED', 'READY_TO_INVOICE')
         GROUP BY 1, 2`,
        `SELECT project_id, status, sum(actuals)::bigint AS n, sum(bill_minor)::bigint AS v,
           sum(hours_hundredths)::bigint AS h
         FROM ${SCHEMA}.actual_uninvoiced_total GROUP BY 1, 2 HAVING sum(actuals) <> 0 OR sum(bill_minor) <> 0`,
      ],
      [
        `SELECT left(work_date, 7) AS period, person_id, role, billable, count(*)::bigint AS n,
           sum(hours_hundredths)::bigint AS v FROM ${SCHEMA}.approved_time GROUP BY 1, 2, 3, 4`,
        `SELECT period, person_id, role, billable, entries AS n, hours_hundredths AS v
         FROM ${SCHEMA}.approved_time_total WHERE entries <> 0 OR hours_hundredths <> 0`,
      ],
    ];
    for (const [rows, totals] of pairs) {
      const sorted = async (sql: string) =>
        (await pool.query(sql)).rows.map((r) => JSON.stringify(r)).sort();
      expect(await sorted(totals)).toEqual(await sorted(rows));
    }
  };

  /** Starts `events` in a transaction of `db` that commits only when `release` is called. */
  const held = (db: ReportingDb, events: ConsumedEvent<ReportedEventType>[]) => {
    let release = () => undefined as void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let applied = false;
    const done = db.$transaction(async (tx) => {
      await applyFigureBatch(tx, SCHEMA, events);
      applied = true;
      await gate;
    });
    return { done, release, applied: () => applied };
  };

  const waitingForLock = () =>
    eventually(async () => {
      const { rows } = await pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock'`,
        [database],
      );
      return rows[0].n > 0 ? true : undefined;
    }, 10_000);

  it.each([
    ['the newer version commits first', true],
    ['the older version commits first', false],
  ])('two transactions writing one actual: %s; the newer stays, totals exact', async (_, newerFirst) => {
    const id = `A-${randomUUID()}`;
    await applyFigureBatchIn(first, [actual(id, 'P-1', 1_000, 'UNBILLED', 500)]);
    const newer = actual(id, 'P-1', 3_000, 'INVOICED', 700);
    const older = actual(id, 'P-1', 2_000, 'READY_TO_INVOICE', 600);
    const a = held(first, [newerFirst ? newer : older]);
    await eventually(async () => (a.applied() ? true : undefined), 10_000);
    // The second writer of the same row waits for the first to end, then compares with what it wrote.
    const b = held(second, [newerFirst ? older : newer]);
    b.release();
    await waitingForLock();
    expect(b.applied()).toBe(false);
    a.release();
    await Promise.all([a.done, b.done]);
    expect(await row(id)).toEqual({ status: 'INVOICED', cost: '700', event_id: newer.envelope.eventId });
    await expectTotalsMatchRows();
  });

  it('several versions of one entity in one batch: the newest is written, whatever their order', async () => {
    const id = `A-${randomUUID()}`;
    const versions = [
      actual(id, 'P-2', 5_000, 'UNBILLED', 100),
      actual(id, 'P-2', 9_000, 'INVOICED', 300),
      actual(id, 'P-2', 9_000, 'READY_TO_INVOICE', 200),
      actual(id, 'P-2', 1_000, 'UNPRICED', 0),
    ];
    await applyFigureBatchIn(first, versions);
    expect(await row(id)).toEqual({ status: 'INVOICED', cost: '300', event_id: versions[1].envelope.eventId });
    const entry = `T-${randomUUID()}`;
    const time = (revision: number, approvedAt: number, hours: number) =>
      consumed('TimeEntryApproved', {
        entryId: entry,
        personId: 'P-ANA',
        role: 'DEV',
        workDate: '2026-10-05',
        revision,
        approvedAt,
        hoursHundredths: hours,
      });
    const revisions = [time(1, 1_000, 800), time(2, 5_000, 600), time(2, 4_000, 650), time(1, 500, 900)];
    await applyFigureBatchIn(second, revisions);
    const { rows } = await pool.query(
      `SELECT hours_hundredths::int AS hours, revision FROM ${SCHEMA}.approved_time WHERE entry_id = $1`,
      [entry],
    );
    // The highest revision wins; within it, the first approval.
    expect(rows).toEqual([{ hours: 650, revision: 2 }]);
    await expectTotalsMatchRows();
  });

  it('many versions of shared actuals from two clients at once end in the newest of each', async () => {
    const ids = Array.from({ length: 60 }, (_, i) => `A-${randomUUID()}-${i}`);
    const versions = ids.flatMap((id, i) =>
      Array.from({ length: 6 }, (_, v) =>
        actual(id, `P-${i % 4}`, 10_000 + ((v * 7919 + i) % 13), STATUSES[(v + i) % 5], 100 * (v + 1) + i),
      ),
    );
    const shuffled = [...versions].sort(() => Math.random() - 0.5);
    const batches = Array.from({ length: 12 }, (_, b) => shuffled.filter((_, k) => k % 12 === b));
    await Promise.all(batches.map((batch, b) => applyFigureBatchIn(b % 2 ? first : second, batch)));
    const newest = new Map<string, ConsumedEvent<'ActualChanged'>>();
    const rank = (e: ConsumedEvent<'ActualChanged'>) =>
      [e.data.changedAt, STATUSES.indexOf(e.data.status), e.envelope.eventId] as const;
    for (const version of versions) {
      const current = newest.get(version.data.actualId);
      const [a, b] = [rank(version), current && rank(current)];
      if (!b || a[0] > b[0] || (a[0] === b[0] && (a[1] > b[1] || (a[1] === b[1] && a[2] > b[2]))))
        newest.set(version.data.actualId, version);
    }
    for (const id of ids) expect((await row(id))?.event_id).toBe(newest.get(id)?.envelope.eventId);
    await expectTotalsMatchRows();
  });
});

function applyFigureBatchIn(db: ReportingDb, events: ConsumedEvent<ReportedEventType>[]): Promise<void> {
  return db.$transaction((tx) => applyFigureBatch(tx, SCHEMA, events), { timeout: 60_000 });
}
