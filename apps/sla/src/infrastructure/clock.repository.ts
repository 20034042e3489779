import { ClockStatus, dueAt, SlaClock } from '../domain/clock';
import { SlaClock as ClockRow } from './prisma/generated/client';
import { SlaDb, SlaTx } from './sla-db';

/** The start event's flow, kept so that events the check raises later continue it. */
export interface ClockOrigin {
  correlationId: string;
  startEventId: string;
}

export interface StoredClock {
  clock: SlaClock;
  origin: ClockOrigin | null;
}

/**
 * Locks one SLA clock for the rest of the transaction, whether or not it exists yet (an advisory
 * lock on its key serialises the first insert; the row lock makes the check skip it meanwhile).
 */
export async function lockClock(tx: SlaTx, sla: string, entityId: string): Promise<StoredClock | null> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`sla_clock:${sla}:${entityId}`}, 0))`;
  const locked = await tx.$queryRaw<{ sla: string }[]>`
    SELECT sla FROM sla_clock WHERE sla = ${sla} AND entity_id = ${entityId} FOR UPDATE`;
  if (locked.length === 0) return null;
  const row = await tx.slaClock.findUnique({ where: { sla_entityId: { sla, entityId } } });
  return row ? stored(row) : null;
}

/**
 * Locks running clocks of the given SLAs whose threshold has passed; rows another instance (or an
 * event handler) holds are skipped, so each breach is raised once.
 */
export async function lockDueClocks(
  tx: SlaTx,
  slas: readonly string[],
  now: number,
  limit: number,
): Promise<StoredClock[]> {
  if (slas.length === 0) return [];
  const due = await tx.$queryRaw<{ sla: string; entity_id: string }[]>`
    SELECT sla, entity_id FROM sla_clock
    WHERE status = 'RUNNING' AND due_at < ${new Date(now)} AND sla = ANY(${[...slas]}::text[])
    ORDER BY due_at
    LIMIT ${limit}
    FOR UPDATE SKIP LOCKED`;
  if (due.length === 0) return [];
  const rows = await tx.slaClock.findMany({
    where: { OR: due.map((key) => ({ sla: key.sla, entityId: key.entity_id })) },
  });
  return rows.map(stored);
}

export async function saveClock(tx: SlaTx, clock: SlaClock, origin: ClockOrigin | null): Promise<void> {
  const row = {
    breachId: clock.breachId,
    ownerRole: clock.ownerRole,
    entityType: clock.entityType,
    dealId: clock.dealId,
    thresholdMs: BigInt(clock.thresholdMs),
    status: clock.status,
    startedAt: date(clock.startedAt),
    dueAt: date(dueAt(clock)),
    endedAt: date(clock.endedAt),
    breachedAt: date(clock.breachedAt),
    moneyAtRiskMinor: clock.moneyAtRiskMinor === null ? null : BigInt(clock.moneyAtRiskMinor),
    currency: clock.currency,
    ...(origin ? { correlationId: origin.correlationId, startEventId: origin.startEventId } : {}),
  };
  await tx.slaClock.upsert({
    where: { sla_entityId: { sla: clock.sla, entityId: clock.entityId } },
    create: { sla: clock.sla, entityId: clock.entityId, ...row },
    update: row,
  });
}

/** Clock counts per SLA and status. */
export async function countClocks(db: SlaDb): Promise<{ sla: string; status: ClockStatus; count: number }[]> {
  const groups = await db.slaClock.groupBy({ by: ['sla', 'status'], _count: { _all: true } });
  return groups.map((group) => ({
    sla: group.sla,
    status: group.status as ClockStatus,
    count: group._count._all,
  }));
}

export async function findClocks(
  db: SlaDb,
  statuses: readonly ClockStatus[],
  limit?: number,
): Promise<SlaClock[]> {
  const rows = await db.slaClock.findMany({
    where: { status: { in: [...statuses] } },
    orderBy: [{ startedAt: 'asc' }, { sla: 'asc' }, { entityId: 'asc' }],
    take: limit,
  });
  return rows.map((row) => stored(row).clock);
}

function stored(row: ClockRow): StoredClock {
  return {
    clock: {
      sla: row.sla,
      entityId: row.entityId,
      breachId: row.breachId,
      ownerRole: row.ownerRole,
      entityType: row.entityType,
      dealId: row.dealId,
      thresholdMs: Number(row.thresholdMs),
      status: row.status as ClockStatus,
      startedAt: time(row.startedAt),
      endedAt: time(row.endedAt),
      breachedAt: time(row.breachedAt),
      moneyAtRiskMinor: row.moneyAtRiskMinor === null ? null : Number(row.moneyAtRiskMinor),
      currency: row.currency,
    },
    origin:
      row.correlationId && row.startEventId
        ? { correlationId: row.correlationId, startEventId: row.startEventId }
        : null,
  };
}

function time(value: Date | null): number | null {
  return value === null ? null : value.getTime();
}

function date(value: number | null): Date | null {
  return value === null ? null : new Date(value);
}
