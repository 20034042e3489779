import { ActualState, ExceptionState, NOT_INVOICED_STATUSES } from '../domain/roi-history';
import { SlaDb, SlaTx } from './sla-db';

export interface ActualChange extends ActualState {
  projectId: string;
  /** Epoch ms of this status. */
  changedAt: number;
}

/**
 * Keeps the latest state of an actual: a change older than the stored one is ignored (a tie is
 * taken, so the last published of two same-time changes wins; one actual's changes share a key and
 * so a partition, and arrive in publish order).
 */
export async function recordActual(tx: SlaTx, change: ActualChange): Promise<void> {
  const changedAt = new Date(change.changedAt);
  await tx.$executeRaw`
    INSERT INTO sla_actual
      (actual_id, project_id, billable, status, billing_period, currency, bill_amount_minor, changed_at)
    VALUES (${change.actualId}, ${change.projectId}, ${change.billable}, ${change.status},
      ${change.billingPeriod}, ${change.currency}, ${BigInt(change.billAmountMinor)}, ${changedAt})
    ON CONFLICT (actual_id) DO UPDATE SET
      project_id = EXCLUDED.project_id, billable = EXCLUDED.billable, status = EXCLUDED.status,
      billing_period = EXCLUDED.billing_period, currency = EXCLUDED.currency,
      bill_amount_minor = EXCLUDED.bill_amount_minor, changed_at = EXCLUDED.changed_at, updated_at = now()
    WHERE sla_actual.changed_at <= EXCLUDED.changed_at`;
}

/** A raise: the first raise time is kept (LEAST/GREATEST skip the NULLs of a resolution seen first). */
export async function recordExceptionRaised(
  tx: SlaTx,
  exceptionId: string,
  ownerRole: string,
  at: number,
): Promise<void> {
  const raisedAt = new Date(at);
  await tx.$executeRaw`
    INSERT INTO sla_business_exception (exception_id, owner_role, first_raised_at, last_raised_at)
    VALUES (${exceptionId}, ${ownerRole}, ${raisedAt}, ${raisedAt})
    ON CONFLICT (exception_id) DO UPDATE SET
      owner_role = EXCLUDED.owner_role,
      first_raised_at = LEAST(sla_business_exception.first_raised_at, EXCLUDED.first_raised_at),
      last_raised_at = GREATEST(sla_business_exception.last_raised_at, EXCLUDED.last_raised_at),
      updated_at = now()`;
}

/** A resolution: the latest one counts. */
export async function recordExceptionResolved(tx: SlaTx, exceptionId: string, at: number): Promise<void> {
  const resolvedAt = new Date(at);
  await tx.$executeRaw`
    INSERT INTO sla_business_exception (exception_id, resolved_at)
    VALUES (${exceptionId}, ${resolvedAt})
    ON CONFLICT (exception_id) DO UPDATE SET
      resolved_at = GREATEST(sla_business_exception.resolved_at, EXCLUDED.resolved_at),
      updated_at = now()`;
}

/** Billable actuals not invoiced yet (the candidates for billing leakage). */
export async function findUninvoicedActuals(db: SlaDb): Promise<ActualState[]> {
  const rows = await db.slaActual.findMany({
    where: { billable: true, status: { in: [...NOT_INVOICED_STATUSES] } },
    orderBy: { actualId: 'asc' },
  });
  return rows.map((row) => ({
    actualId: row.actualId,
    billable: row.billable,
    status: row.status,
    billingPeriod: row.billingPeriod,
    currency: row.currency,
    billAmountMinor: Number(row.billAmountMinor),
  }));
}

export async function findExceptions(db: SlaDb): Promise<ExceptionState[]> {
  const rows = await db.slaBusinessException.findMany({ orderBy: { exceptionId: 'asc' } });
  return rows.map((row) => ({
    exceptionId: row.exceptionId,
    firstRaisedAt: row.firstRaisedAt?.getTime() ?? null,
    lastRaisedAt: row.lastRaisedAt?.getTime() ?? null,
    resolvedAt: row.resolvedAt?.getTime() ?? null,
  }));
}
