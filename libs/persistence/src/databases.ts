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

export async function dropDatabase(name: string, baseUrl?: string): Promise<void> {
  assertSafeIdentifier(name);
  await withAdminClient(baseUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
}
