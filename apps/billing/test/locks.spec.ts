import { Pool } from 'pg';

import { eventually } from '@throughline/messaging/testing';
import { createTestDatabase, TestDatabase } from '@throughline/persistence/testing';

import {
  BillingDb,
  BillingTx,
  createBillingDb,
  lockBilling,
  lockPricing,
} from '../src/infrastructure/billing-db';

jest.setTimeout(60_000);

/**
 * The locks billing's transactions take, held by real concurrent transactions: pricing on
 * different projects runs side by side (what lets replicas add throughput); pricing the same project
 * waits; closes, rate cards and new projects exclude all pricing, both ways.
 */
describe('billing locks', () => {
  let database: TestDatabase;
  let db: BillingDb;
  let other: BillingDb;
  let pool: Pool;

  beforeAll(async () => {
    database = await createTestDatabase();
    db = createBillingDb(database.url);
    other = createBillingDb(database.url);
    pool = new Pool({ connectionString: database.url });
  });

  afterAll(async () => {
    await db.$disconnect();
    await other.$disconnect();
    await pool.end();
    await database.drop();
  });

  /** Runs `lock` in a transaction that stays open until the returned release is called. */
  async function hold(client: BillingDb, lock: (tx: BillingTx) => Promise<void>) {
    let release = () => undefined as void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let locked = () => undefined as void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const done = client.$transaction(
      async (tx) => {
        await lock(tx);
        locked();
        await released;
      },
      { timeout: 30_000 },
    );
    await isLocked;
    return { release, done };
  }

  /** Resolves once a session of this database waits for an advisory lock. */
  async function waitingForAdvisoryLock(): Promise<void> {
    await eventually(async () => {
      const { rows } = await pool.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity
         WHERE datname = current_database() AND wait_event_type = 'Lock' AND wait_event = 'advisory'`,
      );
      return rows[0].n > 0;
    }, 10_000);
  }

  async function expectBlockedUntilReleased(
    first: (tx: BillingTx) => Promise<void>,
    second: (tx: BillingTx) => Promise<void>,
  ) {
    const holder = await hold(db, first);
    let secondDone = false;
    const waiter = other.$transaction(async (tx) => {
      await second(tx);
      secondDone = true;
    });
    await waitingForAdvisoryLock();
    expect(secondDone).toBe(false);
    holder.release();
    await holder.done;
    await waiter;
    expect(secondDone).toBe(true);
  }

  it('lets pricing transactions of different projects run at the same time', async () => {
    const holder = await hold(db, (tx) => lockPricing(tx, ['P-1', 'P-2']));
    await other.$transaction((tx) => lockPricing(tx, ['P-3']), { maxWait: 5_000, timeout: 10_000 });
    holder.release();
    await holder.done;
  });

  it('makes pricing of the same project wait', async () => {
    await expectBlockedUntilReleased(
      (tx) => lockPricing(tx, ['P-1', 'P-2']),
      (tx) => lockPricing(tx, ['P-2']),
    );
  });

  it('makes a close, rate card or new project wait for pricing, and pricing wait for them', async () => {
    await expectBlockedUntilReleased((tx) => lockPricing(tx, ['P-1']), lockBilling);
    await expectBlockedUntilReleased(lockBilling, (tx) => lockPricing(tx, ['P-9']));
  });
});
