import { Pool, PoolClient } from 'pg';

/**
 * The one SQL surface shared code needs (outbox, inbox, migrations): a parameterised query that
 * returns rows. Implemented over a pg client or a Prisma transaction so shared tables join the
 * caller's transaction.
 */
export interface SqlExecutor {
  query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<Row[]>;
}

export function pgExecutor(client: Pool | PoolClient): SqlExecutor {
  return {
    async query<Row>(sql: string, params: readonly unknown[] = []) {
      const result = await client.query(sql, params as unknown[]);
      return result.rows as Row[];
    },
  };
}

/** Runs `work` in one transaction on a dedicated connection; rolls back on any error. */
export async function withPgTransaction<T>(pool: Pool, work: (sql: SqlExecutor) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  // A connection dropped mid-transaction surfaces as the failing query's error; without a listener
  // the client's 'error' event would crash the process.
  const ignore = () => undefined;
  client.on('error', ignore);
  try {
    await client.query('BEGIN');
    const result = await work(pgExecutor(client));
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.off('error', ignore);
    client.release();
  }
}

/** Structural type of a Prisma transaction client: enough to run raw SQL inside it. */
export interface PrismaRawClient {
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): Promise<T>;
}

export function prismaExecutor(tx: PrismaRawClient): SqlExecutor {
  return {
    query: <Row>(sql: string, params: readonly unknown[] = []) => tx.$queryRawUnsafe<Row[]>(sql, ...params),
  };
}
