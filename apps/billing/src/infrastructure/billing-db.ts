import { PrismaPg } from '@prisma/adapter-pg';

import { PrismaClient } from './prisma/generated/client';

export type BillingDb = PrismaClient;
export type BillingTx = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];

export function createBillingDb(databaseUrl: string): BillingDb {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl }) });
}

/**
 * Serialises the transactions that price, bill or close (approvals, rate cards, new projects,
 * period close, issue, write-off, plan changes) for the rest of the transaction. Under READ
 * COMMITTED two of them could otherwise miss each other's rows — a time entry recorded while the
 * rate card that covers it is stored would stay unpriced, a pricing carry could be lost, an
 * invoice could be numbered twice. Billing's write volume makes one lock cheap.
 */
export async function lockBilling(tx: BillingTx): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended('billing.money', 0))`;
}
