import { PrismaPg } from '@prisma/adapter-pg';

import { Prisma, PrismaClient } from './prisma/generated/client';

export type ReportingDb = PrismaClient;
export type ReportingTx = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];
export type ActualFilter = Prisma.ActualWhereInput;

/** A client for the tables of one PostgreSQL schema: `public` (the projection registry) or a projection's. */
export function createReportingDb(databaseUrl: string, schema = 'public'): ReportingDb {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl }, { schema }) });
}

/**
 * Serialises transactions that touch the same keys (e.g. `project:PRJ-1`) until they end, so two
 * instances linking a project to its deal and recording an assignment for it cannot interleave.
 * Keys are taken in sorted order, which keeps concurrent lockers from deadlocking.
 */
export async function lockKeys(tx: ReportingTx, keys: readonly string[]): Promise<void> {
  for (const key of [...new Set(keys)].sort()) {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${key}, 0))`;
  }
}
