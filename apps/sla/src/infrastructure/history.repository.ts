import { ActualChange, ExceptionUpdate } from '../domain/history-batch';
import { ActualState, ExceptionState, NOT_INVOICED_STATUSES } from '../domain/roi-history';
import { SlaDb, SlaTx } from './sla-db';

/**
 * Keeps the latest state of each actual, in one statement: pass at most one change per actual
 * (latestActualChanges). A change older than the stored one is ignored (a tie is taken, so the last
 * published of two same-time changes wins; one actual's changes share a key and so a partition, and
 * arrive in publish order).
 */
export async function recordActuals(tx: SlaTx, changes: readonly ActualChange[]): Promise<void> {
  if (changes.length === 0) return;
  const column = <T>(value: (change: ActualChange) => T): T[] => changes.map(value);
  await tx.$executeRaw`
    INSERT INTO sla_actual
      (actual_id, project_id, billable, status, billing_period, currency, bill_amount_minor, changed_at)
    SELECT * FROM unnest(
      ${column((c) => c.actualId)}::text[], ${column((c) => c.projectId)}::text[],
      ${column((c) => c.billable)}::boolean[], ${column((c) => c.status)}::text[],
      ${column((c) => c.billingPeriod)}::text[], ${column((c) => c.currency)}::text[],
      ${column((c) => String(c.billAmountMinor))}::bigint[],
      ${column((c) => new Date(c.changedAt).toISOString())}::timestamp(3)[])
    ON CONFLICT (actual_id) DO UPDATE SET
      project_id = EXCLUDED.project_id, billable = EXCLUDED.billable, status = EXCLUDED.status,
      billing_period = EXCLUDED.billing_period, currency = EXCLUDED.currency,
      bill_amount_minor = EXCLUDED.bill_amount_minor, changed_at = EXCLUDED.changed_at, updated_at = now()
    WHERE sla_actual.changed_at <= EXCLUDED.changed_at`;
}

/**
 * Raises and resolutions of business exceptions, in one statement (one update per exception,
 * exceptionUpdates): the first raise time is kept, the latest raise and resolution count
 * (LEAST/GREATEST skip the NULLs of a raise or resolution not seen), the last raise names the owner.
 */
export async function recordExceptions(tx: SlaTx, updates: readonly ExceptionUpdate[]): Promise<void> {
  if (updates.length === 0) return;
  const column = <T>(value: (update: ExceptionUpdate) => T): T[] => updates.map(value);
  const iso = (at: number | null) => (at === null ? null : new Date(at).toISOString());
  await tx.$executeRaw`
    INSERT INTO sla_business_exception AS e
      (exception_id, owner_role, first_raised_at, last_raised_at, resolved_at)
    SELECT * FROM unnest(
      ${column((u) => u.exceptionId)}::text[], ${column((u) => u.ownerRole)}::text[],
      ${column((u) => iso(u.firstRaisedAt))}::timestamp(3)[],
      ${column((u) => iso(u.lastRaisedAt))}::timestamp(3)[],
      ${column((u) => iso(u.resolvedAt))}::timestamp(3)[])
    ON CONFLICT (exception_id) DO UPDATE SET
      owner_role = COALESCE(EXCLUDED.owner_role, e.owner_role),
      first_raised_at = LEAST(e.first_raised_at, EXCLUDED.first_raised_at),
      last_raised_at = GREATEST(e.last_raised_at, EXCLUDED.last_raised_at),
      resolved_at = GREATEST(e.resolved_at, EXCLUDED.resolved_at),
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
