import { PrismaPg } from '@prisma/adapter-pg';

import { PrismaClient } from './prisma/generated/client';

export type SlaDb = PrismaClient;
export type SlaTx = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];

export function createSlaDb(databaseUrl: string): SlaDb {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl }) });
}
