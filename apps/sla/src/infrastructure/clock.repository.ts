import { ClockStatus, dueAt, SlaClock } from '../domain/clock';
import { ClockKey, clockKeyOf } from '../domain/clock-batch';
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
 * Locks the given SLA clocks for the rest of the transaction, whether or not they exist yet, and
 * loads the existing ones (by clockKeyOf). Advisory locks on their keys, taken in one statement in
 * the order of their lock ids, serialise the first insert and two batches that share clocks (the
 * fixed order means they cannot deadlock); the row locks make the check skip them meanwhile.
 */
export async function lockClocks(tx: SlaTx, keys: readonly ClockKey[]): Promise<Map<string, StoredClock>> {
  if (keys.length === 0) return new Map();
  const names = keys.map((key) => `sla_clock:${key.sla}:${key.entityId}`);
  await tx.$executeRaw`
    SELECT pg_advisory_xact_lock(lock_id)
    FROM (SELECT DISTINCT hashtextextended(name, 0) AS lock_id FROM unnest(${names}::text[]) AS name
          ORDER BY lock_id) AS locks`;
  const rows = await tx.$queryRaw<ClockRecord[]>`
    SELECT c.sla, c.entity_id, c.breach_id, c.owner_role, c.entity_type, c.deal_id, c.threshold_ms,
           c.status, (extract(epoch FROM c.started_at) * 1000)::bigint AS started_at,
           (extract(epoch FROM c.ended_at) * 1000)::bigint AS ended_at,
           (extract(epoch FROM c.breached_at) * 1000)::bigint AS breached_at,
           c.money_at_risk_minor, c.currency, c.correlation_id, c.start_event_id
    FROM sla_clock c
    JOIN unnest(${keys.map((key) => key.sla)}::text[], ${keys.map((key) => key.entityId)}::text[])
      AS k (sla, entity_id) ON c.sla = k.sla AND c.entity_id = k.entity_id
    ORDER BY c.sla, c.entity_id
    FOR UPDATE OF c`;
  return new Map(rows.map((row) => [clockKeyOf({ sla: row.sla, entityId: row.entity_id }), fromRecord(row)]));
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

/**
 * Writes clocks (each key once) in one statement. A clock without an origin keeps the one stored.
 * The caller holds their locks (lockClocks, lockDueClocks).
 */
export async function saveClocks(tx: SlaTx, clocks: readonly StoredClock[]): Promise<void> {
  if (clocks.length === 0) return;
  const rows = clocks.map(({ clock }) => clock);
  const column = <T>(value: (clock: SlaClock) => T): T[] => rows.map(value);
  const written = await tx.$executeRaw`
    INSERT INTO sla_clock AS c (sla, entity_id, breach_id, owner_role, entity_type, deal_id, threshold_ms,
           status, started_at, due_at, ended_at, breached_at, money_at_risk_minor, currency,
           correlation_id, start_event_id)
    SELECT * FROM unnest(
           ${column((c) => c.sla)}::text[], ${column((c) => c.entityId)}::text[],
           ${column((c) => c.breachId)}::text[], ${column((c) => c.ownerRole)}::text[],
           ${column((c) => c.entityType)}::text[], ${column((c) => c.dealId)}::text[],
           ${column((c) => String(c.thresholdMs))}::bigint[], ${column((c) => c.status)}::text[],
           ${column((c) => iso(c.startedAt))}::timestamp(3)[], ${column((c) => iso(dueAt(c)))}::timestamp(3)[],
           ${column((c) => iso(c.endedAt))}::timestamp(3)[], ${column((c) => iso(c.breachedAt))}::timestamp(3)[],
           ${column((c) => (c.moneyAtRiskMinor === null ? null : String(c.moneyAtRiskMinor)))}::bigint[],
           ${column((c) => c.currency)}::text[],
           ${clocks.map(({ origin }) => origin?.correlationId ?? null)}::text[],
           ${clocks.map(({ origin }) => origin?.startEventId ?? null)}::text[])
    ON CONFLICT (sla, entity_id) DO UPDATE
       SET breach_id = EXCLUDED.breach_id, owner_role = EXCLUDED.owner_role,
           entity_type = EXCLUDED.entity_type, deal_id = EXCLUDED.deal_id,
           threshold_ms = EXCLUDED.threshold_ms, status = EXCLUDED.status,
           started_at = EXCLUDED.started_at, due_at = EXCLUDED.due_at, ended_at = EXCLUDED.ended_at,
           breached_at = EXCLUDED.breached_at, money_at_risk_minor = EXCLUDED.money_at_risk_minor,
           currency = EXCLUDED.currency,
           correlation_id = COALESCE(EXCLUDED.correlation_id, c.correlation_id),
           start_event_id = COALESCE(EXCLUDED.start_event_id, c.start_event_id),
           updated_at = now()`;
  if (written !== clocks.length)
    throw new Error(`expected to write ${clocks.length} SLA clocks, wrote ${written}`);
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

/** A row of lockClocks: times as epoch ms. */
interface ClockRecord {
  sla: string;
  entity_id: string;
  breach_id: string;
  owner_role: string;
  entity_type: string;
  deal_id: string | null;
  threshold_ms: bigint;
  status: string;
  started_at: bigint | null;
  ended_at: bigint | null;
  breached_at: bigint | null;
  money_at_risk_minor: bigint | null;
  currency: string | null;
  correlation_id: string | null;
  start_event_id: string | null;
}

function fromRecord(row: ClockRecord): StoredClock {
  const ms = (value: bigint | null) => (value === null ? null : Number(value));
  return {
    clock: {
      sla: row.sla,
      entityId: row.entity_id,
      breachId: row.breach_id,
      ownerRole: row.owner_role,
      entityType: row.entity_type,
      dealId: row.deal_id,
      thresholdMs: Number(row.threshold_ms),
      status: row.status as ClockStatus,
      startedAt: ms(row.started_at),
      endedAt: ms(row.ended_at),
      breachedAt: ms(row.breached_at),
      moneyAtRiskMinor: ms(row.money_at_risk_minor),
      currency: row.currency,
    },
    origin:
      row.correlation_id && row.start_event_id
        ? { correlationId: row.correlation_id, startEventId: row.start_event_id }
        : null,
  };
}

function iso(value: number | null): string | null {
  return value === null ? null : new Date(value).toISOString();
}

function time(value: Date | null): number | null {
  return value === null ? null : value.getTime();
}
