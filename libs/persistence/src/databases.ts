import { Client } from 'pg';

import { databaseUrlFor } from './database-url';

const SAFE_IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

function assertSafeIdentifier(name: string): void {
  if (!SAFE_IDENTIFIER.test(name)) throw new Error(`Unsafe database name "${name}"`);
}

async function withAdminClient<T>(
  baseUrl: string | undefined,
  work: (client: Client) => Promise<T>,
): Promise<T> {
  const client = new Client({ connectionString: databaseUrlFor('postgres', baseUrl) });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Creates the database unless it exists; returns whether it was created here. */
export async function createDatabaseIfMissing(name: string, baseUrl?: string): Promise<boolean> {
  assertSafeIdentifier(name);
  return withAdminClient(baseUrl, async (client) => {
    const existing = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (existing.rowCount !== 0) return false;
    try {
      await client.query(`CREATE DATABASE ${name}`);
      return true;
    } catch (error) {
      // Two processes may race to create it; losing that race is fine.
      if ((error as { code?: string }).code === '42P04' || (error as { code?: string }).code === '23505')
        return false;
      throw error;
    }
  });
}

/** How long a drop waits for connections that are closing (a pool just ended) before it ends them. */
const CLOSING_CONNECTIONS_GRACE_MS = 5_000;

/**
 * Drops the database. Sessions a moment from closing (a pool ended just before) are waited for first:
 * forcing them out sends their client a FATAL error that the process, having let go of the pool,
 * no longer listens for, and Node reports it as an unhandled error. Sessions still open after the
 * grace period are ended (WITH FORCE).
 */
export async function dropDatabase(name: string, baseUrl?: string): Promise<void> {
  assertSafeIdentifier(name);
  await withAdminClient(baseUrl, async (client) => {
    const deadline = Date.now() + CLOSING_CONNECTIONS_GRACE_MS;
    for (;;) {
      const sessions = await client.query('SELECT 1 FROM pg_stat_activity WHERE datname = $1 LIMIT 1', [name]);
      if (sessions.rowCount === 0 || Date.now() >= deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });
}
