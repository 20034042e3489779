import { Pool } from 'pg';

import { PrismaRawClient, withPgTransaction } from '@throughline/persistence';
import { createTestDatabase, TestDatabase } from '@throughline/persistence/testing';
import { Logger } from '@throughline/platform';

import { eventually } from '@throughline/messaging/testing';

import { advisoryCheckLock, CheckLock, CheckLockClient, ScheduledCheck } from './scheduled-check';

const alwaysRuns: CheckLock = {
  runAlone: async (_checkName, work) => {
    await work();
    return true;
  },
};

class FlakyCheck extends ScheduledCheck {
  readonly outcomes: (Error | undefined)[] = [new Error('database unreachable'), undefined];
  runs = 0;

  constructor(logger: Logger) {
    super(1_000, logger, 'flaky check', alwaysRuns);
  }

  protected async check(): Promise<void> {
    this.runs += 1;
    const failure = this.outcomes.shift();
    if (failure) throw failure;
  }
}

describe('ScheduledCheck', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('logs a failed check, runs again on the next tick, and stops with the module', async () => {
    const warn = jest.fn();
    const check = new FlakyCheck({ warn } as unknown as Logger);
    check.onApplicationBootstrap();

    await jest.advanceTimersByTimeAsync(1_000);
    expect(check.runs).toBe(1);
    expect(warn).toHaveBeenCalledWith(
      { error: expect.objectContaining({ message: 'database unreachable' }) },
      'flaky check failed; retrying next tick',
    );

    await jest.advanceTimersByTimeAsync(1_000);
    expect(check.runs).toBe(2);
    expect(warn).toHaveBeenCalledTimes(1);

    await check.onModuleDestroy();
    await jest.advanceTimersByTimeAsync(5_000);
    expect(check.runs).toBe(2);
  });
});

/** The interactive-transaction surface of a Prisma client, over a pg pool of its own (one replica). */
function pgLockClient(pool: Pool): CheckLockClient {
  return {
    $transaction: (work) =>
      withPgTransaction(pool, (sql) => {
        const tx: PrismaRawClient = {
          $queryRawUnsafe: <T>(query: string, ...values: unknown[]) => sql.query(query, values) as Promise<T>,
        };
        return work(tx);
      }),
  };
}

/**
 * A check that handles due items the naive way (read, work, mark) and records each run, so two
 * runs at the same time would show as overlapping runs and items handled twice.
 */
class DueItemCheck extends ScheduledCheck {
  static running = 0;
  static mostAtOnce = 0;

  constructor(
    private readonly replica: string,
    private readonly pool: Pool,
    lock: CheckLock,
  ) {
    super(20, { warn: jest.fn() } as unknown as Logger, 'due item check', lock);
  }

  protected async check(): Promise<void> {
    DueItemCheck.running += 1;
    DueItemCheck.mostAtOnce = Math.max(DueItemCheck.mostAtOnce, DueItemCheck.running);
    try {
      const [run] = (
        await this.pool.query<{ id: number }>(
          'INSERT INTO check_run (replica, started_at) VALUES ($1, clock_timestamp()) RETURNING id',
          [this.replica],
        )
      ).rows;
      const due = await this.pool.query<{ id: number }>(
        'SELECT id FROM due_item WHERE handled = 0 ORDER BY id LIMIT 5',
      );
      // The check's work takes a while: the window in which another replica's tick would overlap.
      await this.pool.query('SELECT pg_sleep(0.02)');
      await this.pool.query('UPDATE due_item SET handled = handled + 1 WHERE id = ANY($1::int[])', [
        due.rows.map((row) => row.id),
      ]);
      await this.pool.query('UPDATE check_run SET finished_at = clock_timestamp() WHERE id = $1', [run.id]);
    } finally {
      DueItemCheck.running -= 1;
    }
  }
}

describe('ScheduledCheck with an advisory check lock, two replicas on one database', () => {
  jest.setTimeout(60_000);
  let database: TestDatabase;
  const pools: Pool[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    pools.push(new Pool({ connectionString: database.url }), new Pool({ connectionString: database.url }));
    await pools[0].query(`
      CREATE TABLE check_run (id serial PRIMARY KEY, replica text NOT NULL,
        started_at timestamptz NOT NULL, finished_at timestamptz);
      CREATE TABLE due_item (id int PRIMARY KEY, handled int NOT NULL DEFAULT 0);
      INSERT INTO due_item (id) SELECT generate_series(1, 60);`);
  });

  afterAll(async () => {
    await Promise.all(pools.map((pool) => pool.end()));
    await database.drop();
  });

  it('runs each tick on one replica only: no two checks overlap and every due item is handled once', async () => {
    const replicas = pools.map(
      (pool, index) => new DueItemCheck(`replica-${index}`, pool, advisoryCheckLock(pgLockClient(pool))),
    );
    replicas.forEach((replica) => replica.onApplicationBootstrap());
    try {
      await eventually(async () => {
        const left = await pools[0].query<{ count: string }>(
          'SELECT count(*) FROM due_item WHERE handled = 0',
        );
        // Both replicas must have taken a tick: the lock hands ticks to whichever replica is free,
        // it does not pin the check to the first one (on a busy machine one replica may win many).
        const replicasThatRan = await pools[0].query<{ count: string }>(
          'SELECT count(DISTINCT replica) FROM check_run',
        );
        return left.rows[0].count === '0' && replicasThatRan.rows[0].count === '2';
      });
    } finally {
      await Promise.all(replicas.map((replica) => replica.onModuleDestroy()));
    }

    const handledTwice = await pools[0].query('SELECT id, handled FROM due_item WHERE handled <> 1');
    expect(handledTwice.rows).toEqual([]);
    const overlapping = await pools[0].query(`
      SELECT a.id, b.id FROM check_run a JOIN check_run b ON a.id < b.id
      WHERE tstzrange(a.started_at, a.finished_at) && tstzrange(b.started_at, b.finished_at)`);
    expect(overlapping.rows).toEqual([]);
    expect(DueItemCheck.mostAtOnce).toBe(1);
    const ranOn = await pools[0].query<{ replica: string }>(
      'SELECT DISTINCT replica FROM check_run ORDER BY replica',
    );
    expect(ranOn.rows.map((row) => row.replica)).toEqual(['replica-0', 'replica-1']);
  });
});
