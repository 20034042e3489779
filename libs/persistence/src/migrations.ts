import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Client } from 'pg';

/** Advisory lock key so concurrent starts of one service never apply a migration twice. */
const MIGRATION_LOCK_KEY = 727_001;

export interface MigrationSource {
  /** Namespace recorded with each applied file, e.g. "messaging" or "contract". */
  name: string;
  directory: string;
}

/**
 * Applies plain SQL migration files (`NNN_description.sql`, in name order), each in its own
 * transaction, and records them in `schema_migrations`. Re-running applies only new files.
 * Prisma's migration engine cannot run on machines without its native binary, so SQL is the
 * source of truth for the schema and `schema.prisma` mirrors it (see README, Persistence).
 */
export async function migrate(databaseUrl: string, sources: readonly MigrationSource[]): Promise<string[]> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  const applied: string[] = [];
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      source TEXT NOT NULL, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      PRIMARY KEY (source, name))`);
    for (const source of sources) {
      const done = new Set(
        (
          await client.query<{ name: string }>('SELECT name FROM schema_migrations WHERE source = $1', [
            source.name,
          ])
        ).rows.map((row) => row.name),
      );
      const files = (await readdir(source.directory)).filter((file) => file.endsWith('.sql')).sort();
      for (const file of files.filter((candidate) => !done.has(candidate))) {
        const sql = await readFile(join(source.directory, file), 'utf8');
        await client.query('BEGIN');
        try {
          await client.query(sql);
          await client.query('INSERT INTO schema_migrations (source, name) VALUES ($1, $2)', [
            source.name,
            file,
          ]);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK');
          throw new Error(`Migration ${source.name}/${file} failed: ${(error as Error).message}`, {
            cause: error,
          });
        }
        applied.push(`${source.name}/${file}`);
      }
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await client.end();
  }
  return applied;
}
