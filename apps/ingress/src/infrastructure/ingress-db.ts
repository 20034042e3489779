import { PrismaPg } from '@prisma/adapter-pg';

import { PrismaClient } from './prisma/generated/client';

export type IngressDb = PrismaClient;
export type IngressTx = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];

export function createIngressDb(databaseUrl: string): IngressDb {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl }) });
}

export { Prisma } from './prisma/generated/client';
