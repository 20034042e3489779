import { PrismaPg } from '@prisma/adapter-pg';

import { PrismaClient } from './prisma/generated/client';

export type BillingDb = PrismaClient;
export type BillingTx = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];

export function createBillingDb(databaseUrl: string): BillingDb {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl }) });
}
