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

export async function createDatabaseIfMissing(name: string, baseUrl?: string): Promise<void> {
  assertSafeIdentifier(name);
  await withAdminClient(baseUrl, async (client) => {
    const existing = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (existing.rowCount === 0) {
      await client.query(`CREATE DATABASE ${name}`).catch((error: { code?: string }) => {
        // Two processes may race to create it; losing that race is fine.
        if (error.code !== '42P04' && error.code !== '23505') throw error;
      });
    }
  });
}

export async function dropDatabase(name: string, baseUrl?: string): Promise<void> {
  assertSafeIdentifier(name);
  await withAdminClient(baseUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
}
