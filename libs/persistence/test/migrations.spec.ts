import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';

import { migrate, pgExecutor, withPgTransaction } from '../src';
import { createTestDatabase, TestDatabase } from '../src/testing';

describe('migrate (real PostgreSQL)', () => {
  let db: TestDatabase;
  let pool: Pool;
  let directory: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = new Pool({ connectionString: db.url });
    directory = await mkdtemp(join(tmpdir(), 'tl-migrations-'));
    await writeFile(
      join(directory, '001_create.sql'),
      'CREATE TABLE widget (id INT PRIMARY KEY, name TEXT NOT NULL);',
    );
  });

  afterAll(async () => {
    await pool.end();
    await db.drop();
  });

  it('applies new files once and records them', async () => {
    expect(await migrate(db.url, [{ name: 'demo', directory }])).toEqual(['demo/001_create.sql']);
    expect(await migrate(db.url, [{ name: 'demo', directory }])).toEqual([]);
    await writeFile(join(directory, '002_add.sql'), 'ALTER TABLE widget ADD COLUMN size INT;');
    expect(await migrate(db.url, [{ name: 'demo', directory }])).toEqual(['demo/002_add.sql']);
  });

  it('rolls back a failing file and names it', async () => {
    await writeFile(
      join(directory, '003_bad.sql'),
      'CREATE TABLE broken (id INT); SELECT nope FROM nowhere;',
    );
    await expect(migrate(db.url, [{ name: 'demo', directory }])).rejects.toThrow(/demo\/003_bad.sql/);
    const tables = await pgExecutor(pool).query("SELECT 1 FROM pg_tables WHERE tablename = 'broken'");
    expect(tables).toHaveLength(0);
  });

  it('rolls back a transaction whose work throws', async () => {
    await expect(
      withPgTransaction(pool, async (sql) => {
        await sql.query("INSERT INTO widget (id, name) VALUES (1, 'a')");
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await pgExecutor(pool).query('SELECT * FROM widget')).toHaveLength(0);
  });
});
