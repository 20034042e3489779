import { PrismaPg } from '@prisma/adapter-pg';

import { PrismaClient } from './prisma/generated/client';

export type OutboundDb = PrismaClient;
export type OutboundTx = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];

/**
 * A delivery holds its transaction (and the record's lock) across the call to the target, so the
 * transaction timeout must cover the client's timeouts and Retry-After waits.
 */
export function createOutboundDb(databaseUrl: string, transactionTimeoutMs: number): OutboundDb {
  return new PrismaClient({
    adapter: new PrismaPg({ connectionString: databaseUrl }),
    transactionOptions: { timeout: transactionTimeoutMs, maxWait: 10_000 },
  });
}
