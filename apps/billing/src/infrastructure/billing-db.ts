import { PrismaPg } from '@prisma/adapter-pg';

import { RateCardRate } from '@throughline/contracts';

import { RateCard } from '../domain/pricing';
import { PrismaClient, RateCard as RateCardRow } from './prisma/generated/client';

export type BillingDb = PrismaClient;
export type BillingTx = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];

export function createBillingDb(databaseUrl: string): BillingDb {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl }) });
}

/**
 * Serialises the transactions that change what pricing reads, or that bill or close (rate cards,
 * new projects, plan changes, period close, issue, write-off), against every other money
 * transaction, for the rest of the transaction. Under READ COMMITTED two of them could otherwise
 * miss each other's rows — a time entry recorded while the rate card that covers it is stored
 * would stay unpriced, an actual recorded during a close could land in the closed period, an
 * invoice could be numbered twice. Pricing takes the same lock in shared mode (`lockPricing`).
 */
export async function lockBilling(tx: BillingTx): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended('billing.money', 0))`;
}

/**
 * Locks what pricing new or corrected time and expenses shares: the service-wide money lock in
 * shared mode (so rate cards, projects and closes, which take it exclusively, are never missed),
 * and each project's pricing carry exclusively, in sorted order so two batches cannot deadlock.
 * Pricing transactions on different projects — other replicas' batches — run concurrently.
 */
export async function lockPricing(tx: BillingTx, projectIds: readonly string[]): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock_shared(hashtextextended('billing.money', 0))`;
  const sorted = [...new Set(projectIds)].sort();
  await tx.$queryRaw`
    SELECT pg_advisory_xact_lock(hashtextextended('billing.project:' || project_id, 0))::text
    FROM (SELECT project_id FROM unnest(${sorted}::text[]) AS project_id ORDER BY project_id) AS sorted`;
}

/** The billing periods already closed (time for them lands in the next open one). */
export async function closedPeriods(tx: BillingTx): Promise<Set<string>> {
  const rows = await tx.billingPeriod.findMany({ select: { period: true } });
  return new Set(rows.map((row) => row.period));
}

export function rateCardOf(row: RateCardRow): RateCard {
  return {
    rateCardId: row.rateCardId,
    legalEntityId: row.legalEntityId,
    currency: row.currency,
    effectiveFrom: row.effectiveFrom,
    effectiveTo: row.effectiveTo,
    rates: row.rates as unknown as RateCardRate[],
  };
}
