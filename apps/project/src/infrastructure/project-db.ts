import { PrismaPg } from '@prisma/adapter-pg';

import { Prisma, PrismaClient } from './prisma/generated/client';

export type ProjectDb = PrismaClient;
export type ProjectTx = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];

export function createProjectDb(databaseUrl: string): ProjectDb {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl }) });
}

/**
 * Serialises every transaction that plans projects or changes the reference data they are planned
 * from, across instances. Without it a contract could read "no template yet" while a concurrent
 * transaction stores the template and finds no pending contract, leaving the contract stuck.
 * Contracts and master-data changes are rare, so one lock costs nothing noticeable.
 */
export async function lockPlanning(tx: ProjectTx): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(727101)`;
}

/**
 * A value as plain JSON for a Json column. Decoded Avro records carry prototype methods that
 * Prisma refuses to serialise, so they are copied to plain objects first.
 */
export function toJson<T>(value: T): Prisma.InputJsonValue {
  return JSON.parse(JSON.stringify(value)) as Prisma.InputJsonValue;
}
