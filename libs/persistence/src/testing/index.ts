import { randomBytes } from 'node:crypto';

import { databaseUrlFor } from '../database-url';
import { createDatabaseIfMissing, dropDatabase } from '../databases';
import { migrate, MigrationSource } from '../migrations';

export function randomSuffix(): string {
  return randomBytes(4).toString('hex');
}

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** A fresh, migrated database per test file, so tests never see each other's rows. */
export async function createTestDatabase(sources: readonly MigrationSource[] = []): Promise<TestDatabase> {
  const name = `tl_test_${randomSuffix()}`;
  await createDatabaseIfMissing(name);
  const url = databaseUrlFor(name);
  await migrate(url, sources);
  return { name, url, drop: () => dropDatabase(name) };
}
export * from './held-transactions';
