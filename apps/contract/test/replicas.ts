import { join } from 'node:path';

import { EventPayloads, EventType } from '@throughline/contracts';
import { ConsumedEvent, MESSAGING_MIGRATIONS } from '@throughline/messaging';
import { eventually } from '@throughline/messaging/testing';
import { createTestDatabase, TestDatabase } from '@throughline/persistence/testing';

import { ContractDb, createContractDb } from '../src/infrastructure/contract-db';
import { published } from './fixtures';

/** A fresh contract database (messaging tables and the service's own migrations). */
export function createContractTestDatabase(): Promise<TestDatabase> {
  return createTestDatabase([
    MESSAGING_MIGRATIONS,
    { name: 'contract', directory: join(__dirname, '..', 'migrations') },
  ]);
}

/** An event as the consumer hands it to a handler. */
export function consumed<T extends EventType>(eventType: T, data: EventPayloads[T]): ConsumedEvent<T> {
  return { ...published(eventType, data), topic: 'test', partition: 0, offset: '0', headers: {} };
}

/**
 * A replica's database client whose next transactions stay open, locks and all, after their work
 * is done until `release()`: forces one transaction to run while another is in flight.
 */
export class HeldTransactions {
  readonly db: ContractDb;
  private releaseAll!: () => void;
  private readonly released = new Promise<void>((resolve) => (this.releaseAll = resolve));
  private workDone!: () => void;
  /** Resolves once a transaction's work is done (and it is being held open). */
  readonly holding = new Promise<void>((resolve) => (this.workDone = resolve));

  constructor(client: ContractDb) {
    const hold = async <R>(work: (tx: unknown) => Promise<R>): Promise<R> =>
      client.$transaction(
        async (tx) => {
          const result = await work(tx);
          this.workDone();
          await this.released;
          return result;
        },
        { timeout: 30_000 },
      );
    this.db = new Proxy(client, {
      get: (target, property, receiver) =>
        property === '$transaction' ? hold : Reflect.get(target, property, receiver),
    });
  }

  release(): void {
    this.releaseAll();
  }
}

/** Two clients of one database, as two replicas of the service have. */
export function replicaClients(url: string): [ContractDb, ContractDb] {
  return [createContractDb(url), createContractDb(url)];
}

/**
 * Whether `work` finishes or blocks on a lock (advisory, row, ...) held by another transaction,
 * whichever is seen first.
 */
export async function finishesOrWaits(
  db: ContractDb,
  work: Promise<unknown>,
): Promise<'finished' | 'waiting'> {
  let finished = false;
  const settled = work.then(
    () => (finished = true),
    () => (finished = true),
  );
  const outcome = await eventually(async () => {
    if (finished) return 'finished' as const;
    const [{ waiting }] = await db.$queryRaw<{ waiting: number }[]>`
      SELECT count(*)::int AS waiting FROM pg_stat_activity
      WHERE datname = current_database() AND wait_event_type = 'Lock'`;
    return waiting > 0 ? ('waiting' as const) : undefined;
  });
  void settled;
  return outcome;
}
