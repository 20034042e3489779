/** What the helpers need of a Prisma client: interactive transactions and raw queries. */
interface TransactionalClient {
  $transaction<R>(work: (tx: never) => Promise<R>, options?: { timeout?: number }): Promise<R>;
  $queryRaw<R>(query: TemplateStringsArray, ...values: unknown[]): Promise<R>;
}

/**
 * A replica's database client whose next transactions stay open, locks and all, after their work
 * is done until `release()`: forces one transaction to run while another is in flight.
 */
export class HeldTransactions<Db extends object> {
  readonly db: Db;
  private releaseAll!: () => void;
  private readonly released = new Promise<void>((resolve) => (this.releaseAll = resolve));
  private workDone!: () => void;
  /** Resolves once a transaction's work is done (and it is being held open). */
  readonly holding = new Promise<void>((resolve) => (this.workDone = resolve));

  constructor(client: Db) {
    const transactional = client as unknown as TransactionalClient;
    const hold = async <R>(work: (tx: never) => Promise<R>): Promise<R> =>
      transactional.$transaction(
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

/**
 * Whether `work` finishes or blocks on a lock (advisory, row, ...) held by another transaction,
 * whichever is seen first; `db` is any client of the same database.
 */
export async function finishesOrWaits(
  db: object,
  work: Promise<unknown>,
  timeoutMs = 20_000,
): Promise<'finished' | 'waiting'> {
  let finished = false;
  const settled = work.then(
    () => (finished = true),
    () => (finished = true),
  );
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (finished) return 'finished';
    const [row] = await (db as unknown as TransactionalClient).$queryRaw<{ waiting: number }[]>`
      SELECT count(*)::int AS waiting FROM pg_stat_activity
      WHERE datname = current_database() AND wait_event_type = 'Lock'`;
    if ((row?.waiting ?? 0) > 0) {
      void settled;
      return 'waiting';
    }
    if (Date.now() > deadline)
      throw new Error(`neither finished nor waiting on a lock within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
