import { Client } from 'pg';

import { createDatabaseIfMissing, databaseUrlFor, dropDatabase } from '../src';
import { randomSuffix } from '../src/testing';

/** Against the real PostgreSQL. */
describe('dropDatabase', () => {
  it('lets a session that is closing close, instead of ending it with an error its client sees', async () => {
    const name = `tl_test_drop_${randomSuffix()}`;
    await createDatabaseIfMissing(name);
    const client = new Client({ connectionString: databaseUrlFor(name) });
    const errors: string[] = [];
    client.on('error', (error) => errors.push(error.message));
    await client.connect();

    const dropped = dropDatabase(name);
    // The drop is waiting for the session; the client then closes as a pool's end would.
    await client.query('SELECT pg_sleep(0.3)');
    await client.end();
    await dropped;

    expect(errors).toEqual([]);
    const admin = new Client({ connectionString: databaseUrlFor('postgres') });
    await admin.connect();
    const left = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    await admin.end();
    expect(left.rowCount).toBe(0);
  });
});
