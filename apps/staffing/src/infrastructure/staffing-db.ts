import { PrismaPg } from '@prisma/adapter-pg';

import { PrismaClient } from './prisma/generated/client';

export type StaffingDb = PrismaClient;
export type StaffingTx = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];

export function createStaffingDb(databaseUrl: string): StaffingDb {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl }) });
}
