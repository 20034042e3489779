import { PrismaPg } from '@prisma/adapter-pg';

import { PrismaClient } from './prisma/generated/client';

export type ContractDb = PrismaClient;
export type ContractTx = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];

export function createContractDb(databaseUrl: string): ContractDb {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl }) });
}
